-- pytest-supaseed demo schema: MakerKit "v2" (Next.js Supabase Turbo kit, accounts era, 2024).
--
-- Written for pytest-supaseed from the published facts of the kit's schema (table, column, function,
-- trigger and policy names are MakerKit's own so that seeding code written against it works on a real
-- MakerKit app). Requires the Supabase layer: auth.users, auth.uid(), auth.jwt(), roles anon /
-- authenticated / service_role. Run once on a fresh database, in one transaction.

create schema if not exists kit;

revoke all on schema kit from public;
grant usage on schema kit to authenticated, service_role;

-- ------------------------------------------------------------------------------------------------
-- Enums
-- ------------------------------------------------------------------------------------------------
create type public.app_permissions as enum (
  'roles.manage', 'billing.manage', 'settings.manage', 'members.manage', 'invites.manage'
);

create type public.subscription_status as enum (
  'active', 'trialing', 'past_due', 'canceled', 'unpaid', 'incomplete', 'incomplete_expired', 'paused'
);

create type public.payment_status as enum ('pending', 'succeeded', 'failed');

create type public.billing_provider as enum ('stripe', 'lemon-squeezy', 'paddle');

create type public.subscription_item_type as enum ('flat', 'per_seat', 'metered');

create type public.notification_channel as enum ('in_app', 'email');

create type public.notification_type as enum ('info', 'warning', 'error');

-- ------------------------------------------------------------------------------------------------
-- Config: one row of feature switches read by RLS policies
-- ------------------------------------------------------------------------------------------------
create table public.config (
  enable_team_accounts boolean default true not null,
  enable_account_billing boolean default true not null,
  enable_team_account_billing boolean default true not null,
  billing_provider public.billing_provider default 'stripe' not null
);

comment on table public.config is 'Configuration for the Supabase MakerKit.';

alter table public.config enable row level security;

insert into public.config (enable_team_accounts, enable_account_billing, enable_team_account_billing)
values (true, true, true);

revoke all on public.config from authenticated, service_role;
grant select on public.config to authenticated, service_role;

create policy public_config_read on public.config for select to authenticated using (true);

create or replace function public.get_config() returns json
  set search_path = '' as $$
declare
  result record;
begin
  select * from public.config limit 1 into result;
  return row_to_json(result);
end;
$$ language plpgsql;

grant execute on function public.get_config() to authenticated, service_role;

create or replace function public.is_set(field_name text) returns boolean
  set search_path = '' as $$
declare
  result boolean;
begin
  execute format('select %I from public.config limit 1', field_name) into result;
  return result;
end;
$$ language plpgsql;

grant execute on function public.is_set(text) to authenticated;

-- ------------------------------------------------------------------------------------------------
-- Helpers used by triggers
-- ------------------------------------------------------------------------------------------------
create or replace function kit.slugify(value text) returns text
  language sql immutable strict
  set search_path = '' as $$
    -- lower-case ASCII letters and digits joined by single dashes, without leading/trailing dashes
    select trim(both '-' from regexp_replace(
      regexp_replace(lower(trim(value)), '[^a-z0-9\s-]', '', 'g'),
      '[\s-]+', '-', 'g'));
$$;

grant execute on function kit.slugify(text) to service_role, authenticated;

create or replace function kit.trigger_set_timestamps() returns trigger
  set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    new.created_at = now();
    new.updated_at = now();
  else
    new.updated_at = now();
    new.created_at = old.created_at;
  end if;
  return new;
end;
$$ language plpgsql;

create or replace function kit.trigger_set_user_tracking() returns trigger
  set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    new.created_by = coalesce(auth.uid(), new.created_by);
    new.updated_by = coalesce(auth.uid(), new.updated_by);
  else
    new.updated_by = coalesce(auth.uid(), new.updated_by);
    new.created_by = old.created_by;
  end if;
  return new;
end;
$$ language plpgsql;

-- ------------------------------------------------------------------------------------------------
-- Accounts: personal (one per user, id = user id) and team accounts
-- ------------------------------------------------------------------------------------------------
create table public.accounts (
  id uuid unique not null default extensions.uuid_generate_v4(),
  primary_owner_user_id uuid references auth.users on delete cascade not null default auth.uid(),
  name varchar(255) not null,
  slug text unique,
  email varchar(320) unique,
  is_personal_account boolean default false not null,
  updated_at timestamp with time zone,
  created_at timestamp with time zone,
  created_by uuid references auth.users,
  updated_by uuid references auth.users,
  picture_url varchar(1000),
  public_data jsonb default '{}'::jsonb not null,
  primary key (id)
);

