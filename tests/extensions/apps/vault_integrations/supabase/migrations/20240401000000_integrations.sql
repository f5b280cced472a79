-- Modelled on apps that keep users' third-party tokens (OAuth, API keys) in Supabase Vault and
-- hand them out only through security definer functions.
create extension if not exists supabase_vault with schema vault;

create table public.users (
  id uuid primary key references auth.users on delete cascade,
  display_name text,
  created_at timestamptz not null default now()
);
alter table public.users enable row level security;
create policy "Users see themselves" on public.users for select to authenticated
  using (id = (select auth.uid()));

create table public.integrations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade default auth.uid(),
  provider text not null check (provider in ('github', 'google', 'slack')),
  secret_id uuid not null,
  created_at timestamptz not null default now(),
  unique (user_id, provider)
);
alter table public.integrations enable row level security;
create policy "Owners see their integrations" on public.integrations for select to authenticated
  using (user_id = (select auth.uid()));
create policy "Owners remove their integrations" on public.integrations for delete to authenticated
  using (user_id = (select auth.uid()));

create function public.handle_new_user()
returns trigger language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.users (id, display_name)
  values (new.id, coalesce(new.raw_user_meta_data ->> 'name', split_part(new.email, '@', 1)));
  return new;
end;
$$;
create trigger on_auth_user_created after insert on auth.users
  for each row execute function public.handle_new_user();

create function public.save_integration_token(p_provider text, p_token text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  new_secret uuid;
  row_id uuid;
begin
  if auth.uid() is null then
    raise exception 'not signed in';
  end if;
  new_secret := vault.create_secret(p_token, auth.uid() || ':' || p_provider,
                                    p_provider || ' token');
  insert into public.integrations (user_id, provider, secret_id)
  values (auth.uid(), p_provider, new_secret)
  returning id into row_id;
  return row_id;
end;
$$;
revoke all on function public.save_integration_token(text, text) from public, anon;
grant execute on function public.save_integration_token(text, text) to authenticated;

create function public.integration_token(p_provider text)
returns text
language sql
security definer
set search_path = ''
as $$
  select s.decrypted_secret
  from public.integrations i join vault.decrypted_secrets s on s.id = i.secret_id
  where i.user_id = auth.uid() and i.provider = p_provider
$$;
revoke all on function public.integration_token(text) from public, anon;
grant execute on function public.integration_token(text) to authenticated;
