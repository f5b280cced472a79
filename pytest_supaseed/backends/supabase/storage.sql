-- The tables of Supabase Storage that apps reference from SQL (bucket rows in seed files, RLS
-- policies on storage.objects), as supabase/storage migrations/tenant/* leave them today.
-- Not here: the storage API's own machinery (migrations table, prefixes, multipart uploads, search
-- functions) and the delete-protection triggers of 0050-prevent-direct-deletes: a test database is
-- cleaned by rolling back or dropping it, and those triggers would make plain `delete from
-- storage.objects` in test setup fail for no benefit. Rows written here carry no file bytes.

create schema if not exists storage;
alter schema storage owner to supabase_admin;

create type storage.buckettype as enum ('STANDARD', 'ANALYTICS');

create table storage.buckets (
    id text not null,
    name text not null,
    owner uuid,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    public boolean default false,
    avif_autodetection boolean default false,
    file_size_limit bigint,
    allowed_mime_types text[],
    owner_id text,
    type storage.buckettype not null default 'STANDARD',
    constraint buckets_pkey primary key (id)
);
comment on column storage.buckets.owner is 'Field is deprecated, use owner_id instead';
create unique index bname on storage.buckets using btree (name);

create table storage.objects (
    id uuid not null default gen_random_uuid(),
    bucket_id text,
    name text,
    owner uuid,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    last_accessed_at timestamptz default now(),
    metadata jsonb,
    path_tokens text[] generated always as (string_to_array(name, '/')) stored,
    version text,
    owner_id text,
    user_metadata jsonb,
    level integer,
    constraint objects_pkey primary key (id),
    constraint "objects_bucketId_fkey" foreign key (bucket_id) references storage.buckets (id)
);
comment on column storage.objects.owner is 'Field is deprecated, use owner_id instead';
create unique index bucketid_objname on storage.objects using btree (bucket_id, name);
create index name_prefix_search on storage.objects using btree (name text_pattern_ops);
create index idx_objects_bucket_id_name on storage.objects (bucket_id, name collate "C");

-- Storage policies are written against these helpers, e.g.
-- (storage.foldername(name))[1] = auth.uid()::text.
create function storage.foldername(name text) returns text[]
language plpgsql immutable
as $$
declare
    _parts text[];
begin
    select string_to_array(name, '/') into _parts;
    return _parts[1 : array_length(_parts, 1) - 1];
end
$$;

create function storage.filename(name text) returns text
language plpgsql immutable
as $$
declare
    _parts text[];
begin
    select string_to_array(name, '/') into _parts;
    return _parts[array_length(_parts, 1)];
end
$$;

create function storage.extension(name text) returns text
language plpgsql immutable
as $$
declare
    _parts text[];
    _filename text;
begin
    select string_to_array(name, '/') into _parts;
    select _parts[array_length(_parts, 1)] into _filename;
    return reverse(split_part(reverse(_filename), '.', 1));
end
$$;

create function storage.update_updated_at_column() returns trigger
language plpgsql
as $$
begin
    new.updated_at = now();
    return new;
end
$$;

create trigger update_objects_updated_at
    before update on storage.objects
    for each row execute function storage.update_updated_at_column();

-- Without a policy, anon and authenticated see no object and no bucket; service_role bypasses RLS.
alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

do $owner$
declare
    obj record;
begin
    for obj in
        select c.relname from pg_catalog.pg_class c
        where c.relnamespace = 'storage'::regnamespace and c.relkind = 'r'
    loop
        execute format('alter table storage.%I owner to supabase_storage_admin', obj.relname);
    end loop;
    for obj in
        select p.oid::regprocedure as signature from pg_catalog.pg_proc p
        where p.pronamespace = 'storage'::regnamespace
    loop
        execute format('alter function %s owner to supabase_storage_admin', obj.signature);
    end loop;
    alter type storage.buckettype owner to supabase_storage_admin;
end
$owner$;

-- Supabase grants the API roles everything on storage and lets RLS decide.
grant usage on schema storage to anon, authenticated, service_role;
grant all on schema storage to supabase_storage_admin;
grant all on all tables in schema storage to anon, authenticated, service_role;
grant all on all functions in schema storage to anon, authenticated, service_role;
