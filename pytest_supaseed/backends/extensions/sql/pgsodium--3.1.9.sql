-- pgsodium (pytest-supaseed extension pack): pgsodium.key and its sequence key_key_id_seq,
-- which `supabase db dump` output and kits' seed files reference (setval on the sequence). The
-- libsodium functions are not provided: Supabase Vault is the supported way to store secrets.
\echo Use "CREATE EXTENSION pgsodium" to load this file. \quit

create type pgsodium.key_status as enum ('default', 'valid', 'invalid', 'expired');
create type pgsodium.key_type as enum (
    'aead-ietf', 'aead-det', 'hmacsha512', 'hmacsha256', 'auth', 'shorthash', 'generichash',
    'kdf', 'secretbox', 'secretstream', 'stream_xchacha20'
);

create sequence pgsodium.key_key_id_seq;

create table pgsodium.key (
    id uuid primary key default gen_random_uuid(),
    status pgsodium.key_status default 'valid',
    created timestamptz not null default current_timestamp,
    expires timestamptz,
    key_type pgsodium.key_type,
    key_id bigint default nextval('pgsodium.key_key_id_seq'),
    key_context bytea default '\x7067736f6469756d'::bytea,
    name text unique,
    associated_data text default 'associated',
    raw_key bytea,
    raw_key_nonce bytea,
    parent_key uuid references pgsodium.key (id),
    comment text,
    user_data text
);
alter sequence pgsodium.key_key_id_seq owned by pgsodium.key.key_id;
comment on table pgsodium.key is 'This table holds metadata for derived keys given a key_id and key_context. The raw key is never stored.';

revoke all on pgsodium.key from public;
do $grants$
begin
    if exists (select from pg_catalog.pg_roles where rolname = 'postgres') then
        grant usage on schema pgsodium to postgres;
        grant all on pgsodium.key to postgres;
        grant all on sequence pgsodium.key_key_id_seq to postgres;
    end if;
end
$grants$;
