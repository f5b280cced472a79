-- pg_cron (pytest-supaseed extension pack): schema cron with cron.job and cron.job_run_details,
-- cron.schedule / schedule_in_database / unschedule / alter_job with pg_cron's signatures and
-- checks. No scheduler runs: a test runs a job with cron.supaseed_run_job(jobid) (wrapped by
-- pytest_supaseed.testing.doubles.run_cron_job), which records the run in job_run_details as
-- pg_cron does (status 'succeeded' or 'failed', return_message, start and end times).
\echo Use "CREATE EXTENSION pg_cron" to load this file. \quit

create schema cron;

create sequence cron.jobid_seq;
create sequence cron.runid_seq;

create table cron.job (
    jobid bigint primary key default pg_catalog.nextval('cron.jobid_seq'),
    schedule text not null,
    command text not null,
    nodename text not null default 'localhost',
    nodeport integer not null
        default coalesce(pg_catalog.inet_server_port(), pg_catalog.current_setting('port')::integer),
    database text not null default pg_catalog.current_database(),
    username text not null default current_user,
    active boolean not null default true,
    jobname text,
    constraint jobname_username_uniq unique (jobname, username)
);
alter sequence cron.jobid_seq owned by cron.job.jobid;

create table cron.job_run_details (
    jobid bigint,
    runid bigint primary key default pg_catalog.nextval('cron.runid_seq'),
    job_pid integer,
    database text,
    username text,
    command text,
    status text,
    return_message text,
    start_time timestamptz,
    end_time timestamptz
);
alter sequence cron.runid_seq owned by cron.job_run_details.runid;

alter table cron.job enable row level security;
alter table cron.job_run_details enable row level security;
create policy cron_job_policy on cron.job using (username = current_user);
create policy cron_job_run_details_policy on cron.job_run_details using (username = current_user);
grant select on cron.job to public;
grant select, delete on cron.job_run_details to public;

-- pg_cron accepts five cron fields, '[1-59] seconds', or one of the @ shortcuts.
create function cron._check_schedule(schedule text) returns void
language plpgsql immutable
as $$
begin
    if schedule is null
       or not (
           schedule ~ '^\s*([0-9*/,\-a-zA-Z$]+\s+){4}[0-9*/,\-a-zA-Z$]+\s*$'
           or schedule ~ '^\s*([1-9]|[1-5][0-9])\s+seconds?\s*$'
           or schedule ~ '^\s*@(yearly|annually|monthly|weekly|daily|midnight|hourly|reboot)\s*$'
       ) then
        raise exception 'invalid schedule: %', schedule
            using hint = 'Use cron syntax (5 fields), ''[1-59] seconds'', or @daily, @hourly, ...';
    end if;
end
$$;

create function cron.schedule(schedule text, command text) returns bigint
language plpgsql
as $$
declare
    new_id bigint;
begin
    perform cron._check_schedule(schedule);
    insert into cron.job (schedule, command) values (schedule, command)
    returning jobid into new_id;
    return new_id;
end
$$;

create function cron.schedule(job_name text, schedule text, command text) returns bigint
language plpgsql
as $$
declare
    job_id bigint;
begin
    perform cron._check_schedule(schedule);
    update cron.job j set schedule = $2, command = $3, active = true
    where j.jobname = job_name and j.username = current_user
    returning j.jobid into job_id;
    if job_id is null then
        insert into cron.job (jobname, schedule, command) values (job_name, $2, $3)
        returning jobid into job_id;
    end if;
    return job_id;
end
$$;

create function cron.schedule_in_database(
    job_name text,
    schedule text,
    command text,
    database text,
    username text default null,
    active boolean default true
) returns bigint
language plpgsql
as $$
declare
    job_id bigint;
    run_as text := coalesce($5, current_user);
begin
    perform cron._check_schedule(schedule);
    if not exists (select from pg_catalog.pg_database d where d.datname = $4) then
        raise exception 'database "%" does not exist', $4;
    end if;
    update cron.job j set schedule = $2, command = $3, database = $4, active = $6
    where j.jobname = job_name and j.username = run_as
    returning j.jobid into job_id;
    if job_id is null then
        insert into cron.job (jobname, schedule, command, database, username, active)
        values (job_name, $2, $3, $4, run_as, $6)
        returning jobid into job_id;
    end if;
    return job_id;
end
$$;

create function cron.unschedule(job_id bigint) returns boolean
language plpgsql
as $$
begin
    delete from cron.job j where j.jobid = job_id;
    if not found then
        raise exception 'could not find valid entry for job %', job_id;
    end if;
    return true;
end
$$;

create function cron.unschedule(job_name text) returns boolean
language plpgsql
as $$
begin
    delete from cron.job j where j.jobname = job_name and j.username = current_user;
    if not found then
        raise exception 'could not find valid entry for job ''%''', job_name;
    end if;
    return true;
end
$$;

create function cron.alter_job(
    job_id bigint,
    schedule text default null,
    command text default null,
    database text default null,
    username text default null,
    active boolean default null
) returns void
language plpgsql
as $$
begin
    if $2 is not null then
        perform cron._check_schedule($2);
    end if;
    update cron.job j
    set schedule = coalesce($2, j.schedule),
        command = coalesce($3, j.command),
        database = coalesce($4, j.database),
        username = coalesce($5, j.username),
        active = coalesce($6, j.active)
    where j.jobid = job_id;
    if not found then
        raise exception 'Job % does not exist or you don''t own it', job_id;
    end if;
end
$$;

-- Not part of pg_cron: what the scheduler would do when the job is due, done now, once.
-- The command runs as the job's user in a subtransaction: a failing command leaves nothing
-- behind but its run record (status 'failed', the error as return_message).
create function cron.supaseed_run_job(job_id bigint) returns cron.job_run_details
language plpgsql
as $$
declare
    j cron.job;
    run cron.job_run_details;
    ok boolean := true;
    message text;
    affected bigint;
begin
    select * into j from cron.job where jobid = job_id;
    if not found then
        raise exception 'no cron job with jobid %', job_id;
    end if;
    -- cron.job travels with the database (pytest-supaseed clones template databases), so
    -- cron.job.database names the database the job was scheduled in: the job runs here, in the
    -- test's database, and the run records where it ran.
    insert into cron.job_run_details (jobid, job_pid, database, username, command, status, start_time)
    values (j.jobid, pg_catalog.pg_backend_pid(), pg_catalog.current_database(), j.username,
            j.command, 'running', pg_catalog.clock_timestamp())
    returning * into run;
    begin
        if j.username <> current_user then
            perform pg_catalog.set_config('role', j.username, true);
        end if;
        execute j.command;
        get diagnostics affected = row_count;
        message := case when affected = 1 then '1 row' else affected || ' rows' end;
        perform pg_catalog.set_config('role', 'none', true);
    exception when others then
        ok := false;
        message := sqlerrm;
    end;
    update cron.job_run_details d
    set status = case when ok then 'succeeded' else 'failed' end,
        return_message = message,
        end_time = pg_catalog.clock_timestamp()
    where d.runid = run.runid
    returning * into run;
    return run;
end
$$;
revoke all on function cron.supaseed_run_job(bigint) from public;

do $grants$
begin
    if exists (select from pg_catalog.pg_roles where rolname = 'postgres') then
        grant usage on schema cron to postgres with grant option;
        grant all on all tables in schema cron to postgres with grant option;
        grant all on all sequences in schema cron to postgres with grant option;
        grant all on all functions in schema cron to postgres with grant option;
    end if;
end
$grants$;
