-- ---------------------------------------------------------------------------------------------
-- RFM (docs/rfm.md)
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.rfm(
    -- The type customer_id comes back in, given as a NULL of it (as in jsonb_populate_record):
    -- NULL::bigint for integer ids, NULL::text, NULL::uuid (docs/rfm.md, "Id types").
    id_type      anyelement,
    orders_sql   text,
    as_of        timestamptz DEFAULT NULL,
    bins         integer DEFAULT 5,
    method       text DEFAULT 'quantile',
    segments_sql text DEFAULT NULL,
    monetary     text DEFAULT 'total',
    r_breaks     double precision[] DEFAULT NULL,
    f_breaks     double precision[] DEFAULT NULL,
    m_breaks     double precision[] DEFAULT NULL)
RETURNS TABLE (
    customer_id  anyelement,
    recency_days integer,
    frequency    bigint,
    monetary     numeric,
    r_score      integer,
    f_score      integer,
    m_score      integer,
    rfm_cell     text,
    segment      text)
AS 'MODULE_PATHNAME', 'ca_rfm'
-- VOLATILE and PARALLEL UNSAFE on purpose: it runs the caller's query itself, and that inner
-- query can then use parallel workers.
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.rfm(anyelement, text, timestamptz, integer, text, text, text,
    double precision[], double precision[], double precision[]) IS
'RFM scores and segments per customer of the orders returned by orders_sql (customer_id, ordered_at, amount[, order_id])';

-- The default segment map (R package rfm's), as a query usable in segments_sql or as a starting
-- point for one's own map.
CREATE FUNCTION @extschema@.rfm_default_segments()
RETURNS TABLE (priority integer, segment text, r_min integer, r_max integer,
               f_min integer, f_max integer, m_min integer, m_max integer)
AS 'MODULE_PATHNAME', 'ca_rfm_default_segments'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.rfm_default_segments() IS
'the default RFM segment map (R package rfm''s), one rule per row in priority order';

-- Per-customer summary as an aggregate, for GROUP BY in views; parallel safe.
CREATE TYPE @extschema@.rfm_summary_result AS (
    first_order  timestamptz,
    last_order   timestamptz,
    recency_days integer,
    frequency    bigint,
    monetary     numeric);

CREATE FUNCTION @extschema@.rfm_summary_transfn(internal, timestamptz, numeric, timestamptz)
RETURNS internal AS 'MODULE_PATHNAME', 'ca_rfm_summary_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_summary_transfn(internal, timestamptz, numeric, timestamptz) IS
'transition function of the rfm_summary aggregate';

CREATE FUNCTION @extschema@.rfm_summary_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'ca_rfm_summary_combinefn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_summary_combinefn(internal, internal) IS
'combine function of the rfm_summary aggregate (parallel plans)';

CREATE FUNCTION @extschema@.rfm_summary_serialfn(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'ca_rfm_summary_serialfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_summary_serialfn(internal) IS
'serialize function of the rfm_summary aggregate (parallel plans)';

CREATE FUNCTION @extschema@.rfm_summary_deserialfn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'ca_rfm_summary_deserialfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_summary_deserialfn(bytea, internal) IS
'deserialize function of the rfm_summary aggregate (parallel plans)';

-- STABLE: recency_days counts calendar days in the session's TimeZone.
CREATE FUNCTION @extschema@.rfm_summary_finalfn(internal, timestamptz, numeric, timestamptz)
RETURNS @extschema@.rfm_summary_result AS 'MODULE_PATHNAME', 'ca_rfm_summary_finalfn'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_summary_finalfn(internal, timestamptz, numeric, timestamptz) IS
'final function of the rfm_summary aggregate';

CREATE AGGREGATE @extschema@.rfm_summary(ordered_at timestamptz, amount numeric, as_of timestamptz) (
    SFUNC = @extschema@.rfm_summary_transfn,
    STYPE = internal,
    SSPACE = 64,
    FINALFUNC = @extschema@.rfm_summary_finalfn,
    FINALFUNC_EXTRA,
    COMBINEFUNC = @extschema@.rfm_summary_combinefn,
    SERIALFUNC = @extschema@.rfm_summary_serialfn,
    DESERIALFUNC = @extschema@.rfm_summary_deserialfn,
    PARALLEL = SAFE);

COMMENT ON AGGREGATE @extschema@.rfm_summary(timestamptz, numeric, timestamptz) IS
'first and last purchase, recency in days at as_of, number of purchases and net amount of a group of orders';
