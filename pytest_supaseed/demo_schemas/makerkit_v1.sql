-- pytest-supaseed demo schema: MakerKit "v1" (legacy next-supabase-saas-kit, organizations era).
--
-- Written for pytest-supaseed from the published facts of the kit's schema, with MakerKit's own names.
-- public.users (profile with `onboarded`), public.organizations (bigint identity + uuid),
-- public.memberships with an integer role (Member 0, Admin 1, Owner 2) and pending invites
-- (invited_email + code), Stripe subscriptions. There is NO trigger on auth.users: profiles and
-- memberships come from the RPC create_new_organization() at onboarding.
-- Requires the Supabase layer (auth.users, auth.uid(), roles anon / authenticated / service_role).

create type public.subscription_status as enum (
  'active', 'trialing', 'past_due', 'canceled', 'unpaid', 'incomplete', 'incomplete_expired', 'paused'
);

-- ------------------------------------------------------------------------------------------------
-- Users (profile of an auth user)
-- ------------------------------------------------------------------------------------------------
create table public.users (
  id uuid references auth.users on delete cascade not null primary key,
  photo_url text,
  display_name text,
  onboarded bool not null,
  created_at timestamptz not null default now()
);

alter table public.users enable row level security;

-- ------------------------------------------------------------------------------------------------
-- Organizations and memberships
-- ------------------------------------------------------------------------------------------------
create table public.organizations (
  id bigint generated always as identity primary key,
  uuid uuid unique not null default gen_random_uuid(),
  name text not null,
  logo_url text,
  created_at timestamptz not null default now()
);

alter table public.organizations enable row level security;

create table public.memberships (
  id bigint generated always as identity primary key,
  user_id uuid references public.users on delete cascade,
  organization_id bigint references public.organizations on delete cascade not null,
  role int not null,
  invited_email text,
  code text unique,
  created_at timestamptz not null default now(),
  unique (user_id, organization_id),
  -- a row is either a member (user_id) or a pending invite (invited_email + code)
  constraint memberships_user_or_invite check (
    (user_id is not null) or (invited_email is not null and code is not null)
  )
);

alter table public.memberships enable row level security;

-- ------------------------------------------------------------------------------------------------
-- Billing
-- ------------------------------------------------------------------------------------------------
create table public.subscriptions (
  id text not null primary key,
  price_id text not null,
  status public.subscription_status not null,
  cancel_at_period_end bool not null,
  currency text,
  interval text,
  interval_count int,
  created_at timestamptz,
  period_starts_at timestamptz,
  period_ends_at timestamptz,
  trial_starts_at timestamptz,
  trial_ends_at timestamptz
);

alter table public.subscriptions enable row level security;

create table public.organizations_subscriptions (
  organization_id bigint not null primary key references public.organizations on delete cascade,
  subscription_id text unique references public.subscriptions on delete set null,
  customer_id text unique not null
);

alter table public.organizations_subscriptions enable row level security;

-- ------------------------------------------------------------------------------------------------
-- Helpers (security definer so policies can call them without recursing into RLS)
-- ------------------------------------------------------------------------------------------------
create or replace function public.current_user_is_member_of_organization(organization_id bigint)
  returns bool
  language sql security definer
  set search_path = public as $$
    select exists (
      select 1 from public.memberships
      where memberships.user_id = auth.uid()
        and memberships.organization_id = current_user_is_member_of_organization.organization_id
    );
$$;

create or replace function public.get_role_for_authenticated_user(org_id bigint) returns int
  language sql security definer
  set search_path = public as $$
    select role from public.memberships
    where user_id = auth.uid() and organization_id = org_id and code is null;
$$;

create or replace function public.get_organizations_for_authenticated_user() returns setof bigint
  language sql security definer
  set search_path = public as $$
    select organization_id from public.memberships where user_id = auth.uid();
$$;

grant execute on function public.current_user_is_member_of_organization(bigint) to authenticated;
grant execute on function public.get_role_for_authenticated_user(bigint) to authenticated;
grant execute on function public.get_organizations_for_authenticated_user() to authenticated;

