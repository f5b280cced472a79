-- supabase_vault (pytest-supaseed extension pack). vault.secrets holds each secret encrypted
-- (pgcrypto's pgp_sym_encrypt under a random per-database key kept in a table no API role can
-- read); vault.decrypted_secrets decrypts them for the roles that may read it. As on Supabase,
-- those are the owner (the superuser that created the extension) and postgres; anon,
-- authenticated and service_role get nothing unless a migration grants it.
\echo Use "CREATE EXTENSION supabase_vault" to load this file. \quit

create table vault._supaseed_root_key (
    only_row boolean primary key default true check (only_row),
    key text not null
);
insert into vault._supaseed_root_key (key)
values (pg_catalog.encode(@extschema:pgcrypto@.gen_random_bytes(32), 'hex'));
revoke all on vault._supaseed_root_key from public;

create function vault._crypto_aead_det_noncegen() returns bytea
language sql volatile
as $$ select @extschema:pgcrypto@.gen_random_bytes(16) $$;

create table vault.secrets (
    id uuid primary key default gen_random_uuid(),
    name text,
    description text not null default '',
    secret text not null,
    key_id uuid,
    nonce bytea default vault._crypto_aead_det_noncegen(),
    created_at timestamptz not null default current_timestamp,
    updated_at timestamptz not null default current_timestamp
);
create unique index secrets_name_idx on vault.secrets (name) where name is not null;
comment on table vault.secrets is 'Table with encrypted `secret` column for storing sensitive information on disk.';

create function vault._encrypt(plain text) returns text
language sql volatile security definer
set search_path = ''
as $$
    select pg_catalog.encode(
        @extschema:pgcrypto@.pgp_sym_encrypt(plain, (select key from vault._supaseed_root_key)),
        'base64')
$$;

create function vault._decrypt(cipher text) returns text
language sql stable security definer
set search_path = ''
as $$
    select @extschema:pgcrypto@.pgp_sym_decrypt(
        pg_catalog.decode(cipher, 'base64'), (select key from vault._supaseed_root_key))
$$;

-- Rows written straight into vault.secrets are encrypted too, as the real extension does.
create function vault._encrypt_secret() returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if tg_op = 'INSERT' or new.secret is distinct from old.secret then
        new.secret := vault._encrypt(new.secret);
    end if;
    new.updated_at := current_timestamp;
    return new;
end
$$;
create trigger secrets_encrypt_secret_trigger_secret
    before insert or update of secret on vault.secrets
    for each row execute function vault._encrypt_secret();

create view vault.decrypted_secrets as
select s.id, s.name, s.description, s.secret,
       vault._decrypt(s.secret) as decrypted_secret,
       s.key_id, s.nonce, s.created_at, s.updated_at
from vault.secrets s;

create function vault.create_secret(
    new_secret text,
    new_name text default null,
    new_description text default '',
    new_key_id uuid default null
) returns uuid
language plpgsql
set search_path = ''
as $$
declare
    rec record;
begin
    insert into vault.secrets (secret, name, description, key_id)
    values (new_secret, new_name, coalesce(new_description, ''), new_key_id)
    returning * into rec;
    return rec.id;
end
$$;

create function vault.update_secret(
    secret_id uuid,
    new_secret text default null,
    new_name text default null,
    new_description text default null,
    new_key_id uuid default null
) returns void
language plpgsql
set search_path = ''
as $$
begin
    update vault.secrets s
    set secret = coalesce(new_secret, s.secret),
        name = coalesce(new_name, s.name),
        description = coalesce(new_description, s.description),
        key_id = coalesce(new_key_id, s.key_id)
    where s.id = secret_id;
end
$$;

revoke all on vault.secrets, vault.decrypted_secrets from public;
revoke all on function vault.create_secret(text, text, text, uuid) from public;
revoke all on function vault.update_secret(uuid, text, text, text, uuid) from public;
-- vault._encrypt/_decrypt stay executable: only roles with usage on schema vault can name them,
-- and a role granted select on vault.decrypted_secrets needs them through the view.

do $grants$
begin
    if exists (select from pg_catalog.pg_roles where rolname = 'postgres') then
        grant usage on schema vault to postgres with grant option;
        grant select, insert, update, delete on vault.secrets to postgres with grant option;
        grant select on vault.decrypted_secrets to postgres with grant option;
        grant execute on function vault.create_secret(text, text, text, uuid)
            to postgres with grant option;
        grant execute on function vault.update_secret(uuid, text, text, text, uuid)
            to postgres with grant option;
    end if;
end
$grants$;
