-- Roles Supabase apps grant to, set, or own objects as.
-- Roles are cluster-wide while the rest of the layer is per database: two test processes may install
-- into two databases of one server at the same moment, so every role is created only when missing
-- and a concurrent creation (unique_violation / duplicate_object) counts as success.
-- A role that already exists is never altered: on a shared server it may belong to someone else.
--
-- Supabase (supabase/postgres init-scripts 00000000000000, ...01, ...02): anon and authenticated are
-- nologin noinherit, service_role is nologin noinherit bypassrls, authenticator is login noinherit and
-- a member of the three API roles. supabase_admin is a login superuser there and the two service
-- admins are login createrole; here they are nologin and unprivileged, because apps only name them
-- in grants and ownership, and a test server must not grow superusers or passwordless logins.
do $roles$
declare
    spec record;
begin
    for spec in
        select r.name, r.options
        from (values
            ('anon', 'nologin noinherit'),
            ('authenticated', 'nologin noinherit'),
            ('service_role', 'nologin noinherit bypassrls'),
            ('authenticator', 'login noinherit'),
            ('supabase_admin', 'nologin noinherit'),
            ('supabase_auth_admin', 'nologin noinherit'),
            ('supabase_storage_admin', 'nologin noinherit')
        ) as r(name, options)
    loop
        if not exists (select from pg_catalog.pg_roles where rolname = spec.name) then
            begin
                execute format('create role %I %s', spec.name, spec.options);
            exception when duplicate_object or unique_violation then
                null;  -- created a moment ago by an install into another database
            end;
        end if;
    end loop;
end
$roles$;

-- PostgREST logs in as authenticator and switches to the role of the JWT.
do $members$
declare
    api_role text;
begin
    foreach api_role in array array['anon', 'authenticated', 'service_role'] loop
        if not pg_catalog.pg_has_role('authenticator', api_role, 'member') then
            begin
                execute format('grant %I to %I', api_role, 'authenticator');
            exception when duplicate_object or unique_violation then
                null;
            end;
        end if;
    end loop;
end
$members$;
