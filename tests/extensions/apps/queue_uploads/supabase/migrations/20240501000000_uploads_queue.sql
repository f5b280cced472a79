-- Modelled on apps that hand background work to Supabase Queues (pgmq): an upload row enqueues a
-- thumbnail job that a worker (an Edge Function) reads, then archives.
create extension if not exists pgmq;

create table public.profiles (
  id uuid primary key references auth.users on delete cascade,
  username text unique,
  plan text not null default 'free'
);
alter table public.profiles enable row level security;
create policy "profiles are visible to their owner" on public.profiles
  for select to authenticated using (id = (select auth.uid()));

create table public.uploads (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  path text not null,
  status text not null default 'queued' check (status in ('queued', 'processing', 'done')),
  created_at timestamptz not null default now()
);
alter table public.uploads enable row level security;
create policy "owners read uploads" on public.uploads
  for select to authenticated using (owner_id = (select auth.uid()));
create policy "owners add uploads" on public.uploads
  for insert to authenticated with check (owner_id = (select auth.uid()));

create function public.handle_new_user()
returns trigger language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.profiles (id, username) values (new.id, split_part(new.email, '@', 1));
  return new;
end;
$$;
create trigger on_auth_user_created after insert on auth.users
  for each row execute function public.handle_new_user();

select pgmq.create('thumbnails');

create function public.enqueue_thumbnail()
returns trigger language plpgsql security definer set search_path = ''
as $$
begin
  perform pgmq.send('thumbnails', jsonb_build_object('upload_id', new.id, 'path', new.path));
  return new;
end;
$$;
create trigger uploads_enqueue after insert on public.uploads
  for each row execute function public.enqueue_thumbnail();

-- The files themselves: a private bucket whose objects only their owner sees (Storage sets
-- storage.objects.owner to the uploading user).
insert into storage.buckets (id, name, public) values ('uploads', 'uploads', false);
create policy "owners read their files" on storage.objects for select to authenticated
  using (bucket_id = 'uploads' and owner = (select auth.uid()));
create policy "owners upload files" on storage.objects for insert to authenticated
  with check (bucket_id = 'uploads' and owner = (select auth.uid()));
