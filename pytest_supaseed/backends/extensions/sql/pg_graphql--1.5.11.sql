-- pg_graphql (pytest-supaseed extension pack): schema graphql with graphql.resolve() and
-- graphql.comment_directive() with pg_graphql's signatures. There is no GraphQL engine here:
-- resolve raises a clear error (SQLSTATE 0A000, feature_not_supported).
\echo Use "CREATE EXTENSION pg_graphql" to load this file. \quit

create function graphql.resolve(
    query text default null,
    variables jsonb default '{}'::jsonb,
    "operationName" text default null,
    extensions jsonb default null
) returns jsonb
language plpgsql
as $$
begin
    raise exception 'pg_graphql is not available in tests: graphql.resolve() cannot run a GraphQL query on the pytest-supaseed embedded server'
        using errcode = 'feature_not_supported',
              hint = 'Test the tables and functions behind your GraphQL schema with SQL, or run the tests against a Supabase database (--supaseed-backend docker, or --supaseed-backend external with the DSN of `supabase start`).';
end
$$;

create function graphql.comment_directive(comment_ text) returns jsonb
language sql immutable
as $$
    select case
        when comment_ ~ '@graphql\((.*)\)'
        then pg_catalog.substring(comment_ from '@graphql\((.*)\)')::jsonb
        else null end
$$;

create function graphql.exception(message text) returns text
language plpgsql
as $$ begin raise exception using errcode = '22000', message = message; end $$;

do $grants$
begin
    if exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
        grant usage on schema graphql to anon, authenticated, service_role;
        grant execute on all functions in schema graphql to anon, authenticated, service_role;
    end if;
end
$grants$;
