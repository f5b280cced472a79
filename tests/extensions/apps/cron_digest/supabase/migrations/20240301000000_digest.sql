-- Modelled on apps that call an Edge Function on a schedule: pg_cron schedules a job whose
-- command posts to the function through pg_net, with the service key read from Vault.
create extension if not exists pg_cron with schema pg_catalog;
create extension if not exists pg_net with schema extensions;

create table public.profiles (
  id uuid primary key references auth.users on delete cascade,
  email text not null,
  digest_enabled boolean not null default true,
  created_at timestamptz not null default now()
);
alter table public.profiles enable row level security;
create policy "Users read their own profile" on public.profiles
  for select to authenticated using ((select auth.uid()) = id);
create policy "Users update their own profile" on public.profiles
  for update to authenticated using ((select auth.uid()) = id);

create table public.reminders (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  title text not null,
  due_at timestamptz not null,
  sent_at timestamptz
);
alter table public.reminders enable row level security;
create policy "Users manage their own reminders" on public.reminders
  for all to authenticated
  using ((select auth.uid()) = user_id)
  with check ((select auth.uid()) = user_id);

create or replace function public.handle_new_user()
returns trigger
language plpgsql
security definer set search_path = ''
as $$
begin
  insert into public.profiles (id, email) values (new.id, coalesce(new.email, ''));
  return new;
end;
$$;
create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function public.handle_new_user();

-- Called by the cron job: one request per user with due reminders.
create or replace function public.send_reminder_digest()
returns integer
language plpgsql
security definer set search_path = ''
as $$
declare
  sent integer := 0;
  service_key text;
  r record;
begin
  select decrypted_secret into service_key
  from vault.decrypted_secrets where name = 'service_role_key';
  for r in
    select p.id, p.email, count(*) as due
    from public.profiles p join public.reminders m on m.user_id = p.id
    where p.digest_enabled and m.sent_at is null and m.due_at <= now()
    group by p.id, p.email
  loop
    perform net.http_post(
      url := 'https://project-ref.supabase.co/functions/v1/send-digest',
      body := jsonb_build_object('user_id', r.id, 'email', r.email, 'due', r.due),
      headers := jsonb_build_object('Content-Type', 'application/json',
                                    'Authorization', 'Bearer ' || coalesce(service_key, ''))
    );
    update public.reminders set sent_at = now()
    where user_id = r.id and sent_at is null and due_at <= now();
    sent := sent + 1;
  end loop;
  return sent;
end;
$$;

select cron.schedule('reminder-digest', '*/15 * * * *', $$ select public.send_reminder_digest() $$);
select cron.schedule('purge-sent-reminders', '0 3 * * *',
  $$ delete from public.reminders where sent_at < now() - interval '30 days' $$);
