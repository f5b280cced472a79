-- What Supabase grants the API roles on schemas public and extensions
-- (supabase/postgres init-scripts 00000000000000): usage on both schemas, and default privileges so
-- that every table, sequence and function a migration creates in public is reachable by anon,
-- authenticated and service_role, with RLS deciding what they see.
-- Default privileges are recorded per creating role: the role running this install (whoever runs
-- the migrations next), postgres when it exists (the role Supabase migrations run as), and
-- supabase_admin (as on Supabase). They live in this database only; no role is altered.
-- Statement timeouts (anon 3s, authenticated 8s on Supabase) are role settings, i.e. cluster-wide:
-- they are deliberately not set, so installing never changes another database of a shared server.

grant usage on schema public to anon, authenticated, service_role;
grant usage on schema extensions to anon, authenticated, service_role;

do $defaults$
declare
    creator text;
begin
    for creator in
        select distinct r.rolname
        from pg_catalog.pg_roles r
        where r.rolname in (current_user, 'postgres', 'supabase_admin')
    loop
        execute format(
            'alter default privileges for role %I in schema public '
            'grant all on tables to anon, authenticated, service_role', creator);
        execute format(
            'alter default privileges for role %I in schema public '
            'grant all on sequences to anon, authenticated, service_role', creator);
        execute format(
            'alter default privileges for role %I in schema public '
            'grant all on functions to anon, authenticated, service_role', creator);
    end loop;
    -- On Supabase postgres is not a superuser and gets explicit rights on auth and storage; here it
    -- usually is one, and the grants are harmless, so the same migrations run either way.
    -- Storage policies and helper tables created later by migrations stay reachable as on Supabase.
    for creator in
        select distinct r.rolname
        from pg_catalog.pg_roles r
        where r.rolname in (current_user, 'postgres')
    loop
        execute format(
            'alter default privileges for role %I in schema storage '
            'grant all on tables to anon, authenticated, service_role', creator);
        execute format(
            'alter default privileges for role %I in schema storage '
            'grant all on sequences to anon, authenticated, service_role', creator);
        execute format(
            'alter default privileges for role %I in schema storage '
            'grant all on functions to anon, authenticated, service_role', creator);
    end loop;
    if exists (select from pg_catalog.pg_roles where rolname = 'postgres') then
        grant all on schema auth, storage to postgres;
        grant usage on schema extensions to postgres;
        grant all on all tables in schema auth to postgres;
        grant all on all sequences in schema auth to postgres;
        grant all on all routines in schema auth to postgres;
        grant all on all tables in schema storage to postgres;
        alter default privileges for role supabase_auth_admin in schema auth
            grant all on tables to postgres;
        alter default privileges for role supabase_auth_admin in schema auth
            grant all on sequences to postgres;
        alter default privileges for role supabase_auth_admin in schema auth
            grant all on functions to postgres;
    end if;
end
$defaults$;
