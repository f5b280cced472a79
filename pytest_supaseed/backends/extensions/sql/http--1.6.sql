-- http (pytest-supaseed extension pack): the types and functions of pgsql-http 1.6 in the schema
-- it is created in. http() never touches the network: it answers from
-- supaseed_http.responses (filled by a test through pytest_supaseed.testing.doubles or the
-- supaseed fixture), records every call in supaseed_http.calls, and raises a clear error for a
-- request nobody registered a response for.
\echo Use "CREATE EXTENSION http" to load this file. \quit

create domain @extschema@.http_method as text
    check (value ilike 'get' or value ilike 'post' or value ilike 'put' or value ilike 'delete'
           or value ilike 'patch' or value ilike 'head');

create domain @extschema@.content_type as text check (value ~ '^\S+\/\S+');

create type @extschema@.http_header as (field varchar, value varchar);

create type @extschema@.http_response as (
    status integer,
    content_type varchar,
    headers @extschema@.http_header[],
    content varchar
);

create type @extschema@.http_request as (
    method @extschema@.http_method,
    uri varchar,
    headers @extschema@.http_header[],
    content_type varchar,
    content varchar
);

-- The test double's own state, dropped with the extension.
create schema supaseed_http;

create table supaseed_http.responses (
    method text,  -- null: any method
    url text not null,
    status integer not null default 200,
    content_type text not null default 'application/json',
    headers jsonb not null default '{}'::jsonb,
    content text not null default ''
);
create unique index responses_method_url_idx on supaseed_http.responses (coalesce(method, ''), url);

create table supaseed_http.calls (
    id bigserial primary key,
    method text not null,
    url text not null,
    headers jsonb not null,
    content_type text,
    content text,
    called_at timestamptz not null default clock_timestamp()
);

create function @extschema@.http(request @extschema@.http_request)
returns @extschema@.http_response
language plpgsql volatile
security definer
set search_path = pg_catalog
as $$
declare
    answer supaseed_http.responses;
begin
    insert into supaseed_http.calls (method, url, headers, content_type, content)
    values (
        upper(request.method), request.uri,
        coalesce((select jsonb_object_agg(h.field, h.value) from unnest(request.headers) h),
                 '{}'::jsonb),
        request.content_type, request.content);
    select * into answer
    from supaseed_http.responses r
    where r.url = request.uri and (r.method is null or upper(r.method) = upper(request.method))
    order by r.method nulls last
    limit 1;
    if not found then
        raise exception 'http: no response registered for % % (pytest-supaseed never makes network calls)',
            upper(request.method), request.uri
            using errcode = 'feature_not_supported',
                  hint = 'Register one in the test: supaseed.http_responses["' || request.uri
                      || '"] = {"status": 200, "content": "..."} (or '
                      || 'pytest_supaseed.testing.doubles.register_http_response(conn, url, ...)).';
    end if;
    return row(
        answer.status,
        answer.content_type,
        coalesce((select array_agg(row(key, value)::@extschema@.http_header order by key)
                  from jsonb_each_text(answer.headers)),
                 array[]::@extschema@.http_header[]),
        answer.content
    )::@extschema@.http_response;
end
$$;

create function @extschema@.http_header(field varchar, value varchar)
returns @extschema@.http_header
language sql immutable
as $$ select row(field, value)::@extschema@.http_header $$;

create function @extschema@.urlencode(string bytea) returns text
language plpgsql immutable strict
as $$
declare
    out text := '';
    b integer;
begin
    for i in 0 .. length(string) - 1 loop
        b := get_byte(string, i);
        if (b between 48 and 57) or (b between 65 and 90) or (b between 97 and 122)
           or b in (45, 46, 95, 126) then
            out := out || chr(b);
        else
            out := out || '%' || upper(lpad(to_hex(b), 2, '0'));
        end if;
    end loop;
    return out;
end
$$;

create function @extschema@.urlencode(string varchar) returns text
language sql immutable strict
as $$ select @extschema@.urlencode(convert_to(string, 'UTF8')) $$;

create function @extschema@.urlencode(data jsonb) returns text
language sql immutable strict
as $$
    select string_agg(@extschema@.urlencode(key::varchar) || '=' || @extschema@.urlencode(value::varchar),
                      '&' order by key)
    from jsonb_each_text(data)
$$;

create function @extschema@.http_get(uri varchar) returns @extschema@.http_response
language sql volatile
as $$ select @extschema@.http(row('GET', uri, null, null, null)::@extschema@.http_request) $$;

create function @extschema@.http_get(uri varchar, data jsonb) returns @extschema@.http_response
language sql volatile
as $$
    select @extschema@.http(row('GET', uri || '?' || @extschema@.urlencode(data), null, null,
                                null)::@extschema@.http_request)
$$;

create function @extschema@.http_post(uri varchar, content varchar, content_type varchar)
returns @extschema@.http_response
language sql volatile
as $$
    select @extschema@.http(row('POST', uri, null, content_type, content)::@extschema@.http_request)
$$;

create function @extschema@.http_post(uri varchar, data jsonb) returns @extschema@.http_response
language sql volatile
as $$
    select @extschema@.http(row('POST', uri, null, 'application/x-www-form-urlencoded',
                                @extschema@.urlencode(data))::@extschema@.http_request)
$$;

create function @extschema@.http_put(uri varchar, content varchar, content_type varchar)
returns @extschema@.http_response
language sql volatile
as $$
    select @extschema@.http(row('PUT', uri, null, content_type, content)::@extschema@.http_request)
$$;

create function @extschema@.http_patch(uri varchar, content varchar, content_type varchar)
returns @extschema@.http_response
language sql volatile
as $$
    select @extschema@.http(row('PATCH', uri, null, content_type, content)::@extschema@.http_request)
$$;

create function @extschema@.http_delete(uri varchar) returns @extschema@.http_response
language sql volatile
as $$ select @extschema@.http(row('DELETE', uri, null, null, null)::@extschema@.http_request) $$;

create function @extschema@.http_delete(uri varchar, content varchar, content_type varchar)
returns @extschema@.http_response
language sql volatile
as $$
    select @extschema@.http(row('DELETE', uri, null, content_type, content)::@extschema@.http_request)
$$;

create function @extschema@.http_head(uri varchar) returns @extschema@.http_response
language sql volatile
as $$ select @extschema@.http(row('HEAD', uri, null, null, null)::@extschema@.http_request) $$;

create function @extschema@.http_set_curlopt(curlopt varchar, value varchar) returns boolean
language sql volatile
as $$ select true $$;

create function @extschema@.http_reset_curlopt() returns boolean
language sql volatile
as $$ select true $$;

create function @extschema@.http_list_curlopt() returns table (curlopt text, value text)
language sql volatile
as $$ select null::text, null::text where false $$;
