insert into public.products (id, active, name, description)
values ('prod_hobby', true, 'Hobby', 'For side projects'), ('prod_pro', true, 'Pro', 'For teams');
insert into public.prices (id, product_id, active, unit_amount, currency, type, interval, interval_count)
values ('price_hobby_m', 'prod_hobby', true, 1000, 'usd', 'recurring', 'month', 1),
       ('price_pro_m', 'prod_pro', true, 2500, 'usd', 'recurring', 'month', 1);
