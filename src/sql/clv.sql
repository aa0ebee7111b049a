
-- ---------------------------------------------------------------------------------------------
-- Customer lifetime value: BG/NBD, Pareto/NBD, Gamma-Gamma (docs/clv.md)
-- ---------------------------------------------------------------------------------------------

-- Fitted models: the parameters, then how the fit went. A model is a plain value: store it in a
-- table and pass it to the prediction functions.
CREATE TYPE @extschema@.bgnbd_model AS (
    r double precision, alpha double precision, a double precision, b double precision,
    log_likelihood double precision, customers bigint, evaluations integer, converged boolean,
    status text);
CREATE TYPE @extschema@.pareto_nbd_model AS (
    r double precision, alpha double precision, s double precision, beta double precision,
    log_likelihood double precision, customers bigint, evaluations integer, converged boolean,
    status text);
CREATE TYPE @extschema@.gamma_gamma_model AS (
    p double precision, q double precision, gamma double precision,
    log_likelihood double precision, customers bigint, evaluations integer, converged boolean,
    status text);
COMMENT ON TYPE @extschema@.bgnbd_model IS
'a fitted BG/NBD model (bgnbd_fit): r, alpha, a, b, the total log-likelihood, the customers fitted, likelihood evaluations, converged, and why not';
COMMENT ON TYPE @extschema@.pareto_nbd_model IS
'a fitted Pareto/NBD model (pareto_nbd_fit): r, alpha, s, beta, the total log-likelihood, the customers fitted, likelihood evaluations, converged, and why not';
COMMENT ON TYPE @extschema@.gamma_gamma_model IS
'a fitted Gamma-Gamma spend model (gamma_gamma_fit): p, q, gamma, the total log-likelihood, the repeat customers fitted, likelihood evaluations, converged, and why not';

-- Per-customer summary (frequency, recency, T, monetary) at as_of, in `unit`.
CREATE FUNCTION @extschema@.clv_summary(
    id_type    anyelement,
    orders_sql text,
    as_of      timestamptz DEFAULT NULL,
    unit       text DEFAULT 'week')
RETURNS TABLE (
    customer_id anyelement,
    frequency   bigint,
    recency     double precision,
    t           double precision,
    monetary    double precision)
AS 'MODULE_PATHNAME', 'ca_clv_summary'
-- VOLATILE and PARALLEL UNSAFE: it runs the caller's query itself (as rfm() does).
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.clv_summary(anyelement, text, timestamptz, text) IS
'per customer of orders_sql (customer_id, ordered_at, amount[, order_id]): repeat purchases, recency, age T and mean repeat spend at as_of, as BG/NBD and Gamma-Gamma read them';

