-- The outdoor platform: a public gear catalogue, setups (kits of gear) and trip reports owned by
-- accounts, and media (setup photos). RLS in MakerKit's style: what an account owns, its owner and
-- members see; a setup can be made public; the catalogue is read-only for everyone.

-- Reference data, read-only for clients through grants alone: no RLS on purpose (the seed report's
-- RLS matrix flags it; tests/test_rls.py checks the grants). Supabase grants every role all
-- privileges on new tables of public by default, so the writes must be revoked explicitly.
create table public.gear_categories (
  slug text primary key,
  label text not null,
  sort_order int not null unique
);
insert into public.gear_categories (slug, label, sort_order) values
  ('shelter', 'Shelter', 1), ('sleep', 'Sleep system', 2), ('kitchen', 'Kitchen', 3),
  ('packs', 'Packs', 4), ('clothing', 'Clothing', 5), ('water', 'Water', 6),
  ('safety', 'Safety', 7), ('electronics', 'Electronics', 8), ('accessories', 'Accessories', 9);
revoke insert, update, delete, truncate on public.gear_categories from anon, authenticated;
grant select on public.gear_categories to anon, authenticated;
grant all on public.gear_categories to service_role;

create table public.gear (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  brand text not null,
  category text not null check (category in ('shelter', 'sleep', 'kitchen', 'packs', 'clothing',
                                               'water', 'safety', 'electronics', 'accessories')),
  weight_grams integer check (weight_grams is null or weight_grams > 0),
  price_cents integer check (price_cents is null or price_cents >= 0),
  description text,
  created_at timestamptz not null default now(),
  unique (brand, name)
);

create table public.setups (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  name text not null,
  description text,
  is_public boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index setups_account_id_idx on public.setups (account_id);

create table public.setup_gear (
  setup_id uuid not null references public.setups (id) on delete cascade,
  gear_id uuid not null references public.gear (id) on delete restrict,
  quantity integer not null default 1 check (quantity between 1 and 4),
  primary key (setup_id, gear_id)
);
create index setup_gear_gear_id_idx on public.setup_gear (gear_id);

create type public.activity as enum ('hiking', 'climbing', 'paddling', 'skiing');

create table public.trips (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  setup_id uuid references public.setups (id) on delete set null,
  title text not null,
  slug text not null check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  body text not null default '',
  read_minutes integer not null default 1 check (read_minutes > 0),
  activity public.activity not null,
  location text,
  starts_on date,
  nights integer check (nights between 0 and 60),
  created_at timestamptz not null default now(),
  unique (account_id, slug)
);
create index trips_account_id_idx on public.trips (account_id);

create table public.media (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  setup_id uuid references public.setups (id) on delete cascade,
  trip_id uuid references public.trips (id) on delete cascade,
  url text not null,
  width integer check (width > 0),
  height integer check (height > 0),
  created_at timestamptz not null default now()
);
create index media_account_id_idx on public.media (account_id);

alter table public.gear enable row level security;
alter table public.setups enable row level security;
alter table public.setup_gear enable row level security;
alter table public.trips enable row level security;
alter table public.media enable row level security;

-- The catalogue: everyone reads it, only the backend (service_role) writes it.
create policy gear_read on public.gear for select to anon, authenticated using (true);

-- Setups: public ones are readable by anyone, the others by the account's owner and members.
create policy setups_read on public.setups for select to anon, authenticated
  using (is_public or public.has_role_on_account(account_id));
create policy setups_insert on public.setups for insert to authenticated
  with check (public.has_role_on_account(account_id));
create policy setups_update on public.setups for update to authenticated
  using (public.has_role_on_account(account_id)) with check (public.has_role_on_account(account_id));
create policy setups_delete on public.setups for delete to authenticated
  using (public.has_role_on_account(account_id));

create policy setup_gear_read on public.setup_gear for select to anon, authenticated
  using (exists (select 1 from public.setups s where s.id = setup_id));
create policy setup_gear_write on public.setup_gear for all to authenticated
  using (exists (select 1 from public.setups s
                 where s.id = setup_id and public.has_role_on_account(s.account_id)))
  with check (exists (select 1 from public.setups s
                      where s.id = setup_id and public.has_role_on_account(s.account_id)));

-- Trips and media: private to the account.
create policy trips_all on public.trips for all to authenticated
  using (public.has_role_on_account(account_id)) with check (public.has_role_on_account(account_id));
create policy media_all on public.media for all to authenticated
  using (public.has_role_on_account(account_id)) with check (public.has_role_on_account(account_id));

grant select on public.gear, public.setups, public.setup_gear to anon;
grant select on public.gear to authenticated;
grant select, insert, update, delete on public.setups, public.setup_gear, public.trips, public.media
  to authenticated;
grant all on public.gear, public.setups, public.setup_gear, public.trips, public.media
  to service_role;