-- onboarding: creates the organization, optionally the profile, and the owner membership
create or replace function public.create_new_organization(
  org_name text,
  user_id uuid,
  create_user bool default true
) returns uuid
  language plpgsql security definer
  set search_path = public as $$
declare
  organization bigint;
  organization_uuid uuid;
begin
  if create_user then
    insert into public.users (id, onboarded) values (user_id, true);
  end if;

  insert into public.organizations (name) values (org_name)
  returning id, uuid into organization, organization_uuid;

  -- 2 = Owner
  insert into public.memberships (user_id, organization_id, role) values (user_id, organization, 2);

  return organization_uuid;
end;
$$;

grant execute on function public.create_new_organization(text, uuid, bool) to service_role;

create or replace function public.accept_invite_to_organization(invite_code text, invite_user_id uuid)
  returns json
  language plpgsql security definer
  set search_path = public as $$
declare
  organization bigint;
  membership bigint;
begin
  if not exists (select 1 from public.users where id = invite_user_id) then
    insert into public.users (id, onboarded) values (invite_user_id, true);
  end if;

  update public.memberships
  set user_id = invite_user_id, code = null, invited_email = null
  where code = invite_code
  returning id, organization_id into membership, organization;

  if membership is null then
    raise exception 'Invite code not found: %', invite_code;
  end if;

  return json_build_object('organization', organization, 'membership', membership);
end;
$$;

grant execute on function public.accept_invite_to_organization(text, uuid) to service_role;

-- ------------------------------------------------------------------------------------------------
-- RLS policies
-- ------------------------------------------------------------------------------------------------
create policy "Users can read their own profile and their team mates'" on public.users
  for select to authenticated using (
    auth.uid() = id
    or exists (
      select 1 from public.memberships
      where memberships.user_id = users.id
        and public.current_user_is_member_of_organization(memberships.organization_id)
    )
  );

create policy "Users can insert their own profile" on public.users
  for insert to authenticated with check (auth.uid() = id);

create policy "Users can update their own profile" on public.users
  for update to authenticated using (auth.uid() = id) with check (auth.uid() = id);

create policy "Members can read their organizations" on public.organizations
  for select to authenticated using (public.current_user_is_member_of_organization(id));

-- Admin (1) and Owner (2) manage the organization
create policy "Admins can update their organizations" on public.organizations
  for update to authenticated using (public.get_role_for_authenticated_user(id) >= 1);

create policy "Members can read memberships of their organizations" on public.memberships
  for select to authenticated using (public.current_user_is_member_of_organization(organization_id));

create policy "Admins can invite members" on public.memberships
  for insert to authenticated with check (
    public.get_role_for_authenticated_user(organization_id) >= 1 and role <= 1
  );

create policy "Members can read their organization subscription" on public.organizations_subscriptions
  for select to authenticated using (public.current_user_is_member_of_organization(organization_id));

create policy "Members can read subscriptions of their organization" on public.subscriptions
  for select to authenticated using (
    exists (
      select 1 from public.organizations_subscriptions os
      where os.subscription_id = subscriptions.id
        and public.current_user_is_member_of_organization(os.organization_id)
    )
  );

-- ------------------------------------------------------------------------------------------------
-- Grants
-- ------------------------------------------------------------------------------------------------
grant select, insert, update on public.users to authenticated;
grant select, update on public.organizations to authenticated;
grant select, insert, update, delete on public.memberships to authenticated;
grant select on public.subscriptions, public.organizations_subscriptions to authenticated;
grant all on public.users, public.organizations, public.memberships, public.subscriptions,
  public.organizations_subscriptions to service_role;

-- ------------------------------------------------------------------------------------------------
-- Storage buckets (only when the storage schema is there)
-- ------------------------------------------------------------------------------------------------
do $$
begin
  if to_regclass('storage.buckets') is not null then
    insert into storage.buckets (id, name) values ('logos', 'logos'), ('avatars', 'avatars')
    on conflict (id) do nothing;
  end if;
end;
$$;
