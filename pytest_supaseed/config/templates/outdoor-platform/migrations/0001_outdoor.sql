-- outdoor-platform demo schema: a gear catalog, user setups made of gear, trips and media.
-- Needs the MakerKit v2 schema (public.accounts, public.has_role_on_account) applied first.

create table public.gear (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  brand text not null,
  category text not null,
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

-- The join table: which gear a setup holds (3 to 15 items in the template's plan).
create table public.setup_gear (
  setup_id uuid not null references public.setups (id) on delete cascade,
  gear_id uuid not null references public.gear (id) on delete restrict,
  quantity integer not null default 1 check (quantity > 0),
  primary key (setup_id, gear_id)
);
create index setup_gear_gear_id_idx on public.setup_gear (gear_id);

create table public.trips (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  setup_id uuid references public.setups (id) on delete set null,
  title text not null,
  location text,
  starts_on date,
  nights integer check (nights between 1 and 60),
  created_at timestamptz not null default now()
);
create index trips_account_id_idx on public.trips (account_id);

create table public.media (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  setup_id uuid references public.setups (id) on delete cascade,
  trip_id uuid references public.trips (id) on delete cascade,
  url text not null,
  width integer,
  height integer,
  created_at timestamptz not null default now()
);
create index media_account_id_idx on public.media (account_id);

-- Row level security in MakerKit's style: the catalog is public, the rest belongs to an account.
alter table public.gear enable row level security;
alter table public.setups enable row level security;
alter table public.setup_gear enable row level security;
alter table public.trips enable row level security;
alter table public.media enable row level security;

create policy gear_read on public.gear for select to anon, authenticated using (true);

create policy setups_read on public.setups for select to authenticated
  using (is_public or public.has_role_on_account (account_id));
create policy setups_write on public.setups for all to authenticated
  using (public.has_role_on_account (account_id))
  with check (public.has_role_on_account (account_id));

create policy setup_gear_read on public.setup_gear for select to authenticated
  using (exists (select 1 from public.setups s where s.id = setup_id
                 and (s.is_public or public.has_role_on_account (s.account_id))));
create policy setup_gear_write on public.setup_gear for all to authenticated
  using (exists (select 1 from public.setups s where s.id = setup_id
                 and public.has_role_on_account (s.account_id)))
  with check (exists (select 1 from public.setups s where s.id = setup_id
                      and public.has_role_on_account (s.account_id)));

create policy trips_all on public.trips for all to authenticated
  using (public.has_role_on_account (account_id))
  with check (public.has_role_on_account (account_id));

create policy media_all on public.media for all to authenticated
  using (public.has_role_on_account (account_id))
  with check (public.has_role_on_account (account_id));

grant select on public.gear to anon, authenticated;
grant select, insert, update, delete on public.setups, public.setup_gear, public.trips, public.media
  to authenticated;
grant all on public.gear, public.setups, public.setup_gear, public.trips, public.media to service_role;