comment on table public.accounts is 'Accounts are the top level entity in the Supabase MakerKit. They can be team or personal accounts.';
comment on column public.accounts.is_personal_account is 'Whether the account is a personal account or not';
comment on column public.accounts.name is 'The name of the account';
comment on column public.accounts.slug is 'The slug of the account';
comment on column public.accounts.primary_owner_user_id is 'The primary owner of the account';
comment on column public.accounts.email is 'The email of the account. For teams, this is the email of the team (if any)';

alter table public.accounts enable row level security;

revoke all on public.accounts from authenticated, service_role;
grant select, insert, update, delete on table public.accounts to authenticated, service_role;

-- a personal account has no slug; a team account must have one
alter table public.accounts add constraint accounts_slug_null_if_personal_account_true check (
  (is_personal_account = true and slug is null)
  or (is_personal_account = false and slug is not null)
);

create index if not exists ix_accounts_primary_owner_user_id on public.accounts (primary_owner_user_id);
create index if not exists ix_accounts_is_personal_account on public.accounts (is_personal_account);

-- at most one personal account per user
create unique index unique_personal_account on public.accounts (primary_owner_user_id)
  where is_personal_account = true;

create or replace function kit.protect_account_fields() returns trigger
  set search_path = '' as $$
begin
  if current_user in ('authenticated', 'anon') then
    if new.id <> old.id
      or new.is_personal_account <> old.is_personal_account
      or new.primary_owner_user_id <> old.primary_owner_user_id
      or new.email <> old.email then
      raise exception 'You do not have permission to update this field';
    end if;
  end if;
  return new;
end;
$$ language plpgsql;

create trigger protect_account_fields before update on public.accounts
  for each row execute function kit.protect_account_fields();

-- ------------------------------------------------------------------------------------------------
-- Roles and memberships
-- ------------------------------------------------------------------------------------------------
create table public.roles (
  name varchar(50) not null,
  hierarchy_level int not null check (hierarchy_level > 0),
  primary key (name),
  unique (hierarchy_level)
);

revoke all on public.roles from authenticated, service_role;
grant select on table public.roles to authenticated, service_role;

alter table public.roles enable row level security;

create or replace function public.get_upper_system_role() returns varchar
  set search_path = '' as $$
declare
  role varchar(50);
begin
  select name from public.roles where hierarchy_level = 1 into role;
  return role;
end;
$$ language plpgsql;

grant execute on function public.get_upper_system_role() to service_role;

create table public.accounts_memberships (
  user_id uuid references auth.users on delete cascade not null,
  account_id uuid references public.accounts (id) on delete cascade not null,
  account_role varchar(50) references public.roles (name) not null,
  created_at timestamptz default current_timestamp not null,
  updated_at timestamptz default current_timestamp not null,
  created_by uuid references auth.users,
  updated_by uuid references auth.users,
  primary key (user_id, account_id)
);

comment on table public.accounts_memberships is 'The memberships for an account';
comment on column public.accounts_memberships.account_role is 'The role for the membership';

revoke all on public.accounts_memberships from authenticated, service_role;
grant select, insert, update, delete on table public.accounts_memberships to authenticated, service_role;

create index ix_accounts_memberships_account_id on public.accounts_memberships (account_id);
create index ix_accounts_memberships_user_id on public.accounts_memberships (user_id);
create index ix_accounts_memberships_account_role on public.accounts_memberships (account_role);

alter table public.accounts_memberships enable row level security;

create or replace function kit.prevent_account_owner_membership_delete() returns trigger
  set search_path = '' as $$
begin
  if exists (
    select 1 from public.accounts
    where id = old.account_id and primary_owner_user_id = old.user_id
  ) then
    raise exception 'The primary account owner cannot be removed from the account membership list';
  end if;
  return old;
end;
$$ language plpgsql;

create or replace trigger prevent_account_owner_membership_delete_check
  before delete on public.accounts_memberships
  for each row execute function kit.prevent_account_owner_membership_delete();

create or replace function kit.prevent_memberships_update() returns trigger
  set search_path = '' as $$
begin
  if new.account_role <> old.account_role then
    return new;
  end if;
  raise exception 'Only the account_role can be updated';
end;
$$ language plpgsql;

create or replace trigger prevent_memberships_update_check
  before update on public.accounts_memberships
  for each row execute function kit.prevent_memberships_update();

