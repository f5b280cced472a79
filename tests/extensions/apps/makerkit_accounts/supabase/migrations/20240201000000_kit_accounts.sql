-- Modelled on MakerKit's Next.js Supabase kits: a private `kit` schema for internals, personal
-- accounts made on signup, memberships with roles, account-scoped data guarded by a helper
-- function, and the extensions the kit enables.
create extension if not exists "unaccent" schema extensions;

create schema if not exists kit;
grant usage on schema kit to authenticated, service_role;

create table public.config (
  enable_team_accounts boolean default true not null,
  enable_account_billing boolean default true not null
);
insert into public.config values (true, true);
alter table public.config enable row level security;
create policy "public config can be read by authenticated users" on public.config
  for select to authenticated using (true);

create table public.roles (
  name varchar(50) not null primary key,
  hierarchy_level integer not null check (hierarchy_level > 0),
  unique (hierarchy_level)
);
insert into public.roles (name, hierarchy_level) values ('owner', 1), ('member', 2);

create table public.accounts (
  id uuid unique not null default extensions.uuid_generate_v4(),
  primary_owner_user_id uuid references auth.users on delete cascade not null default auth.uid(),
  name varchar(255) not null,
  slug text unique,
  email varchar(320) unique,
  is_personal_account boolean default false not null,
  updated_at timestamp with time zone,
  created_at timestamp with time zone,
  picture_url varchar(1000),
  public_data jsonb default '{}'::jsonb not null,
  primary key (id)
);
create unique index unique_personal_account on public.accounts (primary_owner_user_id)
  where is_personal_account = true;
alter table public.accounts enable row level security;

create table public.accounts_memberships (
  user_id uuid references auth.users on delete cascade not null,
  account_id uuid references public.accounts (id) on delete cascade not null,
  account_role varchar(50) references public.roles (name) not null,
  created_at timestamptz default current_timestamp not null,
  primary key (user_id, account_id)
);
alter table public.accounts_memberships enable row level security;

create function public.has_role_on_account(account_id uuid, account_role varchar(50) default null)
returns boolean
language sql
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.accounts_memberships membership
    where membership.user_id = (select auth.uid())
      and membership.account_id = has_role_on_account.account_id
      and ((membership.account_role = has_role_on_account.account_role)
           or has_role_on_account.account_role is null));
$$;
grant execute on function public.has_role_on_account(uuid, varchar) to authenticated, service_role;

create policy accounts_read on public.accounts for select to authenticated using (
  ((select auth.uid()) = primary_owner_user_id) or public.has_role_on_account(id));
create policy accounts_self_update on public.accounts for update to authenticated
  using ((select auth.uid()) = primary_owner_user_id)
  with check ((select auth.uid()) = primary_owner_user_id);
create policy accounts_memberships_read on public.accounts_memberships for select to authenticated
  using ((select auth.uid()) = user_id or public.has_role_on_account(account_id));

create function kit.setup_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  user_name text;
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
  insert into public.accounts (id, primary_owner_user_id, name, is_personal_account, email,
                               created_at)
  values (new.id, new.id, user_name, true, new.email, now());
  insert into public.accounts_memberships (user_id, account_id, account_role)
  values (new.id, new.id, 'owner');
  return new;
end;
$$;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute procedure kit.setup_new_user();

create table public.notes (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  title text not null,
  body text,
  created_at timestamptz not null default now()
);
alter table public.notes enable row level security;
create policy notes_read on public.notes for select to authenticated
  using (public.has_role_on_account(account_id));
create policy notes_write on public.notes for insert to authenticated
  with check (public.has_role_on_account(account_id));

create table public.invitations (
  id serial primary key,
  email varchar(255) not null,
  account_id uuid references public.accounts (id) on delete cascade not null,
  invited_by uuid references auth.users on delete cascade not null,
  role varchar(50) references public.roles (name) not null,
  invite_token varchar(255) unique not null,
  created_at timestamptz default current_timestamp not null,
  expires_at timestamptz default current_timestamp + interval '7 days' not null,
  unique (email, account_id)
);
alter table public.invitations enable row level security;
create policy invitations_read_self on public.invitations for select to authenticated
  using (public.has_role_on_account(account_id));
