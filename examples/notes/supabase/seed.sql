-- One demo user (password "demo-password") with a note, as `supabase db reset` would seed it.
insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                        raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000000', '11111111-1111-1111-1111-111111111111',
        'authenticated', 'authenticated', 'demo@example.com',
        extensions.crypt('demo-password', extensions.gen_salt('bf')), now(),
        '{"provider": "email", "providers": ["email"]}', '{"username": "demo"}', now(), now());

insert into public.notes (owner_id, title, body)
values ('11111111-1111-1111-1111-111111111111', 'Welcome', 'Seeded by supabase/seed.sql.');
