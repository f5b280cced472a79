-- pg_net (pytest-supaseed extension pack). The schema, queue table, types and functions of the
-- real pg_net; the background worker that would send the queued requests does not exist, so every
-- request stays in net.http_request_queue for the test to read, and no response ever arrives.
\echo Use "CREATE EXTENSION pg_net" to load this file. \quit

create schema net;

create domain net.http_method as text
    check (value ilike 'get' or value ilike 'post' or value ilike 'delete');

create type net.request_status as enum ('PENDING', 'SUCCESS', 'ERROR');

create type net.http_response as (
    status_code integer,
    headers jsonb,
    body text
);

create type net.http_response_result as (
    status net.request_status,
    message text,
    response net.http_response
);

create unlogged table net.http_request_queue (
    id bigserial not null,
    method net.http_method not null,
    url text not null,
    headers jsonb not null,
    body bytea,
    timeout_milliseconds integer not null
);
create index http_request_queue_id_idx on net.http_request_queue (id);

create unlogged table net._http_response (
    id bigint,
    status_code integer,
    content_type text,
    headers jsonb,
    content text,
    timed_out boolean,
    error_msg text,
    created timestamptz not null default now()
);
create index _http_response_created_idx on net._http_response (created);

-- url with params appended as an encoded query string, the way pg_net builds it.
create function net._encode_url_with_params(url text, params jsonb) returns text
language sql immutable
as $$
    select case
        when params is null or params = '{}'::jsonb then url
        else url || case when strpos(url, '?') > 0 then '&' else '?' end || (
            select string_agg(
                replace(replace(replace(replace(key, '%', '%25'), '&', '%26'), '=', '%3D'), ' ', '%20')
                || '=' ||
                replace(replace(replace(replace(value, '%', '%25'), '&', '%26'), '=', '%3D'), ' ', '%20'),
                '&' order by ord)
            from jsonb_each_text(params) with ordinality as p(key, value, ord)
        )
    end
$$;

create function net.http_get(
    url text,
    params jsonb default '{}'::jsonb,
    headers jsonb default '{}'::jsonb,
    timeout_milliseconds integer default 5000
) returns bigint
language plpgsql volatile
set search_path = net
as $$
declare
    request_id bigint;
begin
    insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
    values ('GET', net._encode_url_with_params(url, params), coalesce(headers, '{}'::jsonb),
            timeout_milliseconds)
    returning id into request_id;
    return request_id;
end
$$;

create function net.http_post(
    url text,
    body jsonb default '{}'::jsonb,
    params jsonb default '{}'::jsonb,
    headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
    timeout_milliseconds integer default 5000
) returns bigint
language plpgsql volatile
set search_path = net
as $$
declare
    request_id bigint;
    content_type text;
begin
    select value into content_type
    from jsonb_each_text(coalesce(headers, '{}'::jsonb))
    where lower(key) = 'content-type'
    limit 1;
    if body is not null and content_type is null then
        headers := coalesce(headers, '{}'::jsonb) || '{"Content-Type": "application/json"}'::jsonb;
    elsif body is not null and content_type <> 'application/json' then
        raise exception 'Content-Type header must be "application/json"';
    end if;
    insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
    values ('POST', net._encode_url_with_params(url, params), coalesce(headers, '{}'::jsonb),
            convert_to(body::text, 'UTF8'), timeout_milliseconds)
    returning id into request_id;
    return request_id;
end
$$;

create function net.http_delete(
    url text,
    params jsonb default '{}'::jsonb,
    headers jsonb default '{}'::jsonb,
    timeout_milliseconds integer default 5000
) returns bigint
language plpgsql volatile
set search_path = net
as $$
declare
    request_id bigint;
begin
    insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
    values ('DELETE', net._encode_url_with_params(url, params), coalesce(headers, '{}'::jsonb),
            timeout_milliseconds)
    returning id into request_id;
    return request_id;
end
$$;

-- No worker sends anything, so a queued request never gets a response: it stays PENDING.
create function net._http_collect_response(request_id bigint, async boolean default true)
returns net.http_response_result
language plpgsql volatile
set search_path = net
as $$
declare
    r net._http_response;
begin
    select * into r from net._http_response where id = request_id;
    if found then
        return row('SUCCESS', 'ok', row(r.status_code, r.headers, r.content)::net.http_response)
            ::net.http_response_result;
    end if;
    if not exists (select from net.http_request_queue where id = request_id) then
        return row('ERROR', 'request matching request_id not found', null)::net.http_response_result;
    end if;
    return row('PENDING',
               'request is queued: pytest-supaseed never sends pg_net requests '
               '(read them with supaseed.http_requests())',
               null)::net.http_response_result;
end
$$;

create function net.http_collect_response(request_id bigint, async boolean default true)
returns net.http_response_result
language sql volatile
as $$ select net._http_collect_response(request_id, async) $$;

create function net.worker_restart() returns boolean
language sql volatile
as $$ select true $$;

-- What Supabase does when pg_net is created (its grant_pg_net_access event trigger): the API
-- roles may queue requests; the functions run as their owner.
do $grants$
begin
    alter function net.http_get(text, jsonb, jsonb, integer) security definer;
    alter function net.http_post(text, jsonb, jsonb, jsonb, integer) security definer;
    alter function net.http_delete(text, jsonb, jsonb, integer) security definer;
    revoke all on function net.http_get(text, jsonb, jsonb, integer) from public;
    revoke all on function net.http_post(text, jsonb, jsonb, jsonb, integer) from public;
    revoke all on function net.http_delete(text, jsonb, jsonb, integer) from public;
    if exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
        grant usage on schema net to anon, authenticated, service_role;
        grant execute on function net.http_get(text, jsonb, jsonb, integer)
            to anon, authenticated, service_role;
        grant execute on function net.http_post(text, jsonb, jsonb, jsonb, integer)
            to anon, authenticated, service_role;
        grant execute on function net.http_delete(text, jsonb, jsonb, integer)
            to anon, authenticated, service_role;
    end if;
    if exists (select from pg_catalog.pg_roles where rolname = 'postgres') then
        grant usage on schema net to postgres;
        grant execute on function net.http_get(text, jsonb, jsonb, integer) to postgres;
        grant execute on function net.http_post(text, jsonb, jsonb, jsonb, integer) to postgres;
        grant execute on function net.http_delete(text, jsonb, jsonb, integer) to postgres;
    end if;
end
$grants$;
