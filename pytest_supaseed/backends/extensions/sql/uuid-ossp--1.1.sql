-- uuid-ossp written in SQL (pytest-supaseed extension pack). Same names, signatures and results
-- as the C extension: v3/v5 are RFC 4122 name-based UUIDs (equal to Python's uuid.uuid3/uuid5),
-- v4 is gen_random_uuid(), v1/v1mc are time-based with a random multicast node.
\echo Use "CREATE EXTENSION ""uuid-ossp""" to load this file. \quit

create function uuid_nil() returns uuid
language sql immutable strict parallel safe
as $$ select '00000000-0000-0000-0000-000000000000'::uuid $$;

create function uuid_ns_dns() returns uuid
language sql immutable strict parallel safe
as $$ select '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

create function uuid_ns_url() returns uuid
language sql immutable strict parallel safe
as $$ select '6ba7b811-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

create function uuid_ns_oid() returns uuid
language sql immutable strict parallel safe
as $$ select '6ba7b812-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

create function uuid_ns_x500() returns uuid
language sql immutable strict parallel safe
as $$ select '6ba7b814-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

create function uuid_generate_v4() returns uuid
language sql volatile strict parallel safe
as $$ select pg_catalog.gen_random_uuid() $$;

create function uuid_generate_v3(namespace uuid, name text) returns uuid
language sql immutable strict parallel safe
as $$
  select pg_catalog.encode(
    pg_catalog.set_byte(pg_catalog.set_byte(h, 6, (pg_catalog.get_byte(h, 6) & 15) | 48),
                        8, (pg_catalog.get_byte(h, 8) & 63) | 128),
    'hex')::uuid
  from (select pg_catalog.decode(
          pg_catalog.md5(pg_catalog.uuid_send(namespace) || pg_catalog.convert_to(name, 'UTF8')),
          'hex') as h) as hashed
$$;

create function uuid_generate_v5(namespace uuid, name text) returns uuid
language sql immutable strict parallel safe
as $$
  select pg_catalog.encode(
    pg_catalog.set_byte(pg_catalog.set_byte(h, 6, (pg_catalog.get_byte(h, 6) & 15) | 80),
                        8, (pg_catalog.get_byte(h, 8) & 63) | 128),
    'hex')::uuid
  from (
    select pg_catalog.substring(
      @extschema:pgcrypto@.digest(
        pg_catalog.uuid_send(namespace) || pg_catalog.convert_to(name, 'UTF8'), 'sha1'),
      1, 16) as h
  ) as hashed
$$;

create function uuid_generate_v1mc() returns uuid
language sql volatile strict parallel safe
as $$
  select (
    pg_catalog.lpad(pg_catalog.to_hex(ts & 4294967295), 8, '0') || '-' ||
    pg_catalog.lpad(pg_catalog.to_hex((ts >> 32) & 65535), 4, '0') || '-' ||
    pg_catalog.lpad(pg_catalog.to_hex(((ts >> 48) & 4095) | 4096), 4, '0') || '-' ||
    pg_catalog.encode(
      pg_catalog.set_byte(pg_catalog.set_byte(r, 0, (pg_catalog.get_byte(r, 0) & 63) | 128),
                          2, pg_catalog.get_byte(r, 2) | 1), 'hex')
  )::uuid
  from (
    select
      pg_catalog.floor(extract(epoch from pg_catalog.clock_timestamp()) * 10000000)::bigint
        + 122192928000000000 as ts,
      @extschema:pgcrypto@.gen_random_bytes(8) as r
  ) as parts
$$;

create function uuid_generate_v1() returns uuid
language sql volatile strict parallel safe
as $$
  select (
    pg_catalog.lpad(pg_catalog.to_hex(ts & 4294967295), 8, '0') || '-' ||
    pg_catalog.lpad(pg_catalog.to_hex((ts >> 32) & 65535), 4, '0') || '-' ||
    pg_catalog.lpad(pg_catalog.to_hex(((ts >> 48) & 4095) | 4096), 4, '0') || '-' ||
    pg_catalog.encode(
      pg_catalog.set_byte(pg_catalog.set_byte(r, 0, (pg_catalog.get_byte(r, 0) & 63) | 128),
                          2, pg_catalog.get_byte(r, 2) | 1), 'hex')
  )::uuid
  from (
    select
      pg_catalog.floor(extract(epoch from pg_catalog.clock_timestamp()) * 10000000)::bigint
        + 122192928000000000 as ts,
      @extschema:pgcrypto@.gen_random_bytes(8) as r
  ) as parts
$$;
