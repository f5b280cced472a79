-- e-commerce demo schema: products, orders with line items, reviews.
-- Self-contained on Supabase auth: the only outside reference is auth.users.

create table public.products (
  id uuid primary key default gen_random_uuid(),
  sku text not null unique,
  name text not null,
  description text,
  price_cents integer not null check (price_cents >= 0),
  currency char(3) not null default 'USD',
  stock integer not null default 0 check (stock >= 0),
  active boolean not null default true,
  created_at timestamptz not null default now()
);

create type public.order_status as enum ('pending', 'paid', 'shipped', 'delivered', 'cancelled');

create table public.orders (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  status public.order_status not null default 'pending',
  total_cents integer not null default 0 check (total_cents >= 0),
  currency char(3) not null default 'USD',
  shipping_address jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index orders_user_id_idx on public.orders (user_id);

create table public.order_items (
  id uuid primary key default gen_random_uuid(),
  order_id uuid not null references public.orders (id) on delete cascade,
  product_id uuid not null references public.products (id) on delete restrict,
  quantity integer not null check (quantity > 0),
  unit_price_cents integer not null check (unit_price_cents >= 0),
  unique (order_id, product_id)
);
create index order_items_product_id_idx on public.order_items (product_id);

create table public.reviews (
  id uuid primary key default gen_random_uuid(),
  product_id uuid not null references public.products (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  rating smallint not null check (rating between 1 and 5),
  title text,
  body text,
  created_at timestamptz not null default now(),
  unique (product_id, user_id)
);

alter table public.products enable row level security;
alter table public.orders enable row level security;
alter table public.order_items enable row level security;
alter table public.reviews enable row level security;

create policy products_read on public.products for select to anon, authenticated using (active);
create policy orders_own on public.orders for all to authenticated
  using (user_id = auth.uid ()) with check (user_id = auth.uid ());
create policy order_items_own on public.order_items for select to authenticated
  using (exists (select 1 from public.orders o where o.id = order_id and o.user_id = auth.uid ()));
create policy reviews_read on public.reviews for select to anon, authenticated using (true);
create policy reviews_own on public.reviews for all to authenticated
  using (user_id = auth.uid ()) with check (user_id = auth.uid ());

grant select on public.products, public.reviews to anon, authenticated;
grant select, insert, update, delete on public.orders, public.reviews to authenticated;
grant select on public.order_items to authenticated;
grant all on public.products, public.orders, public.order_items, public.reviews to service_role;
