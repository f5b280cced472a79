-- realtime (pytest-supaseed extension pack): what Supabase apps use of the Realtime schema.
-- realtime.send() and realtime.broadcast_changes() write the message into realtime.messages, as
-- on Supabase (where the Realtime server then broadcasts it); nothing broadcasts here, so a test
-- reads the messages from the table. RLS is enabled on realtime.messages: an app's policies on it
-- (private channels) apply as on Supabase.
\echo Use "CREATE EXTENSION realtime" to load this file. \quit

create table realtime.messages (
    topic text not null,
    extension text not null,
    payload jsonb,
    event text,
    private boolean default false,
    updated_at timestamp without time zone not null default now(),
    inserted_at timestamp without time zone not null default now(),
    id uuid not null default gen_random_uuid(),
    primary key (id, inserted_at)
);
create index messages_inserted_at_topic_index on realtime.messages (inserted_at desc, topic)
    where extension = 'broadcast' and private is true;
alter table realtime.messages enable row level security;

create function realtime.topic() returns text
language sql stable
as $$ select nullif(pg_catalog.current_setting('realtime.topic', true), '')::text $$;

create function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
begin
    begin
        perform pg_catalog.set_config('realtime.topic', topic, true);
        insert into realtime.messages (payload, event, topic, private, extension)
        values (payload, event, topic, private, 'broadcast');
    exception when others then
        -- As on Supabase: a failed send never fails the caller's transaction.
        raise warning 'ErrorSendingBroadcastMessage: %', sqlerrm;
    end;
end
$$;

create function realtime.broadcast_changes(
    topic_name text,
    event_name text,
    operation text,
    table_name text,
    table_schema text,
    new record,
    old record,
    level text default 'ROW'
) returns void
language plpgsql
as $$
declare
    row_data jsonb := '{}'::jsonb;
begin
    if level = 'STATEMENT' then
        raise exception 'function can only be triggered for each row, not for each statement';
    end if;
    if operation = 'INSERT' or operation = 'UPDATE' or operation = 'DELETE' then
        row_data := jsonb_build_object('old_record', old, 'record', new,
                                       'operation', operation, 'table', table_name,
                                       'schema', table_schema);
        perform realtime.send(row_data, event_name, topic_name);
    else
        raise exception 'Unexpected operation type: %', operation;
    end if;
end
$$;

do $grants$
begin
    if exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
        grant usage on schema realtime to anon, authenticated, service_role;
        grant select, insert, update on realtime.messages to anon, authenticated;
        grant all on realtime.messages to service_role;
        grant execute on all functions in schema realtime to anon, authenticated, service_role;
    end if;
    if exists (select from pg_catalog.pg_roles where rolname = 'postgres') then
        grant usage on schema realtime to postgres;
        grant all on realtime.messages to postgres;
    end if;
end
$grants$;