-- ------------------------------------------------------------------------------------------------
-- Permissions per role
-- ------------------------------------------------------------------------------------------------
create table public.role_permissions (
  id bigint generated by default as identity primary key,
  role varchar(50) references public.roles (name) not null,
  permission public.app_permissions not null,
  unique (role, permission)
);

comment on table public.role_permissions is 'The permissions for a role';

revoke all on public.role_permissions from authenticated, service_role;
grant select, insert, update, delete on table public.role_permissions to service_role;
grant select on table public.role_permissions to authenticated;

create index ix_role_permissions_role on public.role_permissions (role);

alter table public.role_permissions enable row level security;

-- ------------------------------------------------------------------------------------------------
-- Access helpers (security definer so policies can call them without recursing into RLS)
-- ------------------------------------------------------------------------------------------------
create or replace function public.is_account_owner(account_id uuid) returns boolean
  set search_path = '' as $$
    select exists (
      select 1 from public.accounts
      where id = is_account_owner.account_id and primary_owner_user_id = auth.uid()
    );
$$ language sql;

grant execute on function public.is_account_owner(uuid) to authenticated, service_role;

create or replace function public.has_role_on_account(
  account_id uuid,
  account_role varchar(50) default null
) returns boolean
  language sql security definer
  set search_path = '' as $$
    select exists (
      select 1 from public.accounts_memberships membership
      where membership.user_id = (select auth.uid())
        and membership.account_id = has_role_on_account.account_id
        and (membership.account_role = has_role_on_account.account_role
             or has_role_on_account.account_role is null)
    );
$$;

grant execute on function public.has_role_on_account(uuid, varchar) to authenticated;

create or replace function public.is_team_member(account_id uuid, user_id uuid) returns boolean
  language sql security definer
  set search_path = '' as $$
    select exists (
      select 1 from public.accounts_memberships membership
      where public.has_role_on_account(account_id)
        and membership.user_id = is_team_member.user_id
        and membership.account_id = is_team_member.account_id
    );
$$;

grant execute on function public.is_team_member(uuid, uuid) to authenticated, service_role;

-- the current user shares a team with the owner of target_account_id
create or replace function public.is_account_team_member(target_account_id uuid) returns boolean
  language sql security definer
  set search_path = '' as $$
    select exists (
      select 1 from public.accounts_memberships as membership
      where public.is_team_member(membership.account_id, target_account_id)
    );
$$;

grant execute on function public.is_account_team_member(uuid) to authenticated, service_role;

create or replace function public.has_permission(
  user_id uuid,
  account_id uuid,
  permission_name public.app_permissions
) returns boolean
  language plpgsql security definer
  set search_path = '' as $$
begin
  return exists (
    select 1
    from public.accounts_memberships
      join public.role_permissions
        on accounts_memberships.account_role = role_permissions.role
    where accounts_memberships.user_id = has_permission.user_id
      and accounts_memberships.account_id = has_permission.account_id
      and role_permissions.permission = has_permission.permission_name
  );
end;
$$;

grant execute on function public.has_permission(uuid, uuid, public.app_permissions) to authenticated, service_role;

-- ------------------------------------------------------------------------------------------------
-- Team accounts: slug from name, creator becomes owner
-- ------------------------------------------------------------------------------------------------
create or replace function kit.set_slug_from_account_name() returns trigger
  language plpgsql security definer
  set search_path = '' as $$
declare
  base_slug text;
  candidate text;
  suffix int := 1;
begin
  base_slug := kit.slugify(new.name);
  if base_slug is null or base_slug = '' then
    base_slug := 'team';
  end if;
  candidate := base_slug;
  -- a taken slug gets the first free numeric suffix: acme, acme-1, acme-2, ...
  while exists (select 1 from public.accounts where slug = candidate and id <> new.id) loop
    candidate := base_slug || '-' || suffix;
    suffix := suffix + 1;
  end loop;
  new.slug := candidate;
  return new;
end;
$$;

create trigger set_slug_from_account_name before insert on public.accounts
  for each row
  when (new.name is not null and new.slug is null and new.is_personal_account = false)
  execute function kit.set_slug_from_account_name();

create trigger update_slug_from_account_name before update on public.accounts
  for each row
  when (new.name is not null and new.name <> old.name and new.is_personal_account = false)
  execute function kit.set_slug_from_account_name();

-- only a session acting as the new owner joins automatically: a seeding (service) session has
-- auth.uid() null and inserts memberships itself
create or replace function kit.add_current_user_to_new_account() returns trigger
  language plpgsql security definer
  set search_path = '' as $$
