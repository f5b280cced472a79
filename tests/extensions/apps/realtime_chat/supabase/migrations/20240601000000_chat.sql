-- Modelled on Supabase's Realtime chat examples: rooms with members, messages broadcast to a
-- private channel per room with realtime.broadcast_changes, and a policy on realtime.messages
-- that lets only members receive a room's topic.
create table public.profiles (
  id uuid primary key references auth.users on delete cascade,
  username text not null,
  avatar_url text
);
alter table public.profiles enable row level security;
create policy "profiles readable by signed-in users" on public.profiles
  for select to authenticated using (true);

create table public.rooms (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  created_by uuid not null default auth.uid() references auth.users on delete cascade,
  created_at timestamptz not null default now()
);
create table public.room_members (
  room_id uuid not null references public.rooms (id) on delete cascade,
  user_id uuid not null references auth.users on delete cascade,
  primary key (room_id, user_id)
);
create table public.messages (
  id bigint generated always as identity primary key,
  room_id uuid not null references public.rooms (id) on delete cascade,
  user_id uuid not null default auth.uid() references auth.users on delete cascade,
  content text not null check (length(content) between 1 and 2000),
  created_at timestamptz not null default now()
);
alter table public.rooms enable row level security;
alter table public.room_members enable row level security;
alter table public.messages enable row level security;

create function public.is_room_member(p_room uuid)
returns boolean language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.room_members
                 where room_id = p_room and user_id = (select auth.uid()))
$$;

create policy "members see rooms" on public.rooms for select to authenticated
  using (created_by = (select auth.uid()) or public.is_room_member(id));
create policy "users create rooms" on public.rooms for insert to authenticated
  with check (created_by = (select auth.uid()));
create policy "members see members" on public.room_members for select to authenticated
  using (public.is_room_member(room_id));
create policy "creators add members" on public.room_members for insert to authenticated
  with check (exists (select 1 from public.rooms r
                      where r.id = room_id and r.created_by = (select auth.uid())));
create policy "members read messages" on public.messages for select to authenticated
  using (public.is_room_member(room_id));
create policy "members post messages" on public.messages for insert to authenticated
  with check (user_id = (select auth.uid()) and public.is_room_member(room_id));

create function public.handle_new_user()
returns trigger language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.profiles (id, username)
  values (new.id, coalesce(new.raw_user_meta_data ->> 'user_name', split_part(new.email, '@', 1)));
  return new;
end;
$$;
create trigger on_auth_user_created after insert on auth.users
  for each row execute function public.handle_new_user();

create function public.broadcast_message()
returns trigger language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.broadcast_changes(
    'room:' || new.room_id::text, tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
  return null;
end;
$$;
create trigger messages_broadcast after insert on public.messages
  for each row execute function public.broadcast_message();

create policy "members receive room broadcasts" on realtime.messages
  for select to authenticated
  using (realtime.topic() like 'room:%'
         and public.is_room_member(split_part(realtime.topic(), ':', 2)::uuid));

alter publication supabase_realtime add table public.messages;
