-- The blog as it was when supaseed.schema.json was taken.
create type public.post_status as enum ('draft', 'published');

create table public.authors (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    country varchar(40),
    role varchar(20) not null
);

create table public.posts (
    id bigint generated always as identity primary key,
    author_id uuid not null references public.authors (id),
    title varchar(120) not null,
    slug text not null unique,
    body text,
    summary text,
    status public.post_status not null default 'draft'
);