begin
  if new.primary_owner_user_id = auth.uid() then
    insert into public.accounts_memberships (account_id, user_id, account_role)
    values (new.id, auth.uid(), public.get_upper_system_role());
  end if;
  return new;
end;
$$;

create trigger add_current_user_to_new_account after insert on public.accounts
  for each row when (new.is_personal_account = false)
  execute function kit.add_current_user_to_new_account();

create or replace function public.create_team_account(account_name text)
  returns public.accounts
  set search_path = '' as $$
declare
  new_account public.accounts;
begin
  if not public.is_set('enable_team_accounts') then
    raise exception 'Team accounts are not enabled';
  end if;
  insert into public.accounts (name, is_personal_account)
  values (account_name, false)
  returning * into new_account;
  return new_account;
end;
$$ language plpgsql;

grant execute on function public.create_team_account(text) to authenticated, service_role;

-- ------------------------------------------------------------------------------------------------
-- Personal account for every new auth user
-- ------------------------------------------------------------------------------------------------
create or replace function kit.setup_new_user() returns trigger
  language plpgsql security definer
  set search_path = '' as $$
declare
  user_name text;
  picture_url text;
begin
  if new.raw_user_meta_data ->> 'name' is not null then
    user_name := new.raw_user_meta_data ->> 'name';
  end if;
  if user_name is null and new.email is not null then
    user_name := split_part(new.email, '@', 1);
  end if;
  if user_name is null then
    user_name := '';
  end if;
  if new.raw_user_meta_data ->> 'avatar_url' is not null then
    picture_url := new.raw_user_meta_data ->> 'avatar_url';
  end if;

  insert into public.accounts (id, primary_owner_user_id, name, is_personal_account, picture_url, email)
  values (new.id, new.id, user_name, true, picture_url, new.email);

  return new;
end;
$$;

create trigger on_auth_user_created after insert on auth.users
  for each row execute procedure kit.setup_new_user();

create or replace function kit.handle_update_user_email() returns trigger
  language plpgsql security definer
  set search_path = '' as $$
begin
  update public.accounts
  set email = new.email
  where primary_owner_user_id = new.id and is_personal_account = true;
  return new;
end;
$$;

create trigger on_auth_user_updated after update of email on auth.users
  for each row execute procedure kit.handle_update_user_email();

-- ------------------------------------------------------------------------------------------------
-- Invitations
-- ------------------------------------------------------------------------------------------------
create table public.invitations (
  id serial primary key,
  email varchar(255) not null,
  account_id uuid references public.accounts (id) on delete cascade not null,
  invited_by uuid references auth.users on delete cascade not null,
  role varchar(50) references public.roles (name) not null,
  invite_token varchar(255) unique not null,
  created_at timestamptz default current_timestamp not null,
  updated_at timestamptz default current_timestamp not null,
  expires_at timestamptz default current_timestamp + interval '7 days' not null,
  unique (email, account_id)
);

comment on table public.invitations is 'The invitations for an account';

revoke all on public.invitations from authenticated, service_role;
grant select, insert, update, delete on table public.invitations to authenticated, service_role;

create index ix_invitations_account_id on public.invitations (account_id);

alter table public.invitations enable row level security;

-- ------------------------------------------------------------------------------------------------
-- Billing
-- ------------------------------------------------------------------------------------------------
create table public.billing_customers (
  account_id uuid references public.accounts (id) on delete cascade not null,
  id serial primary key,
  email text,
  provider public.billing_provider not null,
  customer_id text not null,
  unique (account_id, customer_id, provider)
);

revoke all on public.billing_customers from authenticated, service_role;
grant select, insert, update, delete on table public.billing_customers to service_role;
grant select on table public.billing_customers to authenticated;

create index ix_billing_customers_account_id on public.billing_customers (account_id);

alter table public.billing_customers enable row level security;

create table public.subscriptions (
  id text not null primary key,
  account_id uuid references public.accounts (id) on delete cascade not null,
  billing_customer_id int references public.billing_customers on delete cascade not null,
  status public.subscription_status not null,
  active bool not null,
  billing_provider public.billing_provider not null,
  cancel_at_period_end bool not null,
  currency varchar(3) not null,
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp,
  period_starts_at timestamptz not null,
  period_ends_at timestamptz not null,
  trial_starts_at timestamptz,
  trial_ends_at timestamptz
);

