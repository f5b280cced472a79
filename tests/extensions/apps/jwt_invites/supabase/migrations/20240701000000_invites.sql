-- Modelled on apps that mint signed links in the database with pgjwt (invites, magic share
-- links): extensions.sign() on creation, extensions.verify() on acceptance.
create extension if not exists pgjwt with schema extensions;

create table public.profiles (
  id uuid primary key references auth.users on delete cascade,
  email text
);
alter table public.profiles enable row level security;
create policy "own profile" on public.profiles for select to authenticated
  using (id = (select auth.uid()));

-- The caller's address as PostgREST passes it (request.headers), as rate-limiting apps read it.
create function public.client_ip() returns text
language sql stable
as $$
  select coalesce(current_setting('request.headers', true)::json ->> 'x-forwarded-for', 'unknown')
$$;

create table public.workspaces (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default auth.uid() references auth.users on delete cascade,
  name text not null,
  created_from_ip text not null default public.client_ip()
);
alter table public.workspaces enable row level security;
create policy "owners see workspaces" on public.workspaces for select to authenticated
  using (owner_id = (select auth.uid()));
create policy "owners create workspaces" on public.workspaces for insert to authenticated
  with check (owner_id = (select auth.uid()));

create table private_invite_secret (secret text not null);
insert into private_invite_secret values ('invite-signing-secret-for-tests');
revoke all on private_invite_secret from anon, authenticated, service_role;
alter table private_invite_secret enable row level security;

create function public.handle_new_user()
returns trigger language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.profiles (id, email) values (new.id, new.email);
  return new;
end;
$$;
create trigger on_auth_user_created after insert on auth.users
  for each row execute function public.handle_new_user();

create function public.create_invite(p_workspace uuid, p_email text)
returns text language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (select 1 from public.workspaces
                 where id = p_workspace and owner_id = (select auth.uid())) then
    raise exception 'only the owner can invite';
  end if;
  return extensions.sign(
    json_build_object('workspace', p_workspace, 'email', p_email,
                      'exp', extract(epoch from now() + interval '7 days')::bigint),
    (select secret from public.private_invite_secret));
end;
$$;

create function public.read_invite(p_token text)
returns json language sql security definer set search_path = ''
as $$
  select case when v.valid then v.payload else null end
  from extensions.verify(p_token, (select secret from public.private_invite_secret)) v
$$;
