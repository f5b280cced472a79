-- pgmq (pytest-supaseed extension pack). Same layout and functions as pgmq 1.4: pgmq.meta lists
-- the queues; queue <q> lives in table pgmq.q_<q> and its archive in pgmq.a_<q>, both made
-- members of the extension (drop extension pgmq drops every queue). Visibility timeouts work as
-- in pgmq: read() hides a message for vt seconds and counts the read.
\echo Use "CREATE EXTENSION pgmq" to load this file. \quit

create table pgmq.meta (
    queue_name varchar unique not null,
    is_partitioned boolean not null,
    is_unlogged boolean not null,
    created_at timestamptz not null default now()
);

create type pgmq.message_record as (
    msg_id bigint,
    read_ct integer,
    enqueued_at timestamptz,
    vt timestamptz,
    message jsonb
);

create type pgmq.queue_record as (
    queue_name varchar,
    is_partitioned boolean,
    is_unlogged boolean,
    created_at timestamptz
);

create type pgmq.metrics_result as (
    queue_name text,
    queue_length bigint,
    newest_msg_age_sec integer,
    oldest_msg_age_sec integer,
    total_messages bigint,
    scrape_time timestamptz
);

create function pgmq.format_table_name(queue_name text, prefix text) returns text
language plpgsql immutable
as $$
begin
    if queue_name !~ '^[a-zA-Z0-9_-]+$' then
        raise exception 'queue name contains invalid characters: $, ;, --, or \''';
    end if;
    if length(queue_name) >= 48 then
        raise exception 'queue name is too long, maximum length is 47 characters';
    end if;
    return lower(prefix || '_' || queue_name);
end
$$;

