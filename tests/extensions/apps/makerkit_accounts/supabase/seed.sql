-- As MakerKit's seed.sql: database webhooks that call the app's webhook route, then a pgsodium
-- sequence reset that `supabase db dump` output carries.
create trigger "accounts_teardown" after delete
on "public"."accounts" for each row
execute function "supabase_functions"."http_request"(
  'http://host.docker.internal:3000/api/db/webhook',
  'POST',
  '{"Content-Type":"application/json", "X-Supabase-Event-Signature":"WEBHOOKSECRET"}',
  '{}',
  '5000'
);

create trigger "invitations_insert" after insert
on "public"."invitations" for each row
execute function "supabase_functions"."http_request"(
  'http://host.docker.internal:3000/api/db/webhook',
  'POST',
  '{"Content-Type":"application/json", "X-Supabase-Event-Signature":"WEBHOOKSECRET"}',
  '{}',
  '5000'
);

select pg_catalog.setval('"pgsodium"."key_key_id_seq"', 1, false);
select pg_catalog.setval('"supabase_functions"."hooks_id_seq"', 1, false);