-- The states of the fitting aggregates: the distinct (frequency, recency, T) with counts, and the
-- distinct (frequency, monetary) of repeat customers.
CREATE FUNCTION @extschema@.calibration_points_transfn(internal, double precision, double precision, double precision)
RETURNS internal AS 'MODULE_PATHNAME', 'ca_calibration_points_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.calibration_points_transfn(internal, double precision, double precision, double precision) IS
'transition function of bgnbd_fit and pareto_nbd_fit';
CREATE FUNCTION @extschema@.calibration_points_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'ca_calibration_points_combinefn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.calibration_points_combinefn(internal, internal) IS
'combine function of bgnbd_fit and pareto_nbd_fit (parallel plans)';
CREATE FUNCTION @extschema@.calibration_points_serialfn(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'ca_calibration_points_serialfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.calibration_points_serialfn(internal) IS
'serialize function of bgnbd_fit and pareto_nbd_fit (parallel plans)';
CREATE FUNCTION @extschema@.calibration_points_deserialfn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'ca_calibration_points_deserialfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.calibration_points_deserialfn(bytea, internal) IS
'deserialize function of bgnbd_fit and pareto_nbd_fit (parallel plans)';

CREATE FUNCTION @extschema@.spend_points_transfn(internal, double precision, double precision)
RETURNS internal AS 'MODULE_PATHNAME', 'ca_spend_points_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.spend_points_transfn(internal, double precision, double precision) IS
'transition function of gamma_gamma_fit';
CREATE FUNCTION @extschema@.spend_points_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'ca_spend_points_combinefn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.spend_points_combinefn(internal, internal) IS
'combine function of gamma_gamma_fit (parallel plans)';
CREATE FUNCTION @extschema@.spend_points_serialfn(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'ca_spend_points_serialfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.spend_points_serialfn(internal) IS
'serialize function of gamma_gamma_fit (parallel plans)';
CREATE FUNCTION @extschema@.spend_points_deserialfn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'ca_spend_points_deserialfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.spend_points_deserialfn(bytea, internal) IS
'deserialize function of gamma_gamma_fit (parallel plans)';

CREATE FUNCTION @extschema@.bgnbd_finalfn(internal)
RETURNS @extschema@.bgnbd_model AS 'MODULE_PATHNAME', 'ca_bgnbd_finalfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_finalfn(internal) IS 'final function of bgnbd_fit: the fit';
CREATE FUNCTION @extschema@.pareto_nbd_finalfn(internal)
RETURNS @extschema@.pareto_nbd_model AS 'MODULE_PATHNAME', 'ca_pareto_nbd_finalfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pareto_nbd_finalfn(internal) IS 'final function of pareto_nbd_fit: the fit';
CREATE FUNCTION @extschema@.gamma_gamma_finalfn(internal)
RETURNS @extschema@.gamma_gamma_model AS 'MODULE_PATHNAME', 'ca_gamma_gamma_finalfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gamma_gamma_finalfn(internal) IS 'final function of gamma_gamma_fit: the fit';

CREATE AGGREGATE @extschema@.bgnbd_fit(frequency double precision, recency double precision, t double precision) (
    SFUNC = @extschema@.calibration_points_transfn, STYPE = internal,
    FINALFUNC = @extschema@.bgnbd_finalfn,
    COMBINEFUNC = @extschema@.calibration_points_combinefn,
    SERIALFUNC = @extschema@.calibration_points_serialfn,
    DESERIALFUNC = @extschema@.calibration_points_deserialfn,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.bgnbd_fit(double precision, double precision, double precision) IS
'maximum-likelihood BG/NBD model (Fader, Hardie & Lee 2005) of customers'' (frequency, recency, T)';

CREATE AGGREGATE @extschema@.pareto_nbd_fit(frequency double precision, recency double precision, t double precision) (
    SFUNC = @extschema@.calibration_points_transfn, STYPE = internal,
    FINALFUNC = @extschema@.pareto_nbd_finalfn,
    COMBINEFUNC = @extschema@.calibration_points_combinefn,
    SERIALFUNC = @extschema@.calibration_points_serialfn,
    DESERIALFUNC = @extschema@.calibration_points_deserialfn,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.pareto_nbd_fit(double precision, double precision, double precision) IS
'maximum-likelihood Pareto/NBD model (Schmittlein, Morrison & Colombo 1987) of customers'' (frequency, recency, T)';

CREATE AGGREGATE @extschema@.gamma_gamma_fit(frequency double precision, monetary double precision) (
    SFUNC = @extschema@.spend_points_transfn, STYPE = internal,
    FINALFUNC = @extschema@.gamma_gamma_finalfn,
    COMBINEFUNC = @extschema@.spend_points_combinefn,
    SERIALFUNC = @extschema@.spend_points_serialfn,
    DESERIALFUNC = @extschema@.spend_points_deserialfn,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.gamma_gamma_fit(double precision, double precision) IS
'maximum-likelihood Gamma-Gamma spend model (Fader & Hardie 2013) of repeat customers'' (frequency, mean repeat spend)';

-- Predictions from a model: IMMUTABLE (pure functions of their arguments), STRICT (NULL in, NULL
-- out), PARALLEL SAFE.
CREATE FUNCTION @extschema@.bgnbd_expected_purchases(model @extschema@.bgnbd_model, t double precision,
    frequency double precision, recency double precision, age double precision)
RETURNS double precision AS 'MODULE_PATHNAME', 'ca_bgnbd_expected_purchases'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_expected_purchases(@extschema@.bgnbd_model, double precision, double precision, double precision, double precision) IS
'BG/NBD expected purchases in the next t time units of a customer with that frequency, recency and age T';
CREATE FUNCTION @extschema@.bgnbd_expected_purchases(model @extschema@.bgnbd_model, t double precision)
RETURNS double precision AS 'MODULE_PATHNAME', 'ca_bgnbd_expected_purchases_new'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_expected_purchases(@extschema@.bgnbd_model, double precision) IS
'BG/NBD expected purchases of a new customer in the t time units after the first purchase, E[X(t)]';
CREATE FUNCTION @extschema@.bgnbd_p_alive(model @extschema@.bgnbd_model,
    frequency double precision, recency double precision, age double precision)
RETURNS double precision AS 'MODULE_PATHNAME', 'ca_bgnbd_p_alive'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bgnbd_p_alive(@extschema@.bgnbd_model, double precision, double precision, double precision) IS
'BG/NBD probability that a customer with that history is still alive at its end';

CREATE FUNCTION @extschema@.pareto_nbd_expected_purchases(model @extschema@.pareto_nbd_model, t double precision,
    frequency double precision, recency double precision, age double precision)
RETURNS double precision AS 'MODULE_PATHNAME', 'ca_pareto_nbd_expected_purchases'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pareto_nbd_expected_purchases(@extschema@.pareto_nbd_model, double precision, double precision, double precision, double precision) IS
'Pareto/NBD expected purchases in the next t time units of a customer with that frequency, recency and age T';
CREATE FUNCTION @extschema@.pareto_nbd_expected_purchases(model @extschema@.pareto_nbd_model, t double precision)
RETURNS double precision AS 'MODULE_PATHNAME', 'ca_pareto_nbd_expected_purchases_new'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pareto_nbd_expected_purchases(@extschema@.pareto_nbd_model, double precision) IS
'Pareto/NBD expected purchases of a new customer in the t time units after the first purchase';
CREATE FUNCTION @extschema@.pareto_nbd_p_alive(model @extschema@.pareto_nbd_model,
    frequency double precision, recency double precision, age double precision)
RETURNS double precision AS 'MODULE_PATHNAME', 'ca_pareto_nbd_p_alive'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pareto_nbd_p_alive(@extschema@.pareto_nbd_model, double precision, double precision, double precision) IS
'Pareto/NBD probability that a customer with that history is still alive at its end';

CREATE FUNCTION @extschema@.gamma_gamma_expected_spend(model @extschema@.gamma_gamma_model,
    frequency double precision, monetary double precision)
RETURNS double precision AS 'MODULE_PATHNAME', 'ca_gamma_gamma_expected_spend'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.gamma_gamma_expected_spend(@extschema@.gamma_gamma_model, double precision, double precision) IS
'Gamma-Gamma expected value of a customer''s future purchases given frequency and mean repeat spend';

-- Discounted CLV of one customer (docs/clv.md, "CLV"): horizon periods of period_length time
-- units, discount_rate per period.
CREATE FUNCTION @extschema@.clv(model @extschema@.bgnbd_model, spend_model @extschema@.gamma_gamma_model,
    frequency double precision, recency double precision, age double precision,
    monetary double precision, horizon integer, period_length double precision,
    discount_rate double precision)
RETURNS double precision AS 'MODULE_PATHNAME', 'ca_bgnbd_clv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.bgnbd_model, @extschema@.gamma_gamma_model, double precision, double precision, double precision, double precision, integer, double precision, double precision) IS
'discounted expected value of a customer''s purchases over horizon periods (BG/NBD and Gamma-Gamma)';
CREATE FUNCTION @extschema@.clv(model @extschema@.pareto_nbd_model, spend_model @extschema@.gamma_gamma_model,
    frequency double precision, recency double precision, age double precision,
    monetary double precision, horizon integer, period_length double precision,
    discount_rate double precision)
RETURNS double precision AS 'MODULE_PATHNAME', 'ca_pareto_nbd_clv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.clv(@extschema@.pareto_nbd_model, @extschema@.gamma_gamma_model, double precision, double precision, double precision, double precision, integer, double precision, double precision) IS
'discounted expected value of a customer''s purchases over horizon periods (Pareto/NBD and Gamma-Gamma)';

-- Everything at once, per customer of orders_sql: the summary, both models fitted on these
-- customers, P(alive), expected purchases over the horizon, expected spend and CLV.
CREATE FUNCTION @extschema@.customer_lifetime_value(
    id_type       anyelement,
    orders_sql    text,
    as_of         timestamptz DEFAULT NULL,
    horizon       integer DEFAULT 12,
    discount_rate double precision DEFAULT 0.01,
    unit          text DEFAULT 'week',
    model         text DEFAULT 'bgnbd',
    period        interval DEFAULT '1 month')
RETURNS TABLE (
    customer_id        anyelement,
    frequency          bigint,
    recency            double precision,
    t                  double precision,
    monetary           double precision,
    p_alive            double precision,
    expected_purchases double precision,
    expected_spend     double precision,
    clv                double precision)
AS 'MODULE_PATHNAME', 'ca_customer_lifetime_value'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.customer_lifetime_value(anyelement, text, timestamptz, integer, double precision, text, text, interval) IS
'per customer of orders_sql: summary, P(alive), expected purchases and spend, and discounted CLV over horizon periods, from BG/NBD (or Pareto/NBD) and Gamma-Gamma fitted on the same customers';

-- Holdout evaluation (docs/clv.md): the model fitted on the calibration period (up to
-- calibration_end), against what each customer really bought up to holdout_end.
CREATE FUNCTION @extschema@.clv_holdout(
    id_type         anyelement,
    orders_sql      text,
    calibration_end timestamptz,
    holdout_end     timestamptz,
    unit            text DEFAULT 'week',
    model           text DEFAULT 'bgnbd')
RETURNS TABLE (
    customer_id        anyelement,
    frequency          bigint,
    recency            double precision,
    t                  double precision,
    monetary           double precision,
    holdout_length     double precision,
    actual_purchases   bigint,
    expected_purchases double precision)
AS 'MODULE_PATHNAME', 'ca_clv_holdout'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.clv_holdout(anyelement, text, timestamptz, timestamptz, text, text) IS
'per customer with a purchase by calibration_end: the calibration summary, purchases in the holdout period up to holdout_end, and those the model fitted on the calibration period expects';

-- The tracking table users plot: repeat purchases of the cohort per period, actual and expected.
CREATE FUNCTION @extschema@.clv_tracking(
    orders_sql      text,
    calibration_end timestamptz,
    holdout_end     timestamptz,
    unit            text DEFAULT 'week',
    model           text DEFAULT 'bgnbd')
RETURNS TABLE (
    period              integer,
    first_day           date,
    holdout             boolean,
    actual              bigint,
    expected            double precision,
    actual_cumulative   bigint,
    expected_cumulative double precision)
AS 'MODULE_PATHNAME', 'ca_clv_tracking'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.clv_tracking(text, timestamptz, timestamptz, text, text) IS
'repeat purchases per period of the customers with a purchase by calibration_end, actual and expected by the model fitted on the calibration period';
