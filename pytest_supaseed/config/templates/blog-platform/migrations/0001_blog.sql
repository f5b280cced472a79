-- blog-platform demo schema: authors (a profile of an account) and their posts.
-- Needs the MakerKit v2 schema (public.accounts, public.has_role_on_account) applied first.

create table public.authors (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null unique references public.accounts (id) on delete cascade,
  display_name text not null,
  bio text,
  avatar_url text,
  created_at timestamptz not null default now()
);

create table public.posts (
  id uuid primary key default gen_random_uuid(),
  author_id uuid not null references public.authors (id) on delete cascade,
  title text not null,
  slug text not null unique,
  summary text,
  body text not null default '',
  tags text[] not null default '{}',
  published_at timestamptz,
  created_at timestamptz not null default now()
);
create index posts_author_id_idx on public.posts (author_id);
create index posts_published_at_idx on public.posts (published_at desc);

alter table public.authors enable row level security;
alter table public.posts enable row level security;

create policy authors_read on public.authors for select to anon, authenticated using (true);
create policy authors_write on public.authors for all to authenticated
  using (public.has_role_on_account (account_id))
  with check (public.has_role_on_account (account_id));

-- Published posts are public; drafts only for the author's account.
create policy posts_read on public.posts for select to anon, authenticated
  using (published_at is not null and published_at <= now()
         or exists (select 1 from public.authors a where a.id = author_id
                    and public.has_role_on_account (a.account_id)));
create policy posts_write on public.posts for all to authenticated
  using (exists (select 1 from public.authors a where a.id = author_id
                 and public.has_role_on_account (a.account_id)))
  with check (exists (select 1 from public.authors a where a.id = author_id
                      and public.has_role_on_account (a.account_id)));

grant select on public.authors, public.posts to anon, authenticated;
grant insert, update, delete on public.authors, public.posts to authenticated;
grant all on public.authors, public.posts to service_role;
