-- A week of schema changes.
alter table public.authors add column bio text;
alter table public.authors add column rating integer not null;
alter table public.authors drop column role;
alter table public.authors alter column country type varchar(120);
alter table public.posts drop column summary;
alter table public.posts add column cover_image text;
alter type public.post_status add value 'archived';
create table public.comments (
    id bigint generated always as identity primary key,
    post_id bigint not null references public.posts (id),
    body text not null,
    created_at timestamptz not null default now()
);
alter table public.posts add column reading_level text;
