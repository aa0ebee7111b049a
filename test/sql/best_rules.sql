-- pg_temp.best_rules(rules, basket): also_bought()'s definition (docs/basket.md,
-- "Recommendations") as plain SQL over stored association_rules() rows with text items: per
-- consequent outside the basket the best rule whose antecedent lies inside it (confidence, lift,
-- the shorter antecedent, the first antecedent), then the items by confidence, lift and item.
-- Included by the regression tests with \i.
CREATE FUNCTION pg_temp.best_rules(rules regclass, basket text[])
RETURNS TABLE (item text, antecedent text[], count bigint, support float8, confidence float8, lift float8)
LANGUAGE plpgsql AS $f$
BEGIN
    RETURN QUERY EXECUTE format($q$
        SELECT item, antecedent, count, support, confidence, lift FROM (
            SELECT DISTINCT ON (r.consequent[1]) r.consequent[1] AS item, r.antecedent, r.count,
                   r.support, r.confidence, r.lift
            FROM %s r
            WHERE r.antecedent <@ $1 AND NOT r.consequent <@ $1
            ORDER BY r.consequent[1], r.confidence DESC, r.lift DESC, cardinality(r.antecedent), r.antecedent
        ) best
        ORDER BY confidence DESC, lift DESC, item$q$, rules) USING basket;
END $f$;
