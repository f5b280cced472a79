-- pytest-supaseed demo schema: MakerKit "lite" (makerkit/nextjs-saas-starter-kit-lite, open source).
--
-- Written for pytest-supaseed from the published facts of the kit's schema, with MakerKit's own names.
-- One table, public.accounts: personal accounts only (no is_personal_account, slug, memberships or
-- roles), created for every auth user by the trigger on_auth_user_created -> kit.new_user_created_setup.
-- Requires the Supabase layer (auth.users, auth.uid(), roles anon / authenticated / service_role,
-- extensions.uuid_generate_v4()).

create schema if not exists kit;

revoke all on schema kit from public;
grant usage on schema kit to authenticated, service_role;

-- ------------------------------------------------------------------------------------------------
-- Accounts
-- ------------------------------------------------------------------------------------------------
create table public.accounts (
  id uuid unique not null default extensions.uuid_generate_v4(),
  name varchar(255) not null,
  email varchar(320) unique,
  updated_at timestamp with time zone,
  created_at timestamp with time zone,
  created_by uuid references auth.users,
  updated_by uuid references auth.users,
  picture_url varchar(1000),
  public_data jsonb default '{}'::jsonb not null,
  primary key (id)
);

comment on table public.accounts is 'Accounts are the top level entity in the Supabase MakerKit';
comment on column public.accounts.name is 'The name of the account';
comment on column public.accounts.email is 'The email of the account. For teams, this is the email of the team (if any)';
comment on column public.accounts.picture_url is 'The picture url of the account';
comment on column public.accounts.public_data is 'The public data of the account. Use this to store any additional data that you want to store for the account';

alter table public.accounts enable row level security;

revoke all on public.accounts from authenticated, service_role;
grant select, insert, update, delete on table public.accounts to authenticated, service_role;

create policy accounts_read on public.accounts for select to authenticated
  using ((select auth.uid()) = id);

create policy accounts_update on public.accounts for update to authenticated
  using ((select auth.uid()) = id)
  with check ((select auth.uid()) = id);

create or replace function kit.protect_account_fields() returns trigger
  set search_path = '' as $$
begin
  if current_user in ('authenticated', 'anon') then
    if new.id <> old.id or new.email <> old.email then
      raise exception 'You do not have permission to update this field';
    end if;
  end if;
  return new;
end;
$$ language plpgsql;

create trigger protect_account_fields before update on public.accounts
  for each row execute function kit.protect_account_fields();

-- ------------------------------------------------------------------------------------------------
-- An account for every new auth user (account id = user id)
-- ------------------------------------------------------------------------------------------------
create or replace function kit.new_user_created_setup() returns trigger
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
  else
    picture_url := null;
  end if;

  insert into public.accounts (id, name, picture_url, email)
  values (new.id, user_name, picture_url, new.email);

  return new;
end;
$$;

create trigger on_auth_user_created after insert on auth.users
  for each row execute procedure kit.new_user_created_setup();

create or replace function kit.handle_update_user_email() returns trigger
  language plpgsql security definer
  set search_path = '' as $$
begin
  update public.accounts set email = new.email where id = new.id;
  return new;
end;
$$;

create trigger on_auth_user_updated after update of email on auth.users
  for each row execute procedure kit.handle_update_user_email();

-- ------------------------------------------------------------------------------------------------
-- Storage: account pictures, one file per user named by the user's id
-- ------------------------------------------------------------------------------------------------
create or replace function kit.get_storage_filename_as_uuid(name text) returns uuid
  set search_path = '' as $$
begin
  -- "<uuid>.png" or "<uuid>" -> the uuid
  return replace(split_part(name, '.', 1), ':', '')::uuid;
end;
$$ language plpgsql;

grant execute on function kit.get_storage_filename_as_uuid(text) to authenticated, service_role;

-- dynamic SQL: the schema stays loadable on a database without the storage schema
do $$
begin
  if to_regclass('storage.buckets') is not null then
    insert into storage.buckets (id, name) values ('account_image', 'account_image')
    on conflict (id) do nothing;
  end if;
  if to_regclass('storage.objects') is not null then
    execute $policy$
      create policy account_image on storage.objects for all using (
        bucket_id = 'account_image'
        and kit.get_storage_filename_as_uuid(name) = auth.uid()
      ) with check (
        bucket_id = 'account_image'
        and kit.get_storage_filename_as_uuid(name) = auth.uid()
      )
    $policy$;
  end if;
end;
$$;
