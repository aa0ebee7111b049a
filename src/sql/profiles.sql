-- ---------------------------------------------------------------------------------------------
-- Buyer profiles (docs/profiles.md)
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.favourite_items(
    -- The types customer_id and item come back in, each given as a NULL of it (NULL::bigint,
    -- NULL::text, ...), as in frequent_itemsets_by_group.
    id_type   anycompatible,
    item_type anyelement,
    items_sql text,
    top_n     integer DEFAULT 3,
    by        text DEFAULT 'orders')
RETURNS TABLE (
    customer_id anycompatible,
    rank        integer,
    item        anyelement,
    orders      bigint,
    quantity    numeric,
    spend       numeric)
AS 'MODULE_PATHNAME', 'ca_favourite_items'
-- VOLATILE and PARALLEL UNSAFE: it runs the caller's query (see rfm()).
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.favourite_items(anycompatible, anyelement, text, integer, text) IS
'each customer''s top_n most bought items of items_sql (customer_id, order_id, item[, quantity, amount]), ranked by distinct orders, net quantity or net spend';

CREATE FUNCTION @extschema@.shopping_times(
    -- The type customer_id comes back in, as a NULL of it (as in rfm()).
    id_type      anyelement,
    orders_sql   text,
    time_zone    text DEFAULT NULL,
    per_customer boolean DEFAULT false)
RETURNS TABLE (
    customer_id anyelement,
    weekday     integer,
    hour        integer,
    orders      bigint,
    revenue     numeric)
AS 'MODULE_PATHNAME', 'ca_shopping_times'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.shopping_times(anyelement, text, text, boolean) IS
'the weekday (ISO, 1 = Monday) x hour histogram of the orders of orders_sql (customer_id, ordered_at, amount[, order_id]) in a time zone, for the shop or per customer';
