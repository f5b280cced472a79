-- supabase_functions (pytest-supaseed extension pack): the schema behind Supabase's database
-- webhooks, as the platform defines it. A webhook is a trigger
--   execute function supabase_functions.http_request(url, method, headers, params, timeout_ms)
-- that queues the request through pg_net (POST carries the row as {type, table, schema, record,
-- old_record}) and logs it in supabase_functions.hooks. pg_net is looked up when a webhook fires,
-- as on Supabase, so seed files may create webhooks before or after pg_net.
\echo Use "CREATE EXTENSION supabase_functions" to load this file. \quit

create table supabase_functions.migrations (
    version text primary key,
    inserted_at timestamptz not null default now()
);
insert into supabase_functions.migrations (version)
values ('initial'), ('20210809183423_update_grants');

create table supabase_functions.hooks (
    id bigserial primary key,
    hook_table_id integer not null,
    hook_name text not null,
    created_at timestamptz not null default now(),
    request_id bigint
);
create index supabase_functions_hooks_request_id_idx on supabase_functions.hooks (request_id);
create index supabase_functions_hooks_h_table_id_h_name_idx
    on supabase_functions.hooks (hook_table_id, hook_name);
comment on table supabase_functions.hooks is
    'Supabase Functions Hooks: Audit trail for triggered hooks.';

create function supabase_functions.http_request() returns trigger
language plpgsql
security definer
set search_path = supabase_functions
as $$
declare
    request_id bigint;
    payload jsonb;
    url text := tg_argv[0]::text;
    method text := tg_argv[1]::text;
    headers jsonb := '{}'::jsonb;
    params jsonb := '{}'::jsonb;
    timeout_ms integer := 1000;
begin
    if url is null or url = 'null' then
        raise exception 'url argument is missing';
    end if;
    if method is null or method = 'null' then
        raise exception 'method argument is missing';
    end if;
    if tg_argv[2] is null or tg_argv[2] = 'null' then
        headers := '{"Content-Type": "application/json"}'::jsonb;
    else
        headers := tg_argv[2]::jsonb;
    end if;
    if tg_argv[3] is not null and tg_argv[3] <> 'null' then
        params := tg_argv[3]::jsonb;
    end if;
    if tg_argv[4] is not null and tg_argv[4] <> 'null' then
        timeout_ms := tg_argv[4]::integer;
    end if;
    case
        when method = 'GET' then
            select net.http_get(url, params, headers, timeout_ms) into request_id;
        when method = 'POST' then
            payload := jsonb_build_object(
                'old_record', old,
                'record', new,
                'type', tg_op,
                'table', tg_table_name,
                'schema', tg_table_schema
            );
            select net.http_post(url, payload, params, headers, timeout_ms) into request_id;
        else
            raise exception 'method argument % is invalid', method;
    end case;
    insert into supabase_functions.hooks (hook_table_id, hook_name, request_id)
    values (tg_relid, tg_name, request_id);
    return new;
end
$$;

revoke all on function supabase_functions.http_request() from public;

do $grants$
begin
    if exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
        grant usage on schema supabase_functions to anon, authenticated, service_role;
        grant all on all tables in schema supabase_functions to anon, authenticated, service_role;
        grant all on all sequences in schema supabase_functions
            to anon, authenticated, service_role;
        grant execute on function supabase_functions.http_request()
            to anon, authenticated, service_role;
    end if;
    if exists (select from pg_catalog.pg_roles where rolname = 'postgres') then
        grant usage on schema supabase_functions to postgres;
        grant all on all tables in schema supabase_functions to postgres;
        grant all on all sequences in schema supabase_functions to postgres;
        grant execute on function supabase_functions.http_request() to postgres;
    end if;
end
$grants$;