create function pgmq._ensure_queue(queue_name text) returns void
language plpgsql
as $$
begin
    if not exists (select from pgmq.meta m where m.queue_name = lower($1)) then
        raise exception 'queue "%" does not exist', $1
            using hint = 'Create it first: select pgmq.create(''' || $1 || ''')';
    end if;
end
$$;

create function pgmq.create(queue_name text) returns void
language plpgsql
as $$
declare
    qtable text := pgmq.format_table_name(queue_name, 'q');
    atable text := pgmq.format_table_name(queue_name, 'a');
begin
    if exists (select from pgmq.meta m where m.queue_name = lower($1)) then
        return;
    end if;
    execute format(
        'create table pgmq.%I (
            msg_id bigint primary key generated always as identity,
            read_ct integer default 0 not null,
            enqueued_at timestamptz default now() not null,
            vt timestamptz not null,
            message jsonb)', qtable);
    execute format(
        'create table pgmq.%I (
            msg_id bigint primary key,
            read_ct integer default 0 not null,
            enqueued_at timestamptz default now() not null,
            archived_at timestamptz default now() not null,
            vt timestamptz not null,
            message jsonb)', atable);
    execute format('create index %I on pgmq.%I (vt asc)', qtable || '_vt_idx', qtable);
    execute format('create index %I on pgmq.%I (archived_at)', 'archived_at_idx_' || lower($1), atable);
    if exists (select from pg_catalog.pg_extension where extname = 'pgmq') then
        begin
            execute format('alter extension pgmq add table pgmq.%I', qtable);
            execute format('alter extension pgmq add table pgmq.%I', atable);
        exception when insufficient_privilege then
            null;  -- not the extension's owner: the tables stay outside it, as in pgmq
        end;
    end if;
    insert into pgmq.meta (queue_name, is_partitioned, is_unlogged)
    values (lower($1), false, false);
end
$$;

create function pgmq.drop_queue(queue_name text) returns boolean
language plpgsql
as $$
declare
    qtable text := pgmq.format_table_name(queue_name, 'q');
    atable text := pgmq.format_table_name(queue_name, 'a');
begin
    perform pgmq._ensure_queue(queue_name);
    begin
        execute format('alter extension pgmq drop table pgmq.%I', qtable);
        execute format('alter extension pgmq drop table pgmq.%I', atable);
    exception when others then
        null;
    end;
    execute format('drop table if exists pgmq.%I', qtable);
    execute format('drop table if exists pgmq.%I', atable);
    delete from pgmq.meta m where m.queue_name = lower($1);
    return true;
end
$$;

create function pgmq.send(queue_name text, msg jsonb, delay integer default 0)
returns setof bigint
language plpgsql
as $$
begin
    perform pgmq._ensure_queue(queue_name);
    return query execute format(
        'insert into pgmq.%I (vt, message) values (clock_timestamp() + make_interval(secs => $2), $1)
         returning msg_id', pgmq.format_table_name(queue_name, 'q'))
        using msg, delay;
end
$$;

create function pgmq.send_batch(queue_name text, msgs jsonb[], delay integer default 0)
returns setof bigint
language plpgsql
as $$
begin
    perform pgmq._ensure_queue(queue_name);
    return query execute format(
        'insert into pgmq.%I (vt, message)
         select clock_timestamp() + make_interval(secs => $2), m from unnest($1) with ordinality as u(m, o)
         order by o
         returning msg_id', pgmq.format_table_name(queue_name, 'q'))
        using msgs, delay;
end
$$;

create function pgmq.read(queue_name text, vt integer, qty integer)
returns setof pgmq.message_record
language plpgsql
as $$
declare
    qtable text := pgmq.format_table_name(queue_name, 'q');
begin
    perform pgmq._ensure_queue(queue_name);
    return query execute format(
        'with cte as (
             select msg_id from pgmq.%I
             where vt <= clock_timestamp()
             order by msg_id
             limit $1
             for update skip locked
         )
         update pgmq.%I m
         set vt = clock_timestamp() + make_interval(secs => $2), read_ct = m.read_ct + 1
         from cte where m.msg_id = cte.msg_id
         returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message', qtable, qtable)
        using qty, vt;
end
$$;

create function pgmq.pop(queue_name text) returns setof pgmq.message_record
language plpgsql
as $$
declare
    qtable text := pgmq.format_table_name(queue_name, 'q');
begin
    perform pgmq._ensure_queue(queue_name);
    return query execute format(
        'with cte as (
             select msg_id from pgmq.%I
             where vt <= clock_timestamp()
             order by msg_id
             limit 1
             for update skip locked
         )
         delete from pgmq.%I m using cte where m.msg_id = cte.msg_id
         returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message', qtable, qtable);
end
$$;

create function pgmq.set_vt(queue_name text, msg_id bigint, vt integer)
returns setof pgmq.message_record
language plpgsql
as $$
begin
    perform pgmq._ensure_queue(queue_name);
    return query execute format(
        'update pgmq.%I set vt = clock_timestamp() + make_interval(secs => $2)
         where msg_id = $1
         returning msg_id, read_ct, enqueued_at, vt, message',
        pgmq.format_table_name(queue_name, 'q'))
        using msg_id, vt;
end
$$;

create function pgmq.archive(queue_name text, msg_ids bigint[]) returns setof bigint
language plpgsql
as $$
begin
    perform pgmq._ensure_queue(queue_name);
    return query execute format(
        'with archived as (
             delete from pgmq.%I where msg_id = any($1)
             returning msg_id, vt, read_ct, enqueued_at, message
         )
         insert into pgmq.%I (msg_id, vt, read_ct, enqueued_at, message)
         select msg_id, vt, read_ct, enqueued_at, message from archived
         returning msg_id',
        pgmq.format_table_name(queue_name, 'q'), pgmq.format_table_name(queue_name, 'a'))
        using msg_ids;
end
$$;

create function pgmq.archive(queue_name text, msg_id bigint) returns boolean
language sql
as $$ select exists (select from pgmq.archive(queue_name, array[msg_id])) $$;

create function pgmq.delete(queue_name text, msg_ids bigint[]) returns setof bigint
language plpgsql
as $$
begin
    perform pgmq._ensure_queue(queue_name);
    return query execute format(
        'delete from pgmq.%I where msg_id = any($1) returning msg_id',
        pgmq.format_table_name(queue_name, 'q'))
        using msg_ids;
end
$$;

create function pgmq.delete(queue_name text, msg_id bigint) returns boolean
language sql
as $$ select exists (select from pgmq.delete(queue_name, array[msg_id])) $$;

create function pgmq.purge_queue(queue_name text) returns bigint
language plpgsql
as $$
declare
    deleted bigint;
begin
    perform pgmq._ensure_queue(queue_name);
    execute format('with d as (delete from pgmq.%I returning 1) select count(*) from d',
                   pgmq.format_table_name(queue_name, 'q'))
        into deleted;
    return deleted;
end
$$;

create function pgmq.metrics(queue_name text) returns pgmq.metrics_result
language plpgsql
as $$
declare
    result pgmq.metrics_result;
begin
    perform pgmq._ensure_queue(queue_name);
    execute format(
        'select $1::text,
                count(*)::bigint,
                extract(epoch from (now() - max(enqueued_at)))::integer,
                extract(epoch from (now() - min(enqueued_at)))::integer,
                (select coalesce(max(msg_id), 0) from (
                    select msg_id from pgmq.%I union all select msg_id from pgmq.%I) ids)::bigint,
                now()
         from pgmq.%I',
        pgmq.format_table_name(queue_name, 'q'), pgmq.format_table_name(queue_name, 'a'),
        pgmq.format_table_name(queue_name, 'q'))
        into result
        using lower(queue_name);
    return result;
end
$$;

create function pgmq.metrics_all() returns setof pgmq.metrics_result
language sql
as $$ select (pgmq.metrics(m.queue_name)).* from pgmq.meta m order by m.queue_name $$;

create function pgmq.list_queues() returns setof pgmq.queue_record
language sql
as $$
    select m.queue_name, m.is_partitioned, m.is_unlogged, m.created_at
    from pgmq.meta m order by m.created_at, m.queue_name
$$;

do $grants$
begin
    if exists (select from pg_catalog.pg_roles where rolname = 'postgres') then
        grant usage on schema pgmq to postgres;
        grant all on all tables in schema pgmq to postgres;
        grant execute on all functions in schema pgmq to postgres;
    end if;
end
$grants$;
