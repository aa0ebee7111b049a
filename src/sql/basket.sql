-- ---------------------------------------------------------------------------------------------
-- Market basket (docs/basket.md). VOLATILE and PARALLEL UNSAFE like rfm(): they run the caller's
-- query themselves, and that query can use parallel workers.
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.frequent_itemsets(
    -- The type items come back in, given as a NULL of it (NULL::bigint, NULL::text, ...), as
    -- rfm()'s id_type (docs/rfm.md, "Id types").
    item_type   anyelement,
    items_sql   text,
    min_support double precision,
    max_size    integer DEFAULT NULL,
    target      text DEFAULT 'frequent',
    min_size    integer DEFAULT 1,
    per         text DEFAULT 'order')
RETURNS TABLE (
    items   anyarray,
    size    integer,
    count   bigint,
    support double precision)
AS 'MODULE_PATHNAME', 'ca_frequent_itemsets'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.frequent_itemsets(anyelement, text, double precision, integer, text, integer, text) IS
'frequent (or closed, or maximal) itemsets of the baskets of items_sql (order_id, item[, customer_id, quantity]): each with its size, count and support';
