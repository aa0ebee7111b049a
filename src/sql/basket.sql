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

CREATE FUNCTION @extschema@.association_rules(
    -- The type items come back in, as for frequent_itemsets().
    item_type      anyelement,
    items_sql      text,
    min_support    double precision,
    min_confidence double precision DEFAULT 0.5,
    min_lift       double precision DEFAULT NULL,
    max_antecedent integer DEFAULT NULL,
    max_consequent integer DEFAULT 1,
    max_size       integer DEFAULT NULL,
    per            text DEFAULT 'order')
RETURNS TABLE (
    antecedent         anyarray,
    consequent         anyarray,
    count              bigint,
    support            double precision,
    antecedent_support double precision,
    consequent_support double precision,
    confidence         double precision,
    lift               double precision,
    leverage           double precision,
    conviction         double precision,
    jaccard            double precision,
    certainty          double precision,
    kulczynski         double precision,
    zhangs_metric      double precision,
    fisher_p           double precision)
AS 'MODULE_PATHNAME', 'ca_association_rules'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.association_rules(anyelement, text, double precision, double precision, double precision, integer, integer, integer, text) IS
'association rules antecedent => consequent of the baskets of items_sql, with support, confidence, lift, leverage, conviction, jaccard, certainty, kulczynski, Zhang''s metric and the one-sided Fisher exact test p-value';

-- Mining per group (docs/basket.md, "Mining per group"): items_sql also returns group_key, and
-- each group's baskets are mined on their own. group_type and item_type are NULLs of the types
-- the group keys and the items come back in; anycompatible and anyelement resolve separately, so
-- the two need not be of one type.
CREATE FUNCTION @extschema@.frequent_itemsets_by_group(
    group_type  anycompatible,
    item_type   anyelement,
    items_sql   text,
    min_support double precision,
    max_size    integer DEFAULT NULL,
    target      text DEFAULT 'frequent',
    min_size    integer DEFAULT 1,
    per         text DEFAULT 'order')
RETURNS TABLE (
    group_key anycompatible,
    items     anyarray,
    size      integer,
    count     bigint,
    support   double precision)
AS 'MODULE_PATHNAME', 'ca_frequent_itemsets_by_group'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.frequent_itemsets_by_group(anycompatible, anyelement, text, double precision, integer, text, integer, text) IS
'frequent_itemsets() of each group_key of items_sql (order_id, item, group_key[, customer_id, quantity]) separately: each itemset with its group, size, count and support within the group';

CREATE FUNCTION @extschema@.association_rules_by_group(
    group_type     anycompatible,
    item_type      anyelement,
    items_sql      text,
    min_support    double precision,
    min_confidence double precision DEFAULT 0.5,
    min_lift       double precision DEFAULT NULL,
    max_antecedent integer DEFAULT NULL,
    max_consequent integer DEFAULT 1,
    max_size       integer DEFAULT NULL,
    per            text DEFAULT 'order')
RETURNS TABLE (
    group_key          anycompatible,
    antecedent         anyarray,
    consequent         anyarray,
    count              bigint,
    support            double precision,
    antecedent_support double precision,
    consequent_support double precision,
    confidence         double precision,
    lift               double precision,
    leverage           double precision,
    conviction         double precision,
    jaccard            double precision,
    certainty          double precision,
    kulczynski         double precision,
    zhangs_metric      double precision,
    fisher_p           double precision)
AS 'MODULE_PATHNAME', 'ca_association_rules_by_group'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.association_rules_by_group(anycompatible, anyelement, text, double precision, double precision, double precision, integer, integer, integer, text) IS
'association_rules() of each group_key of items_sql separately: each rule with its group and its measures within the group';

CREATE FUNCTION @extschema@.also_bought(
    items_sql      text,
    -- The basket to recommend for; its element type is the type items come back in.
    basket         anyarray,
    top_n          integer DEFAULT 10,
    min_support    double precision DEFAULT 0.001,
    min_confidence double precision DEFAULT 0,
    min_lift       double precision DEFAULT NULL,
    max_antecedent integer DEFAULT NULL,
    per            text DEFAULT 'order')
RETURNS TABLE (
    item       anyelement,
    antecedent anyarray,
    count      bigint,
    support    double precision,
    confidence double precision,
    lift       double precision)
AS 'MODULE_PATHNAME', 'ca_also_bought'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.also_bought(text, anyarray, integer, double precision, double precision, double precision, integer, text) IS
'the top_n items bought with basket in the baskets of items_sql: for each item not in basket its best association rule antecedent => item with the antecedent inside basket, ranked by confidence, then lift, then item';