revoke all on public.subscriptions from authenticated, service_role;
grant select, insert, update, delete on table public.subscriptions to service_role;
grant select on table public.subscriptions to authenticated;

create index ix_subscriptions_account_id on public.subscriptions (account_id);

alter table public.subscriptions enable row level security;

create table public.subscription_items (
  id varchar(255) not null primary key,
  subscription_id text references public.subscriptions (id) on delete cascade not null,
  product_id varchar(255) not null,
  variant_id varchar(255) not null,
  type public.subscription_item_type not null,
  price_amount numeric,
  quantity integer not null default 1,
  interval varchar(255) not null,
  interval_count integer not null check (interval_count > 0),
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp,
  unique (subscription_id, product_id, variant_id)
);

revoke all on public.subscription_items from authenticated, service_role;
grant select, insert, update, delete on table public.subscription_items to service_role;
grant select on table public.subscription_items to authenticated;

create index ix_subscription_items_subscription_id on public.subscription_items (subscription_id);

alter table public.subscription_items enable row level security;

create table public.orders (
  id text not null primary key,
  account_id uuid references public.accounts (id) on delete cascade not null,
  billing_customer_id int references public.billing_customers on delete cascade not null,
  status public.payment_status not null,
  billing_provider public.billing_provider not null,
  total_amount numeric not null,
  currency varchar(3) not null,
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);

revoke all on public.orders from authenticated, service_role;
grant select, insert, update, delete on table public.orders to service_role;
grant select on table public.orders to authenticated;

create index ix_orders_account_id on public.orders (account_id);

alter table public.orders enable row level security;

create table public.order_items (
  id text not null primary key,
  order_id text references public.orders (id) on delete cascade not null,
  product_id text not null,
  variant_id text not null,
  price_amount numeric,
  quantity integer not null default 1,
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp,
  unique (order_id, product_id, variant_id)
);

revoke all on public.order_items from authenticated, service_role;
grant select, insert, update, delete on table public.order_items to service_role;
grant select on table public.order_items to authenticated;

alter table public.order_items enable row level security;

-- ------------------------------------------------------------------------------------------------
-- Notifications
-- ------------------------------------------------------------------------------------------------
create table public.notifications (
  id bigint generated always as identity primary key,
  account_id uuid not null references public.accounts (id) on delete cascade,
  type public.notification_type not null default 'info',
  body varchar(5000) not null,
  link varchar(255),
  channel public.notification_channel not null default 'in_app',
  dismissed boolean not null default false,
  expires_at timestamptz default (now() + interval '1 month'),
  created_at timestamptz not null default now()
);

revoke all on public.notifications from authenticated, service_role;
grant select, delete on table public.notifications to authenticated;
grant update (dismissed) on table public.notifications to authenticated;
grant select, insert, update, delete on table public.notifications to service_role;

create index idx_notifications_account_dismissed on public.notifications (account_id, dismissed, expires_at);

alter table public.notifications enable row level security;

-- ------------------------------------------------------------------------------------------------
-- Member management
-- ------------------------------------------------------------------------------------------------
create or replace function public.can_action_account_member(target_team_account_id uuid, target_user_id uuid)
  returns boolean
  set search_path = '' as $$
declare
  permission_granted boolean;
  target_user_hierarchy_level int;
  current_user_hierarchy_level int;
  target_is_owner boolean;
begin
  if target_user_id = auth.uid() then
    raise exception 'You cannot update your own account membership with this function';
  end if;
  if public.is_account_owner(target_team_account_id) then
    return true;
  end if;
  select exists (
    select 1 from public.accounts
    where id = target_team_account_id and primary_owner_user_id = target_user_id
  ) into target_is_owner;
  if target_is_owner then
    raise exception 'The primary account owner cannot be actioned';
  end if;
  select public.has_permission(auth.uid(), target_team_account_id, 'members.manage'::public.app_permissions)
    into permission_granted;
  if not permission_granted then
    raise exception 'You do not have permission to action a member from this account';
  end if;
  select r.hierarchy_level into target_user_hierarchy_level
  from public.accounts_memberships am join public.roles r on am.account_role = r.name
  where am.account_id = target_team_account_id and am.user_id = target_user_id;
  select r.hierarchy_level into current_user_hierarchy_level
  from public.accounts_memberships am join public.roles r on am.account_role = r.name
  where am.account_id = target_team_account_id and am.user_id = auth.uid();
  if target_user_hierarchy_level is null then
    raise exception 'The target user does not have a role on the account';
  end if;
  if current_user_hierarchy_level is null then
    raise exception 'The current user does not have a role on the account';
  end if;
  -- a lower level is a higher rank: only strictly higher ranks may action a member
  if current_user_hierarchy_level >= target_user_hierarchy_level then
    raise exception 'You do not have permission to action a member from this account';
  end if;
  return true;
