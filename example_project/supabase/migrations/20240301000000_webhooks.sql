-- A database webhook, as the Supabase dashboard writes one: every new trip is POSTed to the app's
-- notification endpoint. In tests pg_net only queues the request (supaseed.http_requests() shows
-- it); nothing leaves the machine.
create extension if not exists pg_net with schema extensions;

create trigger trips_notify after insert on public.trips for each row
execute function supabase_functions.http_request(
  'https://outdoor.example.test/api/webhooks/trips', 'POST',
  '{"Content-Type":"application/json"}', '{}', '1000');
