-- Supabase creates an empty publication that apps extend to stream changes through Realtime
-- (`alter publication supabase_realtime add table ...` is a common migration line). Nothing reads
-- it here; it exists so those migrations apply. On a server without wal_level = logical Postgres
-- only warns that changes would not be published, which is fine for tests.
do $publication$
begin
    if not exists (select from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
        create publication supabase_realtime;
    end if;
end
$publication$;
