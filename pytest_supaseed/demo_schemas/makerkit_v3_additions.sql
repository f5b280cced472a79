-- pytest-supaseed demo schema: what MakerKit "v3" (our label: the Turbo kit with declarative schemas,
-- 2025+) adds to v2: one-time tokens (public.nonces), MFA and super-admin helpers (is_aal2,
-- is_super_admin, is_mfa_compliant) with super-admin RLS policies, and timestamp / user-tracking
-- triggers on accounts. Applied after makerkit_v2.sql: `demo_schemas.paths("v3")` lists both files in
-- order and `demo_schemas.sql("v3")` joins them.

-- ================================================================================================
-- v3 additions
-- ================================================================================================

-- ------------------------------------------------------------------------------------------------
-- MFA and super admin
-- ------------------------------------------------------------------------------------------------
-- the session authenticated with a second factor (claim "aal" of the JWT)
create or replace function public.is_aal2() returns boolean
  set search_path = '' as $$
    select coalesce((select auth.jwt() ->> 'aal') = 'aal2', false);
$$ language sql stable;

grant execute on function public.is_aal2() to authenticated;

-- a super admin needs the app_metadata role AND a second factor in this session
create or replace function public.is_super_admin() returns boolean
  set search_path = '' as $$
    select coalesce((select auth.jwt() -> 'app_metadata' ->> 'role') = 'super-admin', false)
      and public.is_aal2();
$$ language sql stable;

grant execute on function public.is_super_admin() to authenticated;

-- users with a verified factor must be at aal2; users without one are compliant at aal1.
-- plpgsql + to_regclass keeps the schema loadable where auth.mfa_factors does not exist.
create or replace function public.is_mfa_compliant() returns boolean
  language plpgsql stable security definer
  set search_path = '' as $$
declare
  has_verified_factor boolean := false;
begin
  if to_regclass('auth.mfa_factors') is not null then
    execute 'select exists (select 1 from auth.mfa_factors '
            'where user_id = auth.uid() and status::text = ''verified'')'
      into has_verified_factor;
  end if;
  return not has_verified_factor or public.is_aal2();
end;
$$;

grant execute on function public.is_mfa_compliant() to authenticated;

-- restrictive: every read of these tables also requires MFA compliance
create policy restrict_mfa_accounts on public.accounts as restrictive for all to authenticated
  using (public.is_mfa_compliant());

create policy restrict_mfa_accounts_memberships on public.accounts_memberships as restrictive for all
  to authenticated using (public.is_mfa_compliant());

create policy restrict_mfa_subscriptions on public.subscriptions as restrictive for all
  to authenticated using (public.is_mfa_compliant());

create policy super_admins_access_accounts on public.accounts for select to authenticated
  using (public.is_super_admin());

create policy super_admins_access_accounts_memberships on public.accounts_memberships for select
  to authenticated using (public.is_super_admin());

create policy super_admins_access_subscriptions on public.subscriptions for select to authenticated
  using (public.is_super_admin());

create policy super_admins_access_invitations on public.invitations for select to authenticated
  using (public.is_super_admin());

-- ------------------------------------------------------------------------------------------------
-- One-time tokens
-- ------------------------------------------------------------------------------------------------
create table public.nonces (
  id uuid primary key default gen_random_uuid(),
  client_token text not null,
  nonce text not null,
  user_id uuid references auth.users (id) on delete cascade,
  purpose text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  used_at timestamptz,
  revoked boolean not null default false,
  revoked_reason text,
  verification_attempts integer not null default 0,
  last_verification_at timestamptz,
  last_verification_ip inet,
  last_verification_user_agent text,
  metadata jsonb default '{}'::jsonb,
  scopes text[] default '{}'
);

comment on table public.nonces is 'One-time tokens (email links, OTPs) with purpose, expiry and revocation';

create index idx_nonces_status on public.nonces (client_token, user_id, purpose, expires_at)
  where used_at is null and revoked = false;

revoke all on public.nonces from authenticated, service_role;
grant select, insert, update, delete on table public.nonces to service_role;
grant select on table public.nonces to authenticated;

alter table public.nonces enable row level security;

create policy "Users can read their own nonces" on public.nonces for select to authenticated
  using (user_id = (select auth.uid()));

-- ------------------------------------------------------------------------------------------------
-- Timestamps and user tracking on accounts and memberships
-- ------------------------------------------------------------------------------------------------
create trigger accounts_set_timestamps before insert or update on public.accounts
  for each row execute procedure kit.trigger_set_timestamps();

create trigger accounts_set_user_tracking before insert or update on public.accounts
  for each row execute procedure kit.trigger_set_user_tracking();

create trigger accounts_memberships_set_timestamps before insert or update on public.accounts_memberships
  for each row execute procedure kit.trigger_set_timestamps();

create trigger invitations_set_timestamps before insert or update on public.invitations
  for each row execute procedure kit.trigger_set_timestamps();