end;
$$ language plpgsql;

grant execute on function public.can_action_account_member(uuid, uuid) to authenticated, service_role;

-- ------------------------------------------------------------------------------------------------
-- RLS policies
-- ------------------------------------------------------------------------------------------------
-- accounts: the primary owner, members of the account, and team mates of a personal account's owner
create policy accounts_read on public.accounts for select to authenticated using (
  (select auth.uid()) = primary_owner_user_id
  or public.has_role_on_account(id)
  or public.is_account_team_member(id)
);

create policy accounts_self_update on public.accounts for update to authenticated
  using ((select auth.uid()) = primary_owner_user_id)
  with check ((select auth.uid()) = primary_owner_user_id);

create policy create_org_account on public.accounts for insert to authenticated with check (
  public.is_set('enable_team_accounts') and is_personal_account = false
);

create policy roles_read on public.roles for select to authenticated using (true);

create policy accounts_memberships_read on public.accounts_memberships for select to authenticated using (
  ((select auth.uid()) = user_id) or public.is_team_member(account_id, user_id)
);

create policy accounts_memberships_delete on public.accounts_memberships for delete to authenticated using (
  user_id = (select auth.uid()) or public.can_action_account_member(account_id, user_id)
);

create policy role_permissions_read on public.role_permissions for select to authenticated using (true);

create policy invitations_read_self on public.invitations for select to authenticated using (
  public.has_role_on_account(account_id)
);

create policy invitations_create_self on public.invitations for insert to authenticated with check (
  public.is_set('enable_team_accounts')
  and public.has_permission((select auth.uid()), account_id, 'invites.manage'::public.app_permissions)
);

create policy invitations_delete on public.invitations for delete to authenticated using (
  public.has_role_on_account(account_id)
  and public.has_permission((select auth.uid()), account_id, 'invites.manage'::public.app_permissions)
);

create policy billing_customers_read_self on public.billing_customers for select to authenticated using (
  account_id = (select auth.uid()) or public.has_role_on_account(account_id)
);

create policy subscriptions_read_self on public.subscriptions for select to authenticated using (
  (public.has_role_on_account(account_id) and public.is_set('enable_team_account_billing'))
  or (account_id = (select auth.uid()) and public.is_set('enable_account_billing'))
);

create policy subscription_items_read_self on public.subscription_items for select to authenticated using (
  exists (
    select 1 from public.subscriptions
    where id = subscription_id
      and (account_id = (select auth.uid()) or public.has_role_on_account(account_id))
  )
);

create policy orders_read_self on public.orders for select to authenticated using (
  (account_id = (select auth.uid()) and public.is_set('enable_account_billing'))
  or (public.has_role_on_account(account_id) and public.is_set('enable_team_account_billing'))
);

create policy order_items_read_self on public.order_items for select to authenticated using (
  exists (
    select 1 from public.orders
    where id = order_id
      and (account_id = (select auth.uid()) or public.has_role_on_account(account_id))
  )
);

create policy notifications_read_self on public.notifications for select to authenticated using (
  account_id = (select auth.uid()) or public.has_role_on_account(account_id)
);

create policy notifications_update_self on public.notifications for update to authenticated
  using (account_id = (select auth.uid()) or public.has_role_on_account(account_id));

-- ------------------------------------------------------------------------------------------------
-- Seed data the kit relies on (MakerKit ships it as a migration: 20240319163440_roles-seed.sql)
-- ------------------------------------------------------------------------------------------------
insert into public.roles (name, hierarchy_level) values ('owner', 1), ('member', 2);

insert into public.role_permissions (role, permission) values
  ('owner', 'roles.manage'),
  ('owner', 'billing.manage'),
  ('owner', 'settings.manage'),
  ('owner', 'members.manage'),
  ('owner', 'invites.manage'),
  ('member', 'settings.manage'),
  ('member', 'invites.manage');

-- ------------------------------------------------------------------------------------------------
-- Storage: account pictures (only when the storage schema is there)
-- ------------------------------------------------------------------------------------------------
do $$
begin
  if to_regclass('storage.buckets') is not null then
    insert into storage.buckets (id, name) values ('account_image', 'account_image')
    on conflict (id) do nothing;
  end if;
end;
$$;
