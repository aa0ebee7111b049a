// ca_fuzz: calls every SQL function of customer_analytics with random and hostile arguments
// through libpq and checks, after every call, that the backend is alive, that nothing hijacked the
// extension's generated SQL or ran statements appended to an inner query, and that no error is an
// internal one (SQLSTATE class XX). Usage: ca_fuzz --help. docs/reliability_fuzz_figures.md says
// what it covers.
//
// Determinism. Every call (its session settings, statements and arguments) is drawn from one
// xoshiro256** stream seeded from --seed, before it runs, and no outcome feeds back into the
// stream: the same seed gives the same sequence of calls, and --first K replays from call K. What
// the server does with random() or TABLESAMPLE is not deterministic (each call sets setseed()
// first, which makes most of it repeatable in practice).
//
// Findings (each makes the exit status non-zero): a lost connection or "terminated by signal" in
// the server log (crash), an error of class XX, a statement that hangs past the client deadline, a
// statement that ran --overrun seconds past its statement_timeout (it did not look at interrupts),
// a function of the schema `evil` reached through search_path (hijack), the sequence fuzz_seq
// advanced by a statement appended after an inner query (injection), wrong totals of kpis() and
// cohort_retention() on inputs whose answer is known and CLV predictions that are NaN, infinite,
// negative or a probability above 1 (wrong result), and a function of the extension that no call
// reached or none of 100 calls got through (not exercised). Errors such as 57014
// (statement_timeout), 53200 (memory limit), 22023 or 42601 are normal outcomes.
#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../../tools/generator_common.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// ------------------------------------------------------------------------------------------------
// Random numbers: the data generators' xoshiro256** (tools/generator_common.hpp); integers by
// rejection, so the stream does not depend on the standard library.
class Rng {
  public:
    explicit Rng(std::uint64_t seed) : x_(seed) {}
    std::uint64_t Next() { return x_.Next(); }
    // Uniform in [0, n).
    std::uint64_t Below(std::uint64_t n) {
        if (n <= 1) return 0;
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        std::uint64_t x;
        do x = Next();
        while (x >= limit);
        return x % n;
    }
    std::int64_t Range(std::int64_t lo, std::int64_t hi) {  // inclusive
        return lo + static_cast<std::int64_t>(Below(static_cast<std::uint64_t>(hi - lo) + 1));
    }
    bool Chance(int percent) { return Below(100) < static_cast<std::uint64_t>(percent); }
    template <class T>
    const T &Pick(const std::vector<T> &v) {
        return v[Below(v.size())];
    }

  private:
    ca_tools::Xoshiro256 x_;  // the generators' stream (same seeding and output)
};

// ------------------------------------------------------------------------------------------------
// Options

struct Options {
    std::uint64_t seed = 1;
    long calls = -1;
    double seconds = -1;
    long first = 0;
    std::string conninfo;
    std::string server_log;
    std::string generator = "tools/ca_generate_orders";
    int deadline_s = 60;   // client-side: a statement longer than this is a hang
    double overrun_s = 3;  // a statement this much longer than its statement_timeout ignored it
    bool verbose = false;
    bool skip_setup = false;
};

void Usage(FILE *f) {
    std::fprintf(
        f,
        "usage: ca_fuzz [options]\n"
        "  --seed S          random seed (default 1)\n"
        "  --calls N         stop after N calls\n"
        "  --seconds S       stop after S seconds (default when no bound: 1000 calls)\n"
        "  --first K         generate calls 0..K-1 without running them (replay from K)\n"
        "  --conninfo STR    libpq connection string (default: PG* environment)\n"
        "  --server-log PATH server log to watch for crashes (default: "
        "pg_current_logfile(), when the collector runs)\n"
        "  --generator PATH  ca_generate_orders binary (default tools/ca_generate_orders)\n"
        "  --deadline S      seconds after which a statement counts as hung (default 60)\n"
        "  --overrun S       seconds past its statement_timeout after which a statement\n"
        "                    counts as not cancelled (default 3; 0: no check)\n"
        "  --skip-setup      reuse the fixture tables of an earlier run\n"
        "  --verbose         print every call and its outcome\n"
        "The server must have customer_analytics installed; the database gets fixture\n"
        "tables (fz_*), fuzz_canary, fuzz_seq and the schema evil.\n");
}

bool ParseOptions(int argc, char **argv, Options &o) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&](const char *name) -> const char * {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "ca_fuzz: %s needs a value\n", name);
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--seed")
            o.seed = std::strtoull(value("--seed"), nullptr, 10);
        else if (a == "--calls")
            o.calls = std::strtol(value("--calls"), nullptr, 10);
        else if (a == "--seconds")
            o.seconds = std::strtod(value("--seconds"), nullptr);
        else if (a == "--first")
            o.first = std::strtol(value("--first"), nullptr, 10);
        else if (a == "--conninfo")
            o.conninfo = value("--conninfo");
        else if (a == "--server-log")
            o.server_log = value("--server-log");
        else if (a == "--generator")
            o.generator = value("--generator");
        else if (a == "--deadline")
            o.deadline_s = std::atoi(value("--deadline"));
        else if (a == "--overrun")
            o.overrun_s = std::strtod(value("--overrun"), nullptr);
        else if (a == "--skip-setup")
            o.skip_setup = true;
        else if (a == "--verbose")
            o.verbose = true;
        else if (a == "--help" || a == "-h") {
            Usage(stdout);
            std::exit(0);
        } else {
            std::fprintf(stderr, "ca_fuzz: unknown option %s\n", a.c_str());
            Usage(stderr);
            return false;
        }
    }
    if (o.calls < 0 && o.seconds < 0) o.calls = 1000;
    return true;
}

// ------------------------------------------------------------------------------------------------
// SQL text helpers

// A dollar-quoted literal whose tag does not occur in s, nor ends early where s meets it.
std::string Dq(const std::string &s) {
    for (int n = 0;; ++n) {
        const std::string tag = "$q" + std::to_string(n) + "$";
        if ((s + tag).find(tag) == s.size()) return tag + s + tag;
    }
}

std::string Lit(const std::string &s) {  // a standard literal; E'' so backslashes survive any
    std::string out = "E'";              // standard_conforming_strings
    for (char c : s) {
        if (c == '\'')
            out += "''";
        else if (c == '\\')
            out += "\\\\";
        else
            out += c;
    }
    return out + "'";
}

std::string OneLine(std::string s, std::size_t max = 400) {
    for (char &c : s)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (s.size() > max) s = s.substr(0, max) + "...";
    return s;
}

// ------------------------------------------------------------------------------------------------
// Fixtures

// A fixture table and what the generators may assume about it.
struct Table {
    std::string name;
    bool has_order_id;
    std::string time_type;  // date, timestamp, timestamptz
    // Oracle input: finite times, every amount > 0 (so every order is a purchase and every
    // period with an order is in the result: the sum of revenue is the sum of the amounts).
    bool clean;
    bool positive;
};

const std::vector<Table> kTables = {
    {"fz_lines", true, "timestamp", false, false},
    {"fz_orders", true, "timestamptz", false, false},
    {"fz_dated", false, "date", false, false},
    {"fz_pos", false, "timestamptz", true, true},
    {"fz_pos_lines", true, "timestamp", true, true},
    {"fz_pos_dated", false, "date", true, true},
    {"fz_big", false, "timestamptz", true, true},
    {"fz_hostile", true, "timestamptz", false, false},
    {"fz_extreme_dates", false, "date", false, false},
    {"fz_huge", false, "timestamptz", false, false},
    {"fz_float", false, "timestamp", false, false},
    {"fz_numeric_ids", false, "timestamptz", false, false},
    {"fz_text_ids", true, "timestamp", false, false},
    {"fz_uuid_ids", false, "timestamptz", false, false},
    {"fz_empty", true, "timestamptz", true, true},
};

const char *kSetupSql = R"SQL(
SET client_min_messages = warning;
-- The installed extension, unless its functions are there already (test/fuzz.sh loads a build
-- that is not installed that way, CA_FUZZ_LIBRARY).
DO $$ BEGIN
    IF to_regnamespace('customer_analytics') IS NULL THEN
        CREATE EXTENSION customer_analytics;
    END IF;
END $$;
DROP SCHEMA IF EXISTS evil CASCADE;
DROP TABLE IF EXISTS fuzz_canary, fz_lines, fz_orders, fz_pos, fz_dated, fz_big, fz_hostile, fz_pos_lines, fz_pos_dated,
    fz_extreme_dates, fz_huge, fz_float, fz_numeric_ids, fz_text_ids, fz_uuid_ids, fz_empty,
    fz_expected, fz_items, fz_clv, fz_clv_big, fz_clv_hostile CASCADE;
DROP SEQUENCE IF EXISTS fuzz_seq, fuzz_canary_seq;

-- The canaries: fuzz_seq is advanced only by statements appended after an inner query;
-- fuzz_canary and fuzz_canary_seq only by functions of the schema evil. Sequences are not
-- transactional, so an advance survives the error that usually follows.
CREATE TABLE fuzz_canary (what text, at timestamptz DEFAULT pg_catalog.clock_timestamp());
CREATE SEQUENCE fuzz_seq;
CREATE SEQUENCE fuzz_canary_seq;

CREATE TABLE fz_lines (order_id bigint, customer_id bigint, ordered_at timestamp, amount numeric);
)SQL";

// After fz_lines is loaded.
const char *kFixturesSql = R"SQL(
CREATE TABLE fz_orders AS
    SELECT customer_id, order_id, max(ordered_at) AT TIME ZONE 'UTC' AS ordered_at,
           sum(amount) AS amount
    FROM fz_lines GROUP BY customer_id, order_id;
CREATE TABLE fz_pos AS SELECT customer_id, ordered_at, amount FROM fz_orders WHERE amount > 0;
-- Order items for frequent_itemsets(): each order line gets one of 30 items (integer, text and
-- uuid forms), some repeated, some NULL, some returned (quantity <= 0).
CREATE TABLE fz_items AS
SELECT order_id, customer_id,
       CASE WHEN amount < 0 THEN NULL ELSE (pg_catalog.abs(pg_catalog.hashtext(order_id::text || amount::text)) % 30) END AS item,
       CASE WHEN amount < 0 THEN -1 ELSE 1 END AS quantity, amount
FROM fz_lines;
ALTER TABLE fz_items ADD COLUMN item_text text, ADD COLUMN item_uuid uuid;
UPDATE fz_items SET item_text = 'item ' || item, item_uuid = pg_catalog.md5(item::text)::uuid;
CREATE TABLE fz_pos_lines AS
    SELECT l.* FROM fz_lines l JOIN fz_orders o USING (customer_id, order_id) WHERE o.amount > 0;
CREATE TABLE fz_dated AS
    SELECT customer_id::int AS customer_id, ordered_at::date AS ordered_at,
           round(amount)::int AS amount
    FROM fz_orders WHERE customer_id IS NOT NULL;
CREATE TABLE fz_pos_dated AS SELECT * FROM fz_dated WHERE amount > 0;
-- One customer with 200 orders of 9.99e27: their sum (about 2e30) does not fit 128 bits of
-- 1e-8 units; a few ordinary customers around it.
CREATE TABLE fz_big AS
    SELECT 1::bigint AS customer_id,
           '2023-01-01 00:00+00'::timestamptz + g * interval '1 day' AS ordered_at,
           9.99e27::numeric AS amount
    FROM generate_series(1, 200) g
    UNION ALL
    SELECT g % 7 + 2, '2023-02-01 12:00+00'::timestamptz + g * interval '13 hours', g * 1.25
    FROM generate_series(1, 100) g;

CREATE TABLE fz_hostile (customer_id bigint, order_id bigint, ordered_at timestamptz, amount numeric);
INSERT INTO fz_hostile VALUES
    (NULL, 1, '2023-01-01 10:00+00', 10), (1, NULL, '2023-01-02 10:00+00', 10),
    (1, 2, NULL, 10), (1, 3, '2023-01-03 10:00+00', NULL), (NULL, NULL, NULL, NULL),
    (2, 4, 'infinity', 10), (2, 5, '-infinity', 10), (2, 6, '2023-01-04 10:00+00', 10),
    (3, 7, '294276-12-31 23:59:59+00', 5), (3, 8, '4713-01-01 00:00:00+00 BC', 5),
    (4, 9, '2023-03-26 02:30:00+00', -50), (4, 10, '2023-03-27 02:30:00+00', -1e-8),
    (5, 11, '2023-06-01', 9.99e27), (5, 11, '2023-06-01', 9.99e27), (5, 12, '2023-06-02', -9.99e27),
    (6, 13, '2023-06-03', 0), (6, 14, '2023-06-04', 1e-20), (7, 15, '1970-01-01', 123.456789012345),
    (-9223372036854775808, 16, '2000-01-01', 1), (9223372036854775807, 17, '2000-01-01', 1),
    (8, -9223372036854775808, '2010-10-10', 2), (8, 9223372036854775807, '2010-10-10', 3);
INSERT INTO fz_hostile
    SELECT g % 50, g, '2020-01-01'::timestamptz + g * interval '7 hours', (g % 13) - 4
    FROM generate_series(1, 2000) g;

CREATE TABLE fz_extreme_dates (customer_id bigint, ordered_at date, amount numeric);
INSERT INTO fz_extreme_dates VALUES
    (1, '300000-01-01', 10), (1, '4713-01-01 BC', 10), (2, '5874897-12-31', 1),
    (2, 'infinity', 1), (3, '-infinity', 1), (3, '2023-05-05', 1), (4, '0001-01-01', 7),
    (4, '0001-12-31 BC', 7), (5, '294276-12-31', 3), (5, '294277-01-01', 3);

CREATE TABLE fz_huge (customer_id bigint, ordered_at timestamptz, amount numeric);
INSERT INTO fz_huge VALUES
    (1, '2023-01-01', 1e28), (2, '2023-01-02', -1e28), (3, '2023-01-03', 9999999999999999999999999999.99999999),
    (4, '2023-01-04', 'NaN'), (5, '2023-01-05', 1e-30), (6, '2023-01-06', 1e100),
    (7, '2023-01-07', 12345678901234567890.123456789), (8, '2023-01-08', -0.000000005);

CREATE TABLE fz_float (customer_id bigint, ordered_at timestamp, amount double precision);
INSERT INTO fz_float VALUES
    (1, '2023-01-01', 'NaN'), (2, '2023-01-02', 'Infinity'), (3, '2023-01-03', '-Infinity'),
    (4, '2023-01-04', 1e300), (5, '2023-01-05', 5e-324), (6, '2023-01-06', 1e27),
    (7, '2023-01-07', 10.1), (7, '2023-02-07', -0.0), (8, 'infinity', 1), (8, '2023-03-01', 1e28);

CREATE TABLE fz_numeric_ids (customer_id numeric, ordered_at timestamptz, amount numeric);
INSERT INTO fz_numeric_ids VALUES
    (1.0, '2023-01-01', 10), (1.00, '2023-02-01', 10), (1, '2023-03-01', 10), (-0.0, '2023-01-01', 1),
    (0, '2023-02-01', 1), (1e20, '2023-01-01', 1), (NULL, '2023-01-01', 1), ('NaN', '2023-01-01', 1),
    (1e-20, '2023-04-01', 1), (123456789012345678901234567890.5, '2023-01-09', 2);

CREATE TABLE fz_text_ids (customer_id text, order_id text, ordered_at timestamp, amount numeric);
INSERT INTO fz_text_ids VALUES
    ('', 'a', '2023-01-01', 1), (' ', 'a', '2023-01-01', 1), ('a', 'a', '2023-01-01', 1),
    ('A', 'a', '2023-02-01', 1), ('a', 'b', '2023-03-01', 2), (NULL, 'c', '2023-01-01', 1),
    ('1', '', '2023-01-01', 1), ('01', NULL, '2023-01-01', 1), ('žluťoučký kůň', 'x', '2023-01-05', 3),
    (repeat('x', 100000), 'long', '2023-01-01', 1), (E'tab\tnew\nline', 'q''s', '2023-01-01', 1),
    ('🙂', '🙂', '2023-07-01', 5), ('a', 'a', '2023-04-01', -1);

CREATE TABLE fz_uuid_ids (customer_id uuid, ordered_at timestamptz, amount numeric);
INSERT INTO fz_uuid_ids
    SELECT md5((g % 40)::text)::uuid, '2022-01-01'::timestamptz + g * interval '1 day', g
    FROM generate_series(1, 400) g;
INSERT INTO fz_uuid_ids VALUES (NULL, '2023-01-01', 1), ('00000000-0000-0000-0000-000000000000', '2023-01-01', 1);

CREATE TABLE fz_empty (customer_id bigint, order_id bigint, ordered_at timestamptz, amount numeric);

-- Calibration rows of the CLV fits (customer_id, frequency, recency, t, monetary), in plain SQL
-- as docs/clv.md defines them (weeks, purchase days of fz_pos up to its last day): valid input.
CREATE TABLE fz_clv AS
WITH d AS (
    SELECT customer_id, (ordered_at AT TIME ZONE 'UTC')::date AS day, sum(amount) AS value
    FROM fz_pos WHERE customer_id IS NOT NULL AND ordered_at IS NOT NULL GROUP BY 1, 2),
c AS (
    SELECT customer_id, count(*) - 1 AS frequency, min(day) AS first_day, max(day) AS last_day,
           sum(value) AS total
    FROM d GROUP BY customer_id)
SELECT c.customer_id, c.frequency::float8 AS frequency,
       ((c.last_day - c.first_day) / 7.0)::float8 AS recency,
       (((SELECT max(day) FROM d) - c.first_day) / 7.0)::float8 AS t,
       CASE WHEN c.frequency > 0 THEN (c.total / (c.frequency + 1))::float8 END AS monetary
FROM c;
-- Valid too, and large enough for parallel plans of the fits.
CREATE TABLE fz_clv_big AS
SELECT g::bigint AS customer_id, (g % 9)::float8 AS frequency,
       CASE WHEN g % 9 = 0 THEN 0 ELSE (g % 9) * 3 + (g % 50) / 10.0 END::float8 AS recency,
       (60 + g % 40)::float8 AS t,
       CASE WHEN g % 9 > 0 THEN 5 + g % 97 END::float8 AS monetary
FROM generate_series(1, 20000) g;
-- One bad row per customer_id: what the fits must refuse with 22023 (NaN, infinities,
-- negative or fractional frequencies, recency past T, recency without a repeat purchase,
-- monetary <= 0), NULLs they skip, and values they accept that stress the arithmetic (1e6 and
-- 2^31 - 1 repeat purchases, ages of 1e300, denormals).
CREATE TABLE fz_clv_hostile (customer_id bigint, frequency float8, recency float8, t float8, monetary float8);
INSERT INTO fz_clv_hostile VALUES
    (1, 'NaN', 0, 1, 1), (2, 'Infinity', 1, 2, 1), (3, -1, 0, 1, 1), (4, 1e6, 5, 10, 1),
    (5, 2147483648, 5, 10, 1), (6, 2147483647, 5, 10, 1), (7, 3, 20, 10, 5), (8, NULL, 1, 2, 3),
    (9, 2, NULL, 5, NULL), (10, 2, 1, NULL, 4), (11, 1.5, 1, 2, 3), (12, 2, 1, 'Infinity', 3),
    (13, 2, -1, 5, 3), (14, 0, 3, 5, NULL), (15, 2, 1e300, 1e300, 1e300), (16, 2, 5e-324, 1, 5e-324),
    (17, 2, 1, 2, -5), (18, 2, 1, 2, 0), (19, 2, 1, 2, 'NaN'), (20, '-0', '-0', 0, 1),
    (21, 0, 0, 0, NULL), (22, 1e6, 1e6, 1e6, 1e6), (23, 5, 'NaN', 'NaN', 'Infinity'),
    (24, 1, 1e-300, 1e-300, 1e300);

-- Known answers: the amount of every row with a customer (what kpis() and cohort_retention()
-- sum as revenue when every amount is positive) per oracle table.
CREATE TABLE fz_expected AS
    SELECT 'fz_pos' AS t, sum(amount)::text AS total FROM fz_pos WHERE customer_id IS NOT NULL
    UNION ALL SELECT 'fz_pos_lines', sum(amount)::text FROM fz_pos_lines
        WHERE customer_id IS NOT NULL AND order_id IS NOT NULL
    UNION ALL SELECT 'fz_pos_dated', sum(amount)::text FROM fz_pos_dated
    UNION ALL SELECT 'fz_big', sum(amount)::text FROM fz_big
    UNION ALL SELECT 'fz_empty', NULL;

-- ----------------------------------------------------------------------------------------------
-- The schema evil: functions and operators named like the pg_catalog ones that generated SQL
-- uses. With search_path 'evil, pg_catalog, public' an unqualified call in generated SQL reaches
-- them. Each one records itself (fuzz_canary_seq, fuzz_canary, a WARNING) and then either raises
-- SQLSTATE FZ666 (mode 'raise', the default) or returns what pg_catalog's would (mode 'silent').
CREATE SCHEMA evil;
CREATE FUNCTION evil.hijack(what text) RETURNS void LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public AS $$
DECLARE
    seen text := 'fuzz.seen_' || substr(md5(what), 1, 12);  -- once per object and transaction
BEGIN
    IF current_setting(seen, true) = 'y' THEN RETURN; END IF;
    PERFORM nextval('public.fuzz_canary_seq');
    INSERT INTO public.fuzz_canary (what) VALUES (what);
    IF coalesce(current_setting('fuzz.hijack_mode', true), '') = 'silent' THEN
        PERFORM set_config(seen, 'y', true);
        RAISE WARNING 'FUZZ_HIJACK %', what;
    ELSE
        RAISE EXCEPTION 'FUZZ_HIJACK %', what USING ERRCODE = 'FZ666';
    END IF;
END $$;

CREATE FUNCTION evil.timezone(text, timestamptz) RETURNS timestamp LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('timezone(text,timestamptz)');
RETURN pg_catalog.timezone($1, $2); END $$;
CREATE FUNCTION evil.timezone(text, timestamp) RETURNS timestamptz LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('timezone(text,timestamp)');
RETURN pg_catalog.timezone($1, $2); END $$;
CREATE FUNCTION evil.isfinite(timestamptz) RETURNS boolean LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('isfinite(timestamptz)');
RETURN pg_catalog.isfinite($1); END $$;
CREATE FUNCTION evil.isfinite(timestamp) RETURNS boolean LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('isfinite(timestamp)');
RETURN pg_catalog.isfinite($1); END $$;
CREATE FUNCTION evil.isfinite(date) RETURNS boolean LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('isfinite(date)');
RETURN pg_catalog.isfinite($1); END $$;
CREATE FUNCTION evil.text(bigint) RETURNS text LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('text(bigint)');
RETURN $1::text; END $$;
CREATE FUNCTION evil.text(numeric) RETURNS text LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('text(numeric)');
RETURN $1::text; END $$;
CREATE FUNCTION evil.date(timestamptz) RETURNS date LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('date(timestamptz)');
RETURN $1::date; END $$;
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('now()');
RETURN pg_catalog.now(); END $$;

-- Aggregates: count(*), max() and sum() on the types generated SQL feeds them.
CREATE FUNCTION evil.count_sf(bigint) RETURNS bigint LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('count(*)');
RETURN $1 + 1; END $$;
CREATE AGGREGATE evil.count(*) (SFUNC = evil.count_sf, STYPE = bigint, INITCOND = '0');
CREATE FUNCTION evil.max_ts_sf(timestamp, timestamp) RETURNS timestamp LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('max(timestamp)');
RETURN greatest($1, $2); END $$;
CREATE AGGREGATE evil.max(timestamp) (SFUNC = evil.max_ts_sf, STYPE = timestamp);
CREATE FUNCTION evil.max_tstz_sf(timestamptz, timestamptz) RETURNS timestamptz LANGUAGE plpgsql
VOLATILE SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('max(timestamptz)');
RETURN greatest($1, $2); END $$;
CREATE AGGREGATE evil.max(timestamptz) (SFUNC = evil.max_tstz_sf, STYPE = timestamptz);
CREATE FUNCTION evil.max_date_sf(date, date) RETURNS date LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('max(date)');
RETURN greatest($1, $2); END $$;
CREATE AGGREGATE evil.max(date) (SFUNC = evil.max_date_sf, STYPE = date);
CREATE FUNCTION evil.sum_num_sf(numeric, numeric) RETURNS numeric LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('sum(numeric)');
IF $2 IS NULL THEN RETURN $1; END IF; RETURN coalesce($1, 0) + $2; END $$;
CREATE AGGREGATE evil.sum(numeric) (SFUNC = evil.sum_num_sf, STYPE = numeric);
CREATE FUNCTION evil.sum_int8_sf(numeric, bigint) RETURNS numeric LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('sum(bigint)');
IF $2 IS NULL THEN RETURN $1; END IF; RETURN coalesce($1, 0) + $2; END $$;
CREATE AGGREGATE evil.sum(bigint) (SFUNC = evil.sum_int8_sf, STYPE = numeric);
CREATE FUNCTION evil.sum_int4_sf(bigint, integer) RETURNS bigint LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog AS $$ BEGIN PERFORM evil.hijack('sum(integer)');
IF $2 IS NULL THEN RETURN $1; END IF; RETURN coalesce($1, 0) + $2; END $$;
CREATE AGGREGATE evil.sum(integer) (SFUNC = evil.sum_int4_sf, STYPE = bigint);
CREATE FUNCTION evil.sum_f8_sf(double precision, double precision) RETURNS double precision
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog AS $$
BEGIN PERFORM evil.hijack('sum(double precision)');
IF $2 IS NULL THEN RETURN $1; END IF; RETURN coalesce($1, 0) + $2; END $$;
CREATE AGGREGATE evil.sum(double precision) (SFUNC = evil.sum_f8_sf, STYPE = double precision);

-- Comparison operators on the time types (generated filters such as "t < '...'::timestamp").
DO $do$
DECLARE
    t text;
    op record;
BEGIN
    FOREACH t IN ARRAY ARRAY['timestamp', 'timestamptz', 'date'] LOOP
        FOR op IN SELECT * FROM (VALUES ('<', 'lt'), ('<=', 'le')) AS v(sym, name) LOOP
            EXECUTE format(
                $f$CREATE FUNCTION evil.%s_%s(%s, %s) RETURNS boolean LANGUAGE plpgsql VOLATILE
                   SET search_path = pg_catalog AS $b$ BEGIN PERFORM evil.hijack(%L);
                   RETURN $1 %s $2; END $b$$f$,
                op.name, t, t, t, op.sym || ' (' || t || ')', op.sym);
            EXECUTE format('CREATE OPERATOR evil.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = evil.%s_%s)',
                           op.sym, t, t, op.name, t);
        END LOOP;
    END LOOP;
END $do$;
GRANT USAGE ON SCHEMA evil TO PUBLIC;
ANALYZE;
)SQL";

// ------------------------------------------------------------------------------------------------
// Connection with a client-side deadline per statement.

struct Outcome {
    enum Kind { Ok, Error, Lost, Hung } kind = Ok;
    std::string sqlstate, message;
    std::vector<std::vector<std::string>> rows;  // first rows of the last result, for checks
};

class Conn {
  public:
    explicit Conn(const Options &o) : opt_(o) {}
    ~Conn() {
        if (c_) PQfinish(c_);
    }
    // The session's reset values keep the server log small and notices off the wire: RESET ALL
    // after each call comes back to these.
    bool Connect(int retry_seconds) {
        if (c_) PQfinish(c_);
        c_ = nullptr;
        const std::string info =
            opt_.conninfo +
            " application_name=ca_fuzz options='-c client_min_messages=warning "
            "-c log_min_messages=fatal -c log_min_error_statement=panic'";
        const auto until = Clock::now() + std::chrono::seconds(retry_seconds);
        for (;;) {
            c_ = PQconnectdb(info.c_str());
            if (PQstatus(c_) == CONNECTION_OK) break;
            last_error_ = PQerrorMessage(c_);
            PQfinish(c_);
            c_ = nullptr;
            if (Clock::now() > until) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
        PQsetNoticeReceiver(c_, &Conn::OnNotice, this);
        return true;
    }
    const std::string &last_error() const { return last_error_; }
    PGconn *raw() { return c_; }
    bool Alive() const { return c_ && PQstatus(c_) == CONNECTION_OK; }
    bool InTransaction() const {
        return c_ && PQtransactionStatus(c_) != PQTRANS_IDLE &&
               PQtransactionStatus(c_) != PQTRANS_UNKNOWN;
    }
    std::vector<std::string> TakeNotices() { return std::move(notices_); }

    // Runs sql (one or more statements); the outcome is the first error, or the last result.
    Outcome Exec(const std::string &sql, int deadline_s) {
        Outcome out;
        if (!Alive()) {
            out.kind = Outcome::Lost;
            out.message = "no connection";
            return out;
        }
        if (!PQsendQuery(c_, sql.c_str())) return LostOutcome();
        const auto deadline = Clock::now() + std::chrono::seconds(deadline_s);
        bool cancelled = false;
        for (;;) {
            while (PQisBusy(c_)) {
                pollfd p{PQsocket(c_), POLLIN, 0};
                const int r = poll(&p, 1, 200);
                if (r < 0 && errno != EINTR) return LostOutcome();
                if (!PQconsumeInput(c_)) return LostOutcome();
                if (Clock::now() > deadline) {
                    if (!cancelled) {
                        Cancel();
                        cancelled = true;
                        continue;
                    }
                    if (Clock::now() > deadline + std::chrono::seconds(15)) {
                        out.kind = Outcome::Hung;
                        out.message = "no answer " + std::to_string(deadline_s + 15) +
                                      " s after the statement started, even after a cancel";
                        PQfinish(c_);
                        c_ = nullptr;
                        return out;
                    }
                }
            }
            PGresult *res = PQgetResult(c_);
            if (!res) break;
            const ExecStatusType st = PQresultStatus(res);
            if (st == PGRES_FATAL_ERROR && out.kind == Outcome::Ok) {
                out.kind = Outcome::Error;
                const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
                out.sqlstate = state ? state : "";
                out.message = PQresultErrorMessage(res);
                if (cancelled && out.sqlstate == "57014") {
                    out.kind = Outcome::Hung;
                    out.message = "past the client deadline of " + std::to_string(deadline_s) +
                                  " s; a cancel stopped it";
                }
            } else if (st == PGRES_TUPLES_OK && out.kind == Outcome::Ok) {
                out.rows.clear();
                const int n = std::min(PQntuples(res), 4);
                for (int i = 0; i < n; ++i) {
                    std::vector<std::string> row;
                    for (int j = 0; j < PQnfields(res); ++j)
                        row.push_back(PQgetisnull(res, i, j) ? "<null>" : PQgetvalue(res, i, j));
                    out.rows.push_back(std::move(row));
                }
            } else if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
                PQclear(res);
                return LostOutcome();  // not issued by the fuzzer; give the connection up
            }
            PQclear(res);
        }
        if (PQstatus(c_) != CONNECTION_OK) return LostOutcome(out.message);
        return out;
    }

    // Loads CSV into a table with COPY FROM STDIN.
    bool Copy(const std::string &copy_sql, const std::string &data) {
        PGresult *res = PQexec(c_, copy_sql.c_str());
        const bool in = PQresultStatus(res) == PGRES_COPY_IN;
        PQclear(res);
        if (!in) return false;
        if (PQputCopyData(c_, data.data(), static_cast<int>(data.size())) != 1) return false;
        if (PQputCopyEnd(c_, nullptr) != 1) return false;
        bool ok = true;
        while ((res = PQgetResult(c_)) != nullptr) {
            if (PQresultStatus(res) != PGRES_COMMAND_OK) {
                last_error_ = PQresultErrorMessage(res);
                ok = false;
            }
            PQclear(res);
        }
        return ok;
    }

  private:
    Outcome LostOutcome(const std::string &msg = "") {
        Outcome out;
        out.kind = Outcome::Lost;
        out.message = msg.empty() && c_ ? PQerrorMessage(c_) : msg;
        if (c_) PQfinish(c_);
        c_ = nullptr;
        return out;
    }
    void Cancel() {
        if (PGcancel *cancel = PQgetCancel(c_)) {
            char buf[256];
            PQcancel(cancel, buf, sizeof buf);
            PQfreeCancel(cancel);
        }
    }
    static void OnNotice(void *self, const PGresult *res) {
        auto *me = static_cast<Conn *>(self);
        if (me->notices_.size() < 32) me->notices_.push_back(PQresultErrorMessage(res));
    }

    const Options &opt_;
    PGconn *c_ = nullptr;
    std::string last_error_;
    std::vector<std::string> notices_;
};

// ------------------------------------------------------------------------------------------------
// Generators of SQL: session settings, inner queries, arguments, calls.

struct Step {
    std::string sql;
    bool is_call = true;             // an extension call (its outcome is counted)
    bool rollback_on_error = false;  // after an error: ROLLBACK TO SAVEPOINT <savepoint>
    std::string savepoint;
};

struct Call {
    long index = 0;
    std::string function;  // rfm, rfm_default_segments, rfm_summary, retention, ...
    std::string shape;     // plain, savepoint, cursor, prepared, ...
    std::string settings;  // one SQL string of SET statements
    long timeout_ms = 0;   // the statement_timeout that `settings` sets
    std::vector<Step> steps;
    // Oracle: the first row's first column must equal expected_total (when the call succeeds)
    // and the second column must be 0 (rows with negative revenue on positive input).
    bool oracle = false;
    std::string expected_total;
    bool expect_nonnegative = false;
    std::string oracle_table;
    // Predictions: every number a call returns is finite, at least 0 and at most `at_most` (a
    // probability is at most 1); t and f (of "IS NULL") are not numbers.
    bool check_values = false;
    double at_most = HUGE_VAL;
};

// What Generator::Next() calls, each with its share of the draws. An overload is named by its
// arity or its model ("clv/pareto_nbd"), so that each one is counted apart; "oracle" is kpis() or
// cohort_retention() on input whose answer is known. main() checks that every SQL function of the
// schema (but the aggregates' support functions) is here.
struct FunctionShare {
    const char *name;
    int share;
};
const std::vector<FunctionShare> kFunctionShares = {
    {"rfm_default_segments", 6},
    {"rfm", 22},
    {"rfm_summary", 12},
    {"retention", 18},
    {"cohort_retention", 17},
    {"kpis", 8},
    {"frequent_itemsets", 3},
    {"frequent_itemsets_by_group", 2},
    {"association_rules", 2},
    {"association_rules_by_group", 2},
    {"also_bought", 3},
    // Buyer profiles, revenue concentration and the data-quality reports.
    {"favourite_items", 3},
    {"shopping_times", 4},
    {"revenue_concentration", 3},
    {"revenue_gini", 3},
    {"revenue_lorenz", 3},
    {"top_customers", 3},
    {"order_data_quality", 4},
    {"basket_data_quality", 3},
    {"oracle", 5},
    // Customer lifetime value: the summary, the whole pipeline, the holdout evaluation and the
    // tracking table, the fitting aggregates and the predictions from a model value.
    {"clv_summary", 6},
    {"customer_lifetime_value", 6},
    {"clv_holdout", 4},
    {"clv_tracking", 4},
    {"bgnbd_fit", 6},
    {"pareto_nbd_fit", 5},
    {"gamma_gamma_fit", 5},
    {"bgnbd_expected_purchases/5", 4},
    {"bgnbd_expected_purchases/2", 3},
    {"bgnbd_p_alive", 3},
    {"pareto_nbd_expected_purchases/5", 4},
    {"pareto_nbd_expected_purchases/2", 3},
    {"pareto_nbd_p_alive", 3},
    {"gamma_gamma_expected_spend", 4},
    {"clv/bgnbd", 4},
    {"clv/pareto_nbd", 4},
};

// The SQL name of a kFunctionShares name: "clv" of "clv/bgnbd".
std::string SqlName(const std::string &name) {
    return name.substr(0, name.find('/'));
}

class Generator {
  public:
    Generator(std::uint64_t seed, std::map<std::string, std::string> expected)
        : rng_(seed), expected_(std::move(expected)) {}

    Call Next(long index) {
        Call c;
        c.index = index;
        // Half of the calls are tame: valid arguments (an inner query that may still be
        // nondeterministic or nested), so that the calls get past argument checks and into the
        // readers and the core; the other half draw every argument from the hostile lists too.
        tame_ = rng_.Chance(50);
        c.settings = Settings();
        c.timeout_ms = timeout_ms_;
        c.function = PickFunction();
        c.check_values = IsPrediction(c.function);
        if (c.function.find("p_alive") != std::string::npos) c.at_most = 1;
        if (c.function == "oracle") {
            Oracle(c);
            return c;
        }
        const std::string query = Query(c.function);
        Shape(c, query);
        return c;
    }

  private:
    static bool IsPrediction(const std::string &function) {
        // clang-format off
        static const std::set<std::string> kPredictions = {
            "bgnbd_expected_purchases/5", "bgnbd_expected_purchases/2", "bgnbd_p_alive",
            "pareto_nbd_expected_purchases/5", "pareto_nbd_expected_purchases/2",
            "pareto_nbd_p_alive", "gamma_gamma_expected_spend", "clv/bgnbd", "clv/pareto_nbd"};
        // clang-format on
        return kPredictions.count(function) > 0;
    }

    std::string PickFunction() {
        int total = 0;
        for (const FunctionShare &f : kFunctionShares) total += f.share;
        int r = static_cast<int>(rng_.Below(static_cast<std::uint64_t>(total)));
        for (const FunctionShare &f : kFunctionShares) {
            if (r < f.share) return f.name;
            r -= f.share;
        }
        return kFunctionShares.back().name;
    }

    // --- session settings
    std::string Settings() {
        std::string s;
        auto set = [&](const std::string &name, const std::string &value) {
            s += "SET " + name + " = " + value + "; ";
        };
        const int sp = static_cast<int>(rng_.Below(100));
        if (sp < 35)
            set("search_path", "evil, pg_catalog, public");
        else if (sp < 42)
            set("search_path", "public, evil, pg_catalog");
        else if (sp < 46)
            set("search_path", "evil, public");
        else if (sp < 48)
            set("search_path", "pg_catalog, public, evil");
        if (rng_.Chance(50))
            set("customer_analytics.memory_limit",
                rng_.Pick<std::string>({"-1", "0", "'64kB'", "'256kB'", "'1MB'", "'8MB'", "'64MB'",
                                        "'1GB'", "2147483647"}));
        timeout_ms_ = rng_.Pick<long>({1, 5, 20, 100, 500, 2000, 5000, 5000, 5000, 5000});
        set("statement_timeout", "'" + std::to_string(timeout_ms_) + "ms'");
        if (rng_.Chance(60))
            set("TimeZone",
                Lit(rng_.Pick<std::string>(
                    {"UTC", "Asia/Kolkata", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham",
                     "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                     "Pacific/Kiritimati", "Etc/GMT+12", "<+0545>-5:45", "EST5EDT"})));
        if (rng_.Chance(50))
            set("DateStyle",
                Lit(rng_.Pick<std::string>({"ISO, MDY", "SQL, DMY", "SQL, DMY", "SQL, MDY",
                                            "German", "Postgres, YMD", "Postgres, DMY"})));
        if (rng_.Chance(25))
            set("IntervalStyle", rng_.Pick<std::string>(
                                     {"postgres", "postgres_verbose", "sql_standard", "iso_8601"}));
        if (rng_.Chance(15)) set("standard_conforming_strings", rng_.Chance(50) ? "off" : "on");
        if (rng_.Chance(20))
            set("work_mem", rng_.Pick<std::string>({"'64kB'", "'1MB'", "'4MB'", "'64MB'"}));
        if (rng_.Chance(20)) {  // parallel plans for the inner queries and rfm_summary
            set("parallel_setup_cost", "0");
            set("parallel_tuple_cost", "0");
            set("min_parallel_table_scan_size", "0");
            set("max_parallel_workers_per_gather", rng_.Chance(50) ? "2" : "4");
            if (rng_.Chance(30)) set("force_parallel_mode", "on");
        }
        if (rng_.Chance(10)) set("extra_float_digits", rng_.Chance(50) ? "-15" : "3");
        if (rng_.Chance(10)) set("jit", "off");
        set("fuzz.hijack_mode", rng_.Chance(30) ? "silent" : "raise");
        s +=
            "SELECT pg_catalog.setseed(" + std::to_string(rng_.Range(-1000, 1000)) + " / 1000.0); ";
        return s;
    }

    // --- inner queries (orders_sql)
    const Table &AnyTable() { return rng_.Pick(kTables); }

    std::string Columns(const Table &t, bool with_order_id) {
        return with_order_id && t.has_order_id ? "customer_id, order_id, ordered_at, amount"
                                               : "customer_id, ordered_at, amount";
    }

    std::string OrdersSql(int depth) {
        const Table &t = AnyTable();
        const std::string n = t.name;
        const int r = static_cast<int>(tame_ ? rng_.Below(55) : rng_.Below(100));
        if (tame_ && r >= 45 && depth < 2) return Nested(depth);
        if (r < 30) {  // plain forms
            switch (rng_.Below(6)) {
                case 0:
                    return "TABLE " + n;
                case 1:
                    return "SELECT * FROM " + n;
                case 2:
                    return "SELECT " + Columns(t, false) + " FROM " + n;
                case 3:
                    return "SELECT " + Columns(t, true) + " FROM public." + n;
                case 4:
                    return "SELECT * FROM " + n + ";;  ;\n";
                default:
                    return "SELECT * FROM " + n + " -- trailing comment";
            }
        }
        if (r < 55) return Nondeterministic(t);
        if (r < 70) return Mangled(t);
        if (r < 85) return Hostile(t);
        if (r < 92 && depth < 2) return Nested(depth);
        return Generated();
    }

    std::string Nondeterministic(const Table &t) {
        const std::string n = t.name;
        const std::string pct = std::to_string(rng_.Range(0, 100));
        const std::string lim = std::to_string(rng_.Pick<int>({0, 1, 3, 10, 100, 1000, 5000}));
        switch (rng_.Below(13)) {
            case 0:
                return "SELECT * FROM " + n + " TABLESAMPLE BERNOULLI (" + pct + ")";
            case 1:
                return "SELECT * FROM " + n + " TABLESAMPLE SYSTEM (" + pct + ")";
            case 2:
                return "SELECT * FROM " + n + " ORDER BY pg_catalog.random() LIMIT " + lim;
            case 3:
                return "SELECT * FROM " + n + " LIMIT " + lim;
            case 4:
                return "SELECT * FROM " + n + " WHERE pg_catalog.random() < 0.5";
            case 5:
                return "SELECT (pg_catalog.random() * " + std::to_string(rng_.Range(1, 500)) +
                       ")::int AS customer_id, ordered_at, amount FROM " + n;
            case 6:
                return "SELECT customer_id, ordered_at + pg_catalog.random() * interval '800 days' "
                       "AS ordered_at, amount FROM " +
                       n;
            case 7:
                return "SELECT customer_id, ordered_at, amount * (pg_catalog.random() - 0.5) "
                       "AS amount FROM " +
                       n;
            case 8:
                return "SELECT * FROM " + n +
                       " WHERE customer_id::text IN (SELECT customer_id::text "
                       "FROM " +
                       n + " ORDER BY pg_catalog.random() LIMIT 10)";
            case 9:
                return "SELECT * FROM " + n + " ORDER BY pg_catalog.random()";
            case 10:
                return "SELECT customer_id, pg_catalog.clock_timestamp() AS ordered_at, amount "
                       "FROM " +
                       n;
            case 11:
                return "SELECT * FROM " + n + " TABLESAMPLE BERNOULLI (" + pct + ") REPEATABLE (" +
                       std::to_string(rng_.Range(0, 9)) + ")";
            default:
                return "SELECT customer_id, ordered_at, amount, (pg_catalog.random() * 3)::int AS "
                       "order_id FROM " +
                       n;
        }
    }

    std::string Mangled(const Table &t) {
        const std::string n = t.name;
        switch (rng_.Below(20)) {
            case 0:
                return "SELECT customer_id, ordered_at::text AS ordered_at, amount FROM " + n;
            case 1:
                return "SELECT customer_id, amount AS ordered_at, ordered_at AS amount FROM " + n;
            case 2:
                return "SELECT customer_id, ordered_at, amount::text AS amount FROM " + n;
            case 3:
                return "SELECT customer_id, ordered_at, amount, amount AS amount FROM " + n;
            case 4:
                return "SELECT ordered_at, amount FROM " + n;
            case 5:
                return "SELECT ARRAY[customer_id] AS customer_id, ordered_at, amount FROM " + n;
            case 6:
                return "SELECT ROW(customer_id, 1) AS customer_id, ordered_at, amount FROM " + n;
            case 7:
                return "SELECT customer_id::float8 / 3 AS customer_id, ordered_at, amount FROM " +
                       n;
            case 8:
                return "SELECT customer_id, ordered_at::time AS ordered_at, amount FROM " + n;
            case 9:
                return "SELECT customer_id, ordered_at, amount::int2 AS amount FROM " + n;
            case 10:
                return "SELECT customer_id, ordered_at, amount::float4 AS amount FROM " + n;
            case 11:
                return "SELECT customer_id, ordered_at, amount, ordered_at AS order_id FROM " + n;
            case 12:
                return "SELECT customer_id, ordered_at, amount, NULL AS order_id FROM " + n;
            case 13:
                return "SELECT customer_id AS \"Customer_Id\", ordered_at, amount FROM " + n;
            case 14:
                return "SELECT customer_id, ordered_at AT TIME ZONE 'Asia/Kolkata' AS ordered_at, "
                       "amount FROM " +
                       n;
            case 15:
                return "SELECT customer_id, ordered_at::date AS ordered_at, amount FROM " + n;
            case 16:
                return "SELECT customer_id, ordered_at, amount / 3 AS amount FROM " + n;
            case 17:
                return "SELECT customer_id, ordered_at, amount * 1e20 AS amount FROM " + n;
            case 18:
                return "SELECT customer_id, ordered_at, amount::money AS amount FROM " + n;
            default:
                return "SELECT customer_id::text::jsonb AS customer_id, ordered_at, -amount AS "
                       "amount FROM " +
                       n;
        }
    }

    std::string Hostile(const Table &t) {
        const std::string n = t.name;
        const std::string inject = "SELECT pg_catalog.nextval('public.fuzz_seq')";
        switch (rng_.Below(26)) {
            case 0:
                return "TABLE " + n + ") AS x; " + inject + "; SELECT * FROM (SELECT 1";
            case 1:
                return "SELECT * FROM " + n + ") q; " + inject + " --";
            case 2:
                return "SELECT * FROM " + n + "\n) AS q; " + inject +
                       "; SELECT 1 AS x FROM (SELECT 1";
            case 3:
                return "SELECT * FROM " + n + "; " + inject;
            case 4:
                return "SELECT * FROM " + n + ") AS q LIMIT 0; " + inject +
                       " AS customer_id, pg_catalog.now() AS ordered_at, 1 AS amount FROM (SELECT "
                       "1";
            case 5:
                return "SELECT * FROM " + n + " /* unclosed";
            case 6:
                return n;
            case 7:
                return "public." + n;
            case 8:
                return rng_.Pick<std::string>({"", ";", "   ", "--", "/*", ")", "(", "'", "$$",
                                               "SELECT", "VALUES (1)", "\\", "*/"});
            case 9:
                return "INSERT INTO public.fuzz_canary VALUES ('inject') RETURNING *";
            case 10:
                return "WITH x AS (INSERT INTO public.fuzz_canary VALUES ('inject') RETURNING 1) "
                       "SELECT * FROM " +
                       n;
            case 11:
                return "SELECT * FROM " + n + " FOR UPDATE";
            case 12:
                return "SELECT customer_id, ordered_at, amount FROM " + n +
                       " WHERE pg_catalog.pg_sleep(0.0005) IS NOT NULL";
            case 13:
                return "SELECT 1/0 AS customer_id, ordered_at, amount FROM " + n;
            case 14:
                return "((((SELECT * FROM " + n + "))))";
            case 15:
                return "SELECT " + Columns(t, false) + " FROM " + n + " UNION ALL SELECT " +
                       Columns(AnyTable(), false) + " FROM " + AnyTable().name;
            case 16:
                return "SELECT customer_id, ordered_at, amount FROM " + n +
                       " WHERE 'it''s' <> E'\\\\' AND '\\' <> ''";
            case 17: {
                std::string s = "SELECT * FROM " + n + " WHERE true";
                for (int i = 0; i < 3000; ++i) s += " AND true";
                return s;
            }
            case 18:
                return "SELECT * FROM " + n + ")--";
            case 19:
                return "SELECT * FROM " + n + " $q0$ ";
            case 20:
                return "SELECT * FROM " + n + ") AS x, LATERAL (" + inject + ") AS y --";
            case 21:
                return "SELECT * FROM " + n + "\\g";
            case 22:
                return "COMMIT; " + inject;
            case 23:
                return "SELECT * FROM " + n + "); ROLLBACK; " + inject + "; SELECT (1";
            case 24:
                return "SELECT * FROM " + n +
                       ") AS x; COPY (SELECT 1) TO STDOUT; SELECT * FROM (SELECT 1";
            default:
                return "SELECT * FROM " + n + " WHERE customer_id = 1\n;\n--";
        }
    }

    std::string Nested(int depth) {
        const std::string inner = Dq(OrdersSql(depth + 1));
        switch (rng_.Below(7)) {
            case 6:
                return "SELECT s.customer_id, pg_catalog.now() - s.recency * interval '7 days' AS "
                       "ordered_at, s.monetary AS amount FROM "
                       "customer_analytics.clv_summary(NULL::pg_catalog.text, " +
                       inner + ") AS s";
            case 0:
                return "SELECT r.customer_id, pg_catalog.now() - r.recency_days * interval '1 day' "
                       "AS ordered_at, r.monetary AS amount FROM "
                       "customer_analytics.rfm(NULL::pg_catalog.text, " +
                       inner + ") AS r";
            case 1:
                return "SELECT k.new_customers AS customer_id, k.period_start AS ordered_at, "
                       "k.revenue AS amount FROM customer_analytics.kpis(" +
                       inner + ", 'day') AS k";
            case 2:
                return "SELECT c.cohort_size AS customer_id, c.cohort AS ordered_at, c.revenue AS "
                       "amount FROM customer_analytics.cohort_retention(" +
                       inner + ") AS c";
            case 3:
                return "SELECT r.s_start AS customer_id, r.period_start AS ordered_at, r.retained "
                       "AS amount FROM customer_analytics.retention(" +
                       inner + ", 'week') AS r";
            case 4:
                return "SELECT s.customer_id, s.ordered_at, s.amount FROM fz_orders s WHERE EXISTS "
                       "(SELECT 1 FROM customer_analytics.rfm(NULL::pg_catalog.text, " +
                       inner +
                       ") r WHERE r.customer_id = "
                       "s.customer_id::text)";
            default:
                return "SELECT customer_id, "
                       "(customer_analytics.rfm_summary(ordered_at::timestamptz, "
                       "amount::numeric, NULL)).last_order AS ordered_at, "
                       "(customer_analytics.rfm_summary(ordered_at::timestamptz, amount::numeric, "
                       "NULL)).monetary "
                       "AS amount FROM " +
                       AnyTable().name + " GROUP BY customer_id";
        }
    }

    std::string Generated() {
        const std::string g = std::to_string(rng_.Pick<long>({10, 1000, 50000, 300000, 2000000}));
        switch (rng_.Below(3)) {
            case 0:
                return "SELECT g AS customer_id, pg_catalog.now() AS ordered_at, 1 AS amount "
                       "FROM pg_catalog.generate_series(1, " +
                       g + ") g";
            case 1:
                return "SELECT g % 97 AS customer_id, timestamp '2000-01-01' + g * interval '1 "
                       "hour' "
                       "AS ordered_at, g % 11 - 2 AS amount FROM pg_catalog.generate_series(1, " +
                       g + ") g";
            default:
                return "SELECT g AS customer_id, date '0001-01-01' + g * 1000 AS ordered_at, "
                       "1 AS amount FROM pg_catalog.generate_series(1, " +
                       g + ") g";
        }
    }

    // The orders_sql argument: usually a quoted query, sometimes NULL or an odd expression.
    std::string OrdersArg(std::string *plain = nullptr) {
        const int r = tame_ ? 100 : static_cast<int>(rng_.Below(100));
        if (r < 2) return "NULL";
        if (r < 3) return "NULL::text";
        if (r < 4) return "42";
        if (r < 5) return "(SELECT 'TABLE fz_orders')";
        if (r < 6) return "pg_catalog.format('TABLE %I', 'fz_orders')";
        const std::string q = OrdersSql(0);
        if (plain) *plain = q;
        return Dq(q);
    }

    // --- argument values
    std::string Timestamptz() {
        switch (tame_ ? rng_.Range(11, 15) : rng_.Below(16)) {
            case 0:
                return "NULL";
            case 1:
                return "'infinity'::timestamptz";
            case 2:
                return "'-infinity'::timestamptz";
            case 3:
                return "'4713-01-01 00:00:00+00 BC'::timestamptz";
            case 4:
                return "'294276-12-31 23:59:59+00'::timestamptz";
            case 5:
                return "pg_catalog.now()";
            case 6:
                return "'2023-03-26 02:30'::timestamptz";
            case 7:
                return "'epoch'::timestamptz";
            case 8:
                return "'2023-01-01'::date";  // odd type, implicit cast
            case 9:
                return "'2023-01-01'::text";  // odd type: no such function
            case 10:
                return "20230101";  // odd type
            case 11:
                return rng_.Chance(50) ? "NULL" : "'2022-06-15 12:00'::timestamp";
            default: {
                const long y =
                    rng_.Pick<long>({1900, 1999, 2021, 2022, 2022, 2023, 2023, 2024, 2100});
                char buf[64];
                std::snprintf(
                    buf, sizeof buf, "'%ld-%02d-%02d %02d:00:00+%02d'::timestamptz", y,
                    static_cast<int>(rng_.Range(1, 12)), static_cast<int>(rng_.Range(1, 28)),
                    static_cast<int>(rng_.Range(0, 23)), static_cast<int>(rng_.Range(0, 14)));
                return buf;
            }
        }
    }
    // A text argument: one of `valid`, or (in hostile calls) one of `invalid`, NULL, or a mangled
    // variant.
    std::string Text(const std::vector<std::string> &valid, std::vector<std::string> invalid = {}) {
        if (tame_) return Lit(rng_.Pick(valid));
        std::vector<std::string> good = valid;
        good.insert(good.end(), invalid.begin(), invalid.end());
        const int r = static_cast<int>(rng_.Below(100));
        if (r < 65) return Lit(rng_.Pick(good));
        if (r < 70) return "NULL";
        switch (rng_.Below(9)) {
            case 0:
                return "''";
            case 1:
                return "repeat('x', 100000)";
            case 2:
                return Lit(rng_.Pick(good) +
                           "'); SELECT pg_catalog.nextval('public.fuzz_seq'); --");
            case 3:
                return Lit(" " + rng_.Pick(good) + " ");
            case 4:
                return "upper(" + Lit(rng_.Pick(good)) + ")";
            case 5:
                return Lit(rng_.Pick(good) + "\n");
            case 6:
                return "'měsíc'";
            case 7:
                return "1";  // odd type
            default:
                return Lit(rng_.Pick(good) + "\\");
        }
    }
    std::string Period() {
        return Text({"day", "week", "month", "month", "quarter", "year"}, {"fortnight", "hour"});
    }
    std::string Zone() {
        if (tame_ && rng_.Chance(30)) return "NULL";
        return Text({"UTC", "Asia/Kolkata", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham",
                     "Australia/Lord_Howe", "Pacific/Kiritimati", "+14", "-12", "UTC+5:30",
                     "<+0545>-5:45", "EST5EDT,M3.2.0,M11.1.0", "localtime", "Etc/GMT-14"},
                    {"Mars/Olympus", "Asia/Kolkata'; SELECT 1; --"});
    }
    std::string Interval() {
        if (tame_)
            return rng_.Pick<std::string>({"NULL", "'365 days'", "'1 day'", "'1 mon'", "'30 days'",
                                           "'100000 years'", "'2 weeks'",
                                           "'1 year 2 mons -3 days'"});
        return rng_.Pick<std::string>(
            {"NULL", "'365 days'", "'1 day'", "'1 mon'", "'100000 years'", "'178000000 years'",
             "'-1 day'", "'0'", "'1 microsecond'", "'-178000000 years'", "'1 year 2 mons -3 days'",
             "'P1Y'", "'30 days'", "'2 weeks'", "'1 day'::text", "'-0.5 microseconds'"});
    }
    std::string Int() {
        if (tame_)
            return rng_.Pick<std::string>({"NULL", "1", "2", "3", "5", "5", "9", "10", "100"});
        return rng_.Pick<std::string>({"NULL", "0", "1", "2", "3", "5", "5", "9", "10", "100",
                                       "32767", "-1", "2147483647", "(-2147483648)", "'5'", "5.5",
                                       "5::bigint", "99999999999"});
    }
    std::string Breaks() {
        const int r = tame_ ? 0 : static_cast<int>(rng_.Below(100));
        if (r < 45) {  // ascending, of random length
            const int k = static_cast<int>(rng_.Range(1, 12));
            std::string s = "'{";
            long v = rng_.Range(-100, 10);
            for (int i = 0; i < k; ++i) {
                v += rng_.Range(1, 400);
                s += (i ? "," : "") + std::to_string(v);
            }
            return s + "}'::float8[]";
        }
        return rng_.Pick<std::string>(
            {"NULL", "'{30,90,180,365}'", "'{}'", "'{1}'", "'{3,2,1}'", "'{1,1}'", "'{1,NULL}'",
             "'{NaN}'", "'{Infinity}'", "'{-Infinity,0}'", "'{{1,2},{3,4}}'", "'{1e308,1.7e308}'",
             "'{-1e308,0}'", "'[5:7]={1,2,3}'::float8[]", "ARRAY[1,2,3]::numeric[]", "ARRAY[1,2,3]",
             "'{1,2}'::text[]", "(SELECT array_agg(g) FROM generate_series(1, 40) g)",
             "(SELECT array_agg(g::float8) FROM generate_series(1, 100000) g)"});
    }
    std::string Mode() { return Text({"on", "on", "on_or_after"}, {"rolling", "unbounded"}); }
    // cohort_retention()'s brackets: mostly valid (0 then ascending), else each way to be wrong.
    std::string Brackets() {
        const int r = tame_ ? static_cast<int>(rng_.Below(60)) : static_cast<int>(rng_.Below(100));
        if (r < 30) return "NULL";
        if (r < 60) {
            std::string s = "ARRAY[0";
            long v = 0;
            for (int i = static_cast<int>(rng_.Range(0, 6)); i > 0; --i)
                s += "," + std::to_string(v += rng_.Range(1, 5));
            return s + "]";
        }
        return rng_.Pick<std::string>({"'{}'::int[]", "ARRAY[1,2]", "ARRAY[0,-1]", "ARRAY[0,3,3]",
                                       "ARRAY[0,4,2]", "ARRAY[0,NULL]", "'{{0,1},{2,3}}'::int[]",
                                       "'[5:6]={0,1}'::int[]", "ARRAY[0,2147483647]",
                                       "ARRAY[0,1]::bigint[]", "'{0,1}'::text[]",
                                       "(SELECT array_agg(g) FROM generate_series(0, 10000) g)",
                                       "(SELECT array_agg(g) FROM generate_series(0, 9999) g)"});
    }
    std::string SegmentsSql() {
        const int r = static_cast<int>(rng_.Below(100));
        if (r < 30) return "NULL";
        std::string q;
        switch (tame_ ? rng_.Below(2) * 5 + rng_.Below(2) : rng_.Below(14)) {
            case 0:
                q = "SELECT * FROM customer_analytics.rfm_default_segments()";
                break;
            case 1:
                q = "SELECT * FROM (VALUES (1, 'recent', 4, 5, 1, 5, 1, 5), (2, 'rest', 1, 5, 1, "
                    "5, "
                    "1, 5)) AS s(priority, segment, r_min, r_max, f_min, f_max, m_min, m_max)";
                break;
            case 2:
                q = "SELECT 'x' AS segment, NULL::int AS r_min, 5 AS r_max, 1 AS f_min, 5 AS "
                    "f_max, "
                    "1 AS m_min, 5 AS m_max";
                break;
            case 3:
                q = "SELECT 'empty' AS segment, 5 AS r_min, 1 AS r_max, 1 AS f_min, 5 AS f_max, "
                    "1 AS m_min, 5 AS m_max";
                break;
            case 4:
                q = "SELECT 's' || g AS segment, 1 AS r_min, 5 AS r_max, 1 AS f_min, 5 AS f_max, 1 "
                    "AS m_min, 5 AS m_max FROM generate_series(1, 40000) g";
                break;
            case 5:
                q = "SELECT * FROM customer_analytics.rfm_default_segments() ORDER BY "
                    "pg_catalog.random()";
                break;
            case 6:
                q = "SELECT segment, r_min, r_max, f_min, f_max, m_min, m_max, 1 AS priority FROM "
                    "customer_analytics.rfm_default_segments()";
                break;
            case 7:
                q = "SELECT segment, r_min::text AS r_min, r_max, f_min, f_max, m_min, m_max FROM "
                    "customer_analytics.rfm_default_segments()";
                break;
            case 8:
                q = "SELECT segment, r_min, r_max, f_min, f_max, m_min, m_max, segment AS priority "
                    "FROM customer_analytics.rfm_default_segments()";
                break;
            case 9:
                q = "SELECT * FROM customer_analytics.rfm_default_segments()) AS q; SELECT "
                    "pg_catalog.nextval('public.fuzz_seq'); SELECT * FROM (SELECT 1";
                break;
            case 10:
                q = "SELECT 'big' AS segment, -2147483648 AS r_min, 2147483647 AS r_max, 0 AS "
                    "f_min, 99999999999 AS f_max, 1 AS m_min, 5 AS m_max";
                break;
            case 11:
                q = "SELECT * FROM customer_analytics.rfm_default_segments() TABLESAMPLE BERNOULLI "
                    "(50)";
                break;
            case 12:
                q = "TABLE fz_orders";
                break;
            default:
                q = rng_.Pick<std::string>({"", ";", "rfm_default_segments", "SELECT"});
                break;
        }
        return Dq(q);
    }

    // Named (=>) or positional arguments; the first is always orders_sql where there is one.
    struct Param {
        std::string name, value;
    };
    // rfm()'s first argument: the type customer_id comes back in (mostly text, which every id
    // fits; the others fit some inputs and are 42804 or 22003 for the rest).
    std::string IdType() {
        if (rng_.Chance(60)) return "NULL::pg_catalog.text";
        return rng_.Pick<std::string>({"NULL::pg_catalog.int8", "NULL::pg_catalog.int4",
                                       "NULL::pg_catalog.int2", "NULL::pg_catalog.numeric",
                                       "NULL::pg_catalog.uuid", "NULL::pg_catalog.varchar",
                                       "NULL::pg_catalog.date", "NULL"});
    }

    // frequent_itemsets(): the items' result type, the items query and min_support. Tame items
    // queries read fz_items (or order lines of the orders queries' tables); the others add NULL,
    // non-text and injection-shaped arguments and a nondeterministic read.
    // Sets *type to the item_type argument: the items' own type for tame calls (text now and
    // then, which every item fits), any of them otherwise. `group` is a column to add to the
    // query (", expr AS group_key" for the _by_group functions, GroupColumn()), or empty.
    std::string ItemsArg(std::string *type, std::string group = "", bool customer = false) {
        static const std::vector<std::pair<std::string, std::string>> kItems = {
            {"item", "NULL::pg_catalog.int4"},
            {"item", "NULL::pg_catalog.int8"},
            {"item_text AS item", "NULL::pg_catalog.text"},
            {"item_uuid AS item", "NULL::pg_catalog.uuid"},
            {"item::pg_catalog.numeric AS item", "NULL::pg_catalog.numeric"},
            {"customer_id AS item", "NULL::pg_catalog.int8"}};
        const auto &pick = kItems[rng_.Below(kItems.size())];
        *type = pick.second;
        if (rng_.Chance(15)) *type = "NULL::pg_catalog.text";
        if (!tame_ && rng_.Chance(30))
            *type = rng_.Pick<std::string>({"NULL::pg_catalog.int2", "NULL::pg_catalog.uuid",
                                            "NULL::pg_catalog.date", "NULL"});
        // A group_key for an ungrouped function now and then: 42P10.
        if (group.empty() && !tame_ && rng_.Chance(5)) {
            std::string ignored;
            group = GroupColumn(&ignored);
        }
        const int r = tame_ ? 100 : static_cast<int>(rng_.Below(100));
        if (r < 2) return "NULL";
        if (r < 3) return "42";
        if (r < 5) return "'TABLE fz_items; SELECT 1'";
        if (r < 7)
            return Dq("SELECT order_id, " + pick.first + group +
                      " FROM public.fz_items ORDER BY pg_catalog.random() LIMIT 500");
        if (r < 9) return "'SELECT order_id FROM public.fz_items'";
        std::string cols = "order_id, " + pick.first + group;
        if (rng_.Chance(customer ? 95 : 40)) cols += ", customer_id";
        if (rng_.Chance(40)) cols += ", quantity";
        if (rng_.Chance(30)) cols += ", amount";
        if (rng_.Chance(10)) return Dq("SELECT " + cols + " FROM public.fz_items WHERE false");
        return Dq("SELECT " + cols + " FROM public.fz_items");
    }
    // also_bought(): a basket for items of `type` (ItemsArg's): a few of the 30 items, an item
    // no order has, repeats; hostile ones add NULLs, other types, two dimensions and a huge one.
    std::string Basket(const std::string &type) {
        const std::string n1 = std::to_string(rng_.Below(32)), n2 = std::to_string(rng_.Below(32));
        std::string basket;
        if (type == "NULL::pg_catalog.text")
            basket = "ARRAY['item " + n1 + "', 'item " + n2 + "']::pg_catalog.text[]";
        else if (type == "NULL::pg_catalog.uuid")
            basket = "ARRAY[pg_catalog.md5('" + n1 + "')::pg_catalog.uuid]";
        else if (type == "NULL::pg_catalog.numeric")
            basket = "ARRAY[" + n1 + ".0, " + n2 + "]::pg_catalog.numeric[]";
        else if (type == "NULL::pg_catalog.int4")
            basket = "ARRAY[" + n1 + ", " + n2 + ", " + n1 + "]::pg_catalog.int4[]";
        else
            basket = "ARRAY[" + n1 + ", " + n2 + "]::pg_catalog.int8[]";
        if (tame_ && rng_.Chance(90)) return basket;
        return rng_.Pick<std::string>(
            {basket, "NULL::pg_catalog.int8[]", "ARRAY[NULL, 1]::pg_catalog.int8[]",
             "ARRAY[]::pg_catalog.text[]", "ARRAY[[1, 2], [3, 4]]", "ARRAY['item 1', NULL]",
             "ARRAY[1, 2]::pg_catalog.int2[]", "ARRAY['2020-01-01']::pg_catalog.date[]",
             "ARRAY(SELECT pg_catalog.generate_series(1, 20000))",
             "ARRAY(SELECT pg_catalog.textcat('item ', g::pg_catalog.text) FROM "
             "pg_catalog.generate_series(0, 29) g)"});
    }
    // The _by_group functions' group: ", expr AS group_key" of fz_items (integers, text with NULLs
    // where customer_id is NULL, dates, uuids), with *type the group_type argument: the key's own
    // type, or text now and then; any type, an untyped NULL or no group_key at all (42703) in
    // hostile calls. Every function and operator is qualified (search_path may start with evil).
    std::string GroupColumn(std::string *type) {
        static const std::vector<std::pair<std::string, std::string>> kGroups = {
            {"pg_catalog.mod(order_id, 3)", "NULL::pg_catalog.int8"},
            {"pg_catalog.mod(customer_id, 4)::pg_catalog.int4", "NULL::pg_catalog.int4"},
            {"pg_catalog.textcat('store ', pg_catalog.mod(customer_id, 5)::pg_catalog.text)",
             "NULL::pg_catalog.text"},
            {"'2024-01-01'::pg_catalog.date OPERATOR(pg_catalog.+) "
             "pg_catalog.mod(order_id, 6)::pg_catalog.int4",
             "NULL::pg_catalog.date"},
            {"item_uuid", "NULL::pg_catalog.uuid"}};
        const auto &pick = kGroups[rng_.Below(kGroups.size())];
        *type = pick.second;
        if (rng_.Chance(15)) *type = "NULL::pg_catalog.text";
        if (!tame_ && rng_.Chance(30))
            *type = rng_.Pick<std::string>({"NULL::pg_catalog.int2", "NULL::pg_catalog.uuid",
                                            "NULL::pg_catalog.date", "NULL"});
        if (!tame_ && rng_.Chance(10)) return "";
        return ", " + pick.first + " AS group_key";
    }
    std::vector<Param> ItemsetParams(const std::string &items) {
        return {{"items_sql", items},
                {"min_support", Support()},
                {"max_size", Int()},
                {"target", Text({"frequent", "closed", "maximal"}, {"all", "FREQUENT"})},
                {"min_size", Int()},
                {"per", Text({"order", "customer"}, {"store"})}};
    }
    std::vector<Param> RuleParams(const std::string &items) {
        return {{"items_sql", items},
                {"min_support", Support()},
                {"min_confidence", Support()},
                {"min_lift", rng_.Pick<std::string>({"NULL", "0", "1", "1.5", "-1", "'NaN'"})},
                {"max_antecedent", Int()},
                {"max_consequent", Int()},
                {"max_size", Int()},
                {"per", Text({"order", "customer"}, {"store"})}};
    }
    // revenue_concentration()'s shares and top_customers()' share: in (0, 1], or not.
    std::string Share() {
        if (tame_) return rng_.Pick<std::string>({"0.01", "0.05", "0.2", "0.5", "1"});
        return rng_.Pick<std::string>({"NULL", "0", "-0.1", "1.5", "'NaN'", "'Infinity'", "1e-300",
                                       "0.01", "1", "'0.1'", "0.1::real"});
    }
    std::string Shares() {
        if (tame_) return rng_.Pick<std::string>({"'{0.01,0.05,0.2}'", "'{0.5}'", "'{1,0.1,0.1}'"});
        return rng_.Pick<std::string>({"NULL", "'{}'", "'{NULL}'", "'{0,1}'", "'{1.5}'", "'{NaN}'",
                                       "'{0.01,0.05,0.2}'", "'{{0.1,0.2}}'", "ARRAY[1e-300]",
                                       "'{0.2}'::real[]",
                                       "(SELECT pg_catalog.array_agg(g / 1000.0) FROM "
                                       "pg_catalog.generate_series(1, 1000) g)"});
    }

    std::string Support() {
        if (tame_) return rng_.Pick<std::string>({"0.5", "0.1", "0.05", "0.02", "0.01", "1"});
        return rng_.Pick<std::string>({"NULL", "0", "-0.1", "1.5", "'NaN'", "1e-300", "0.001",
                                       "0.05", "1", "'0.1'", "0.1::real"});
    }

    std::string Args(std::vector<Param> params) {
        if (rng_.Chance(70)) {
            std::string s;
            for (std::size_t i = 0; i < params.size(); ++i) {
                if (i > 0 && rng_.Chance(45)) continue;  // default
                s += (s.empty() ? "" : ", ") +
                     (i == 0 ? params[i].value : params[i].name + " => " + params[i].value);
            }
            return s;
        }
        const std::size_t k = 1 + rng_.Below(params.size());
        std::string s;
        for (std::size_t i = 0; i < k; ++i) s += (i ? ", " : "") + params[i].value;
        return s;
    }

    // A query calling `function` (a SELECT; the shapes put it in a cursor or a transaction).
    std::string Query(const std::string &function) {
        if (function == "rfm_default_segments") {
            return rng_.Pick<std::string>(
                {"SELECT * FROM customer_analytics.rfm_default_segments()",
                 "SELECT customer_analytics.rfm_default_segments()",
                 "SELECT * FROM customer_analytics.rfm_default_segments() WHERE "
                 "priority > 3 ORDER BY segment",
                 "SELECT * FROM customer_analytics.rfm_default_segments(1)",
                 "SELECT pg_catalog.count(*) FROM "
                 "customer_analytics.rfm_default_segments() a, "
                 "customer_analytics.rfm_default_segments() b"});
        }
        if (function == "rfm_summary") return Summary();
        if (std::string clv = ClvQuery(function); !clv.empty()) return clv;
        std::string call;
        if (function == "rfm") {
            std::vector<Param> params = {
                {"orders_sql", OrdersArg()},
                {"as_of", Timestamptz()},
                {"bins", Int()},
                {"method", Text({"quantile", "ntile", "r_rfm", "fixed"}, {"QUANTILE", "median"})},
                {"segments_sql", SegmentsSql()},
                {"monetary", Text({"total", "average"}, {"median"})}};
            const bool fixed = params[3].value == "E'fixed'";
            if (!tame_ || fixed) {
                params.push_back({"r_breaks", Breaks()});
                params.push_back({"f_breaks", Breaks()});
                params.push_back({"m_breaks", Breaks()});
            }
            if (tame_ && fixed) {  // the breaks are required: named, all three
                std::string s = params[0].value;
                for (std::size_t i = 1; i < params.size(); ++i)
                    if (i >= 6 || rng_.Chance(50))
                        s += ", " + params[i].name + " => " + params[i].value;
                call = "customer_analytics.rfm(" + IdType() + ", " + s + ")";
            } else {
                call = "customer_analytics.rfm(" + IdType() + ", " + Args(params) + ")";
            }
        } else if (function == "retention") {
            call = "customer_analytics.retention(" +
                   Args({{"orders_sql", OrdersArg()},
                         {"period", Period()},
                         {"active_window", Interval()},
                         {"start_at", Timestamptz()},
                         {"end_at", Timestamptz()},
                         {"time_zone", Zone()}}) +
                   ")";
        } else if (function == "cohort_retention") {
            call = "customer_analytics.cohort_retention(" +
                   Args({{"orders_sql", OrdersArg()},
                         {"period", Period()},
                         {"max_offset", Int()},
                         {"time_zone", Zone()},
                         {"mode", Mode()},
                         {"brackets", Brackets()}}) +
                   ")";
        } else if (function == "frequent_itemsets" || function == "association_rules") {
            std::string item_type;
            const std::string items = ItemsArg(&item_type);
            call =
                "customer_analytics." + function + "(" + item_type + ", " +
                Args(function == "frequent_itemsets" ? ItemsetParams(items) : RuleParams(items)) +
                ")";
        } else if (function == "frequent_itemsets_by_group" ||
                   function == "association_rules_by_group") {
            std::string group_type, item_type;
            const std::string group = GroupColumn(&group_type);
            const std::string items = ItemsArg(&item_type, group);
            call = "customer_analytics." + function + "(" + group_type + ", " + item_type + ", " +
                   Args(function == "frequent_itemsets_by_group" ? ItemsetParams(items)
                                                                 : RuleParams(items)) +
                   ")";
        } else if (function == "also_bought") {
            std::string item_type;
            const std::string items = ItemsArg(&item_type);
            call = "customer_analytics.also_bought(" +
                   Args({{"items_sql", items},
                         {"basket", Basket(item_type)},
                         {"top_n", Int()},
                         {"min_support", Support()},
                         {"min_confidence", Support()},
                         {"min_lift",
                          rng_.Pick<std::string>({"NULL", "0", "1", "1.5", "-1", "'NaN'"})},
                         {"max_antecedent", Int()},
                         {"per", Text({"order", "customer"}, {"store"})}}) +
                   ")";
        } else if (function == "favourite_items") {
            std::string item_type;
            const std::string items = ItemsArg(&item_type, "", true);
            call = "customer_analytics.favourite_items(" + IdType() + ", " + item_type + ", " +
                   Args({{"items_sql", items},
                         {"top_n", Int()},
                         {"by", Text({"orders", "quantity", "spend"}, {"amount"})}}) +
                   ")";
        } else if (function == "shopping_times") {
            call = "customer_analytics.shopping_times(" + IdType() + ", " +
                   Args({{"orders_sql", OrdersArg()},
                         {"time_zone", Zone()},
                         {"per_customer", rng_.Pick<std::string>({"true", "false", "NULL"})}}) +
                   ")";
        } else if (function == "revenue_concentration") {
            call = "customer_analytics.revenue_concentration(" +
                   Args({{"orders_sql", OrdersArg()}, {"shares", Shares()}}) + ")";
        } else if (function == "revenue_gini") {
            return "SELECT customer_analytics.revenue_gini(" + OrdersArg() + ")";
        } else if (function == "revenue_lorenz") {
            call = "customer_analytics.revenue_lorenz(" +
                   Args({{"orders_sql", OrdersArg()}, {"points", Int()}}) + ")";
        } else if (function == "top_customers") {
            call = "customer_analytics.top_customers(" + IdType() + ", " +
                   Args({{"orders_sql", OrdersArg()}, {"share", Share()}}) + ")";
        } else if (function == "order_data_quality") {
            call = "customer_analytics.order_data_quality(" +
                   Args({{"orders_sql", OrdersArg()}, {"as_of", Timestamptz()}}) + ")";
        } else if (function == "basket_data_quality") {
            std::string item_type;
            call = "customer_analytics.basket_data_quality(" + ItemsArg(&item_type) + ")";
        } else {
            call =
                "customer_analytics.kpis(" +
                Args({{"orders_sql", OrdersArg()}, {"period", Period()}, {"time_zone", Zone()}}) +
                ")";
        }
        return SetQuery(call);
    }

    // A query of the set-returning `call`: its rows, some of them, or their count.
    std::string SetQuery(const std::string &call) {
        switch (rng_.Below(6)) {
            case 0:
                return "SELECT " + call;
            case 1:
                return "SELECT pg_catalog.count(*) FROM " + call + " AS f";
            case 2:
                return "SELECT * FROM " + call + " AS f LIMIT " + std::to_string(rng_.Range(0, 5));
            default:
                return "SELECT * FROM " + call + " AS f";
        }
    }

    std::string Summary() {
        const Table &t = AnyTable();
        std::string from = t.name;
        if (rng_.Chance(25))
            from += " TABLESAMPLE BERNOULLI (" + std::to_string(rng_.Range(0, 100)) + ")";
        const std::string time =
            rng_.Pick<std::string>({"ordered_at", "ordered_at", "ordered_at::timestamptz",
                                    "'infinity'::timestamptz", "NULL", "ordered_at::text"});
        const std::string amount =
            rng_.Pick<std::string>({"amount", "amount", "amount::numeric", "NULL",
                                    "9.99e27::numeric", "amount::float8", "-amount"});
        std::string as_of = rng_.Chance(20) ? "ordered_at + interval '1 day'" : Timestamptz();
        const std::string agg =
            "customer_analytics.rfm_summary(" + time + ", " + amount + ", " + as_of + ")";
        switch (rng_.Below(7)) {
            case 0:
                return "SELECT customer_id, (" + agg + ").* FROM " + from + " GROUP BY customer_id";
            case 1:
                return "SELECT (" + agg + ").* FROM " + from;
            case 2:
                return "SELECT customer_id, " + agg +
                       " OVER (PARTITION BY customer_id ORDER BY "
                       "ordered_at) FROM " +
                       from;
            case 3:
                return "SELECT customer_id, (customer_analytics.rfm_summary(DISTINCT " + time +
                       ", " + amount + ", NULL)).* FROM " + from + " GROUP BY customer_id";
            case 4:
                return "SELECT customer_id, (" + agg + ").recency_days FROM " + from +
                       " GROUP BY customer_id HAVING (" + agg + ").frequency > 1";
            case 5:
                return "SELECT (customer_analytics.rfm_summary(" + time + ", " + amount + ", " +
                       as_of + ") FILTER (WHERE amount > 0)).* FROM " + from;
            default:
                return "SELECT pg_catalog.count(*) FROM (SELECT customer_id, (" + agg +
                       ").* FROM " + from + " GROUP BY customer_id) s";
        }
    }

    // --- customer lifetime value (src/sql/clv.sql, docs/clv.md)

    // A number with `decimals` decimals, uniform in [lo, hi].
    std::string Uniform(double lo, double hi, int decimals = 2) {
        const double u = static_cast<double>(rng_.Below(1000001)) / 1000000.0;
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.*f", decimals, lo + u * (hi - lo));
        return buf;
    }
    // Values that break the models' arithmetic: NULL, signed zero, negatives, NaN, infinities,
    // denormals, the largest double, 2^31 and neighbours of 1.
    std::string HostileFloat() {
        // clang-format off
        static const std::vector<std::string> kValues = {
            "NULL", "0", "-0.0", "-1", "'NaN'", "'Infinity'", "'-Infinity'", "1e-300", "5e-324",
            "1e300", "1.7976931348623157e308", "1e15", "1e6", "2147483648", "2147483647",
            "4294967296", "1.5", "0.9999999999999999", "1.0000000000000002", "1e-9"};
        // clang-format on
        return rng_.Pick(kValues);
    }
    // `tame`, or in a hostile call now and then a hostile value.
    std::string MaybeHostile(const std::string &tame, int percent = 30) {
        if (tame_ || !rng_.Chance(percent)) return tame;
        return HostileFloat();
    }

    // A customer's history as the models read it: frequency x (repeat purchases), recency t_x and
    // age T (0 <= t_x <= T, t_x = 0 when x = 0) and mean repeat spend (NULL when x = 0). Hostile
    // calls replace fields by hostile values, or put recency past T.
    struct History {
        std::string x, t_x, T, m;
    };
    History TameHistory() {
        History h;
        const long x = rng_.Chance(80) ? rng_.Range(0, 6) : rng_.Pick<long>({10, 20, 50, 200});
        const double T = static_cast<double>(rng_.Range(1, 10000)) / 100.0;
        h.x = std::to_string(x);
        h.T = Uniform(T, T);
        h.t_x = x == 0 ? "0" : Uniform(0, T);
        if (std::strtod(h.t_x.c_str(), nullptr) > T) h.t_x = h.T;  // rounding
        h.m = x == 0 ? (rng_.Chance(50) ? "NULL" : "0") : Uniform(0.5, 500);
        return h;
    }
    History AnyHistory() {
        History h = TameHistory();
        if (tame_) return h;
        h.x = MaybeHostile(h.x);
        h.t_x = MaybeHostile(h.t_x);
        h.T = MaybeHostile(h.T);
        h.m = MaybeHostile(h.m);
        if (rng_.Chance(10)) {  // recency past T
            h.x = "3";
            h.t_x = "20";
            h.T = rng_.Pick<std::string>({"10", "19.999999", "0"});
        }
        return h;
    }

    // A model value: ROW(parameters..., log_likelihood, customers, evaluations, converged,
    // status)::customer_analytics.<type>. Tame ones are the published CDNOW estimates, random
    // plausible parameters or a fit of fz_clv; hostile ones have tiny, huge, NaN, negative or NULL
    // parameters, or are NULL, malformed, of another model type or a fit of nothing.
    std::string Model(const std::string &type, const std::vector<std::string> &published,
                      const std::vector<std::pair<double, double>> &ranges,
                      const std::string &fit) {
        const std::string cast = "::customer_analytics." + type;
        const std::string ones = type == "gamma_gamma_model" ? "1,1,1" : "1,1,1,1";
        if (rng_.Chance(tame_ ? 15 : 8))
            return "(SELECT customer_analytics." + fit + " FROM public.fz_clv" +
                   (rng_.Chance(30) ? " TABLESAMPLE BERNOULLI (" +
                                          std::to_string(rng_.Range(5, 100)) + ") REPEATABLE (1)"
                                    : "") +
                   ")";
        if (!tame_ && rng_.Chance(15)) {
            const std::string other = type == "bgnbd_model" ? "pareto_nbd_model" : "bgnbd_model";
            return rng_.Pick<std::string>(
                {"NULL" + cast, "NULL", "ROW(1, 2, 3)" + cast, "'(" + ones + ",,,,,)'" + cast,
                 "'(" + ones + ",NaN,-1,-1,f,)'" + cast, "'(1,1)'" + cast,
                 "'(x," + ones + ",,,,)'" + cast,
                 "ROW(1, 1, 1, 1, NULL, NULL, NULL, NULL, NULL)::customer_analytics." + other,
                 "(SELECT customer_analytics." + fit + " FROM public.fz_clv WHERE false)",
                 "(SELECT customer_analytics." + fit +
                     " FROM (SELECT * FROM public.fz_clv UNION ALL SELECT * FROM "
                     "public.fz_clv_hostile WHERE customer_id = " +
                     std::to_string(rng_.Range(1, 24)) + ") AS s)"});
        }
        std::vector<std::string> params;
        if (rng_.Chance(40)) {
            params = published;
        } else {
            for (const auto &[lo, hi] : ranges) params.push_back(Uniform(lo, hi, 4));
        }
        std::string s = "ROW(";
        for (const std::string &p : params) s += MaybeHostile(p, 35) + ", ";
        if (rng_.Chance(60))
            s += "NULL, NULL, NULL, NULL, NULL";
        else if (tame_ || rng_.Chance(50))
            s += "-1234.5, 800, 57, true, 'converged'";
        else
            s += "'NaN', -1, -1, false, ''";
        return s + ")" + cast;
    }
    std::string BgnbdModel() {
        return Model("bgnbd_model", {"0.2426", "4.4137", "0.7930", "2.4262"},
                     {{0.1, 3}, {0.5, 30}, {0.1, 3}, {0.3, 10}},
                     "bgnbd_fit(frequency, recency, t)");
    }
    std::string ParetoNbdModel() {
        return Model("pareto_nbd_model", {"0.55", "10.58", "0.61", "11.67"},
                     {{0.1, 3}, {0.5, 30}, {0.1, 3}, {0.5, 30}},
                     "pareto_nbd_fit(frequency, recency, t)");
    }
    std::string GammaGammaModel() {
        return Model("gamma_gamma_model", {"6.25", "3.74", "15.44"},
                     {{0.5, 10}, {1.5, 10}, {1, 50}}, "gamma_gamma_fit(frequency, monetary)");
    }

    // The length t of a prediction period: ordinary ones, and in hostile calls huge ones (1e15,
    // where the hypergeometric series converges slowly or not at all: a clean error), NaN, ...
    std::string PredictionT() {
        const std::string t =
            rng_.Pick<std::string>({"0", "1", "4.5", "13", "39", "52", "104", "520"});
        if (tame_ || rng_.Chance(50)) return t;
        return rng_.Pick<std::string>({"1e15", "1e15", "1e10", "1e300", "-1", "'NaN'", "'Infinity'",
                                       "5e-324", "NULL", "1e6"});
    }
    // clv()'s horizon (periods), period length and discount rate per period. 100000 periods is
    // the documented maximum.
    std::string Horizon() {
        if (tame_ || rng_.Chance(50))
            return rng_.Pick<std::string>({"1", "3", "6", "12", "12", "24", "36", "120"});
        return rng_.Pick<std::string>({"NULL", "0", "-1", "1", "1200", "100000", "100000", "100001",
                                       "50000", "2147483647", "(-2147483648)", "12.5", "'12'",
                                       "12::bigint", "12", "12"});
    }
    std::string PeriodLength() {
        if (tame_ || rng_.Chance(50))
            return rng_.Pick<std::string>({"1", "4.345", "13", "0.5", "52"});
        return rng_.Pick<std::string>(
            {"'NaN'", "1e300", "0", "-1", "5e-324", "'Infinity'", "1e10", "NULL", "1e-300"});
    }
    std::string Discount() {
        if (tame_ || rng_.Chance(50))
            return rng_.Pick<std::string>({"0", "0.01", "0.01", "0.02", "0.1"});
        return rng_.Pick<std::string>(
            {"-1", "-0.999999", "1e300", "'NaN'", "'Infinity'", "-2", "NULL", "1e-300"});
    }
    std::string ClvUnit() {
        return Text({"day", "week", "week", "month", "year"}, {"fortnight", "hour", "Week"});
    }
    std::string ClvPeriod() {
        if (tame_ || rng_.Chance(50))
            return rng_.Pick<std::string>(
                {"'1 month'", "'1 month'", "'7 days'", "'1 day'", "'3 mons'", "'1 year'"});
        return rng_.Pick<std::string>({"NULL", "'0'", "'-1 month'", "'1 microsecond'",
                                       "'178000000 years'", "'-178000000 years'",
                                       "'1 mon -30 days'", "'1 day'::text", "'1 month'"});
    }

    // The calibration rows a fit reads: a FROM item with columns frequency, recency, t and
    // monetary. fz_clv (customers of fz_pos) and fz_clv_big (a table that parallel plans split)
    // are valid; fz_clv_hostile holds one bad row per customer_id; VALUES lists mix both, with
    // duplicates; and every size from empty to a single row.
    std::string FitSource() {
        const int r = static_cast<int>(tame_ ? rng_.Below(70) : rng_.Below(100));
        if (r < 15) return "public.fz_clv AS s";
        if (r < 22)
            return "public.fz_clv AS s TABLESAMPLE BERNOULLI (" +
                   std::to_string(rng_.Range(1, 100)) + ")";
        if (r < 30) return "public.fz_clv_big AS s";
        if (r < 36)
            return "(SELECT * FROM public.fz_clv ORDER BY pg_catalog.random() LIMIT " +
                   std::to_string(rng_.Pick<int>({1, 2, 3, 10, 100})) + ") AS s";
        if (r < 40)
            return "(SELECT * FROM public.fz_clv UNION ALL SELECT * FROM public.fz_clv) AS s";
        if (r < 50) {
            const std::string as_of =
                rng_.Chance(50) ? "NULL" : Uniform(2022, 2024, 0) + "-0" + Uniform(1, 9, 0) + "-15";
            return "customer_analytics.clv_summary(NULL::pg_catalog.text, " + Dq(OrdersSql(0)) +
                   ", " + (as_of == "NULL" ? as_of : "'" + as_of + "'") + ", " + ClvUnit() +
                   ") AS s";
        }
        if (r < 70) return ValuesSource();
        if (r < 78) return "public.fz_clv_hostile AS s";
        if (r < 88)
            return "(SELECT * FROM public.fz_clv UNION ALL SELECT * FROM public.fz_clv_hostile "
                   "WHERE customer_id = " +
                   std::to_string(rng_.Range(1, 24)) + ") AS s";
        if (r < 92) return "(SELECT * FROM public.fz_clv WHERE false) AS s";
        if (r < 95) return "(SELECT * FROM public.fz_clv_hostile LIMIT 1) AS s";
        return "(SELECT g::pg_catalog.float8 AS frequency, 0::pg_catalog.float8 AS recency, "
               "1::pg_catalog.float8 AS t, 1::pg_catalog.float8 AS monetary FROM "
               "pg_catalog.generate_series(0, " +
               std::to_string(rng_.Pick<long>({10, 1000, 300000})) + ") g) AS s";
    }
    std::string ValuesSource() {
        const long k = rng_.Range(1, 12);
        std::string s = "(VALUES ";
        History prev;
        for (long i = 0; i < k; ++i) {
            History h = i > 0 && rng_.Chance(25) ? prev : AnyHistory();  // duplicates
            prev = h;
            const std::string f8 = i == 0 ? "::pg_catalog.float8" : "";
            s += (i ? ", (" : "(") + h.x + f8 + ", " + h.t_x + f8 + ", " + h.T + f8 + ", " + h.m +
                 f8 + ")";
        }
        s += ") AS s(frequency, recency, t, monetary)";
        if (!tame_ && rng_.Chance(5)) s = "(SELECT * FROM " + s + " WHERE false) AS s";
        return s;
    }
    // The arguments of a fit: the columns, or in hostile calls now and then swapped, scaled,
    // constant, NULL or of a type the aggregate does not take.
    std::string FitArgs(bool spend) {
        const std::string a = spend ? "frequency, monetary" : "frequency, recency, t";
        if (tame_ || rng_.Chance(80)) return a;
        if (spend)
            return rng_.Pick<std::string>({"monetary, frequency", "frequency * 1e300, monetary",
                                           "frequency + 0.5, monetary", "2147483648, monetary",
                                           "frequency, -monetary", "frequency, monetary * 1e308",
                                           "NULL, monetary", "frequency::text, monetary",
                                           "frequency::numeric, monetary", "frequency, 5e-324"});
        return rng_.Pick<std::string>(
            {"recency, frequency, t", "frequency * 1e300, recency, t",
             "frequency + 0.5, recency, t", "2147483648, recency, t",
             "frequency, recency, t * 1e300", "frequency, recency, -t", "NULL, recency, t",
             "frequency::text, recency, t", "frequency::numeric, recency, t",
             "frequency * 1e6, recency, t", "frequency, recency * 1e-300, t * 1e-300"});
    }
    // A query of a fitting aggregate: plain, grouped, as a window function, with FILTER,
    // DISTINCT or ORDER BY, all three fits at once, or the model fed to a prediction.
    std::string FitQuery(const std::string &agg) {
        const bool spend = agg == "gamma_gamma_fit";
        const std::string args = FitArgs(spend);
        const std::string call = "customer_analytics." + agg + "(" + args + ")";
        const std::string src = FitSource();
        switch (rng_.Below(11)) {
            case 0:
                return "SELECT (" + call + ").* FROM " + src;
            case 1:
                return "SELECT (s.recency > 5) AS g, " + call + " FROM " + src +
                       " GROUP BY (s.recency > 5)";
            case 2:
                return "SELECT " + call + " OVER (ORDER BY s.t, s.frequency) FROM (SELECT * FROM " +
                       src + " LIMIT 12) AS s";
            case 3:
                return "SELECT " + call + " OVER () FROM (SELECT * FROM " + src + " LIMIT 50) AS s";
            case 4:
                return "SELECT customer_analytics." + agg + "(" + args +
                       ") FILTER (WHERE s.frequency > 0) FROM " + src;
            case 5:
                return "SELECT customer_analytics." + agg + "(DISTINCT " + args + ") FROM " + src;
            case 6:
                return "SELECT customer_analytics." + agg + "(" + args +
                       " ORDER BY s.t DESC) FROM " + src;
            case 7:
                return "SELECT customer_analytics.bgnbd_fit(frequency, recency, t), "
                       "customer_analytics.pareto_nbd_fit(frequency, recency, t), "
                       "customer_analytics.gamma_gamma_fit(frequency, monetary) FROM " +
                       src;
            case 8: {
                const std::string predict = agg == "bgnbd_fit" ? "bgnbd_p_alive(m, 2, 5, 10)"
                                            : agg == "pareto_nbd_fit"
                                                ? "pareto_nbd_expected_purchases(m, 10, 2, 5, 10)"
                                                : "gamma_gamma_expected_spend(m, 2, 30)";
                return "SELECT (m).converged, (m).status, customer_analytics." + predict +
                       " FROM (SELECT " + call + " AS m FROM " + src + ") AS f";
            }
            default:
                return "SELECT " + call + " FROM " + src;
        }
    }

    // A query of one of the CLV functions that read orders_sql.
    std::string ClvSetQuery(const std::string &function) {
        std::string call;
        // Tame calls read an orders table whole now and then: most random inner queries have too
        // few repeat customers (or none before as_of) for the fits.
        const bool whole = tame_ && rng_.Chance(60);
        const std::string orders =
            whole ? Dq(rng_.Pick<std::string>(
                        {"TABLE fz_orders", "SELECT * FROM fz_lines", "TABLE fz_pos",
                         "TABLE fz_pos_dated", "TABLE fz_uuid_ids",
                         "SELECT customer_id, ordered_at, amount FROM fz_orders TABLESAMPLE "
                         "BERNOULLI (50)"}))
                  : OrdersArg();
        const std::string id_type = whole && rng_.Chance(80) ? "NULL::pg_catalog.text" : IdType();
        if (function == "clv_holdout" || function == "clv_tracking") {
            // Calibration and holdout ends: required, so always passed (the fixtures' orders
            // run from 2022 to 2023); unit and model are left to their defaults now and then.
            const std::string calibration_end =
                whole ? rng_.Pick<std::string>(
                            {"'2022-12-31'", "'2023-06-30'", "'2023-03-15 12:00+05:30'"})
                      : Timestamptz();
            const std::string holdout_end =
                whole ? rng_.Pick<std::string>({"'2023-12-31'", "'2024-06-30'", "'2023-09-30'"})
                      : Timestamptz();
            call = "customer_analytics." + function + "(" +
                   (function == "clv_holdout" ? id_type + ", " : "") + orders + ", " +
                   calibration_end + ", " + holdout_end;
            if (rng_.Chance(60)) call += ", unit => " + ClvUnit();
            if (rng_.Chance(60))
                call += ", model => " + Text({"bgnbd", "pareto_nbd"}, {"gamma_gamma", "bg"});
            return SetQuery(call + ")");
        }
        // clv_summary() or customer_lifetime_value()
        std::vector<Param> params = {
            {"orders_sql", orders},
            {"as_of", whole ? rng_.Pick<std::string>({"NULL", "'2023-06-30'", "'2023-12-31'",
                                                      "'2024-03-01 12:00+05:30'"})
                            : Timestamptz()}};
        if (function == "clv_summary") {
            params.push_back({"unit", ClvUnit()});
        } else {
            params.push_back({"horizon", Horizon()});
            params.push_back({"discount_rate", Discount()});
            params.push_back({"unit", ClvUnit()});
            params.push_back({"model", Text({"bgnbd", "pareto_nbd"}, {"gamma_gamma", "bg"})});
            params.push_back({"period", ClvPeriod()});
        }
        call = "customer_analytics." + function + "(" + id_type + ", " + Args(params) + ")";
        if (!rng_.Chance(15)) return SetQuery(call);
        if (function == "clv_summary")  // a fit of the summary, as docs/clv.md does
            return "SELECT customer_analytics.bgnbd_fit(frequency, recency, t), "
                   "customer_analytics.gamma_gamma_fit(frequency, monetary) FILTER (WHERE "
                   "monetary > 0) FROM " +
                   call + " AS f";
        return "SELECT pg_catalog.sum(clv), pg_catalog.max(p_alive) FROM " + call + " AS f";
    }

    // The query of CLV function `function`, or "" for another function.
    std::string ClvQuery(const std::string &function) {
        std::string call;
        if (function == "bgnbd_fit" || function == "pareto_nbd_fit" ||
            function == "gamma_gamma_fit")
            return FitQuery(function);
        if (function == "clv_summary" || function == "customer_lifetime_value" ||
            function == "clv_holdout" || function == "clv_tracking")
            return ClvSetQuery(function);
        // Predictions from a model value.
        if (!IsPrediction(function)) return "";
        // Now and then clv() of one customer over the longest horizon with every other argument
        // valid: a hostile horizon alone, which the other hostile arguments would mostly stop
        // first.
        const bool was_tame = tame_;
        const bool longest = function.rfind("clv/", 0) == 0 && rng_.Chance(3);
        if (longest) tame_ = true;
        const bool from_table = !longest && rng_.Chance(30);
        History h = AnyHistory();
        std::string table;
        if (from_table) {
            table = tame_ || rng_.Chance(50)
                        ? rng_.Pick<std::string>(
                              {"public.fz_clv", "public.fz_clv", "public.fz_clv_big"})
                        : "public.fz_clv_hostile";
            h = {"frequency", "recency", "t",
                 rng_.Chance(50) ? "monetary" : "coalesce(monetary, 0)"};
        }
        const bool bgnbd = function.rfind("bgnbd", 0) == 0 || function == "clv/bgnbd";
        const std::string model = function == "gamma_gamma_expected_spend" ? GammaGammaModel()
                                  : bgnbd                                  ? BgnbdModel()
                                                                           : ParetoNbdModel();
        std::vector<Param> params;
        if (function == "gamma_gamma_expected_spend") {
            params = {{"model", model}, {"frequency", h.x}, {"monetary", h.m}};
        } else if (function.rfind("clv/", 0) == 0) {
            params = {{"model", model},
                      {"spend_model", GammaGammaModel()},
                      {"frequency", h.x},
                      {"recency", h.t_x},
                      {"age", h.T},
                      {"monetary", h.m},
                      {"horizon", longest ? "100000" : Horizon()},
                      {"period_length", PeriodLength()},
                      {"discount_rate", Discount()}};
        } else if (function.find("p_alive") != std::string::npos) {
            params = {{"model", model}, {"frequency", h.x}, {"recency", h.t_x}, {"age", h.T}};
        } else if (function.back() == '2') {
            params = {{"model", model}, {"t", PredictionT()}};
        } else {
            params = {{"model", model},
                      {"t", PredictionT()},
                      {"frequency", h.x},
                      {"recency", h.t_x},
                      {"age", h.T}};
        }
        // Positional, or every argument named (they have no defaults).
        const bool named = rng_.Chance(20);
        for (std::size_t i = 0; i < params.size(); ++i)
            call += (i ? ", " : "") + (named ? params[i].name + " => " : "") + params[i].value;
        call = "customer_analytics." + SqlName(function) + "(" + call + ")";
        tame_ = was_tame;
        if (from_table)
            // max() is NaN when any value is (PostgreSQL sorts NaN last).
            return rng_.Chance(50) ? "SELECT pg_catalog.max(" + call + "), pg_catalog.min(" + call +
                                         ") FROM " + table
                                   : "SELECT " + call + " FROM " + table + " LIMIT " +
                                         std::to_string(rng_.Pick<int>({1, 10, 100}));
        switch (rng_.Below(4)) {
            case 0:
                return "SELECT " + call + " FROM pg_catalog.generate_series(1, 3)";
            case 1:
                return "SELECT " + call + " IS NULL";
            default:
                return "SELECT " + call;
        }
    }

    // Wraps the query in one of the shapes: plain, transaction with savepoints, cursor, prepared
    // statement, twice in a row.
    void Shape(Call &c, const std::string &q) {
        auto call = [](const std::string &sql) { return Step{sql, true, false, ""}; };
        auto ctl = [](const std::string &sql) { return Step{sql, false, false, ""}; };
        const int r = static_cast<int>(rng_.Below(100));
        if (r < 60) {
            c.shape = "plain";
            c.steps.push_back(call(q));
        } else if (r < 72) {
            c.shape = "savepoint";
            c.steps.push_back(ctl("BEGIN"));
            c.steps.push_back(ctl("SAVEPOINT a"));
            Step s = call(q);
            s.rollback_on_error = true;
            s.savepoint = "a";
            c.steps.push_back(s);
            c.steps.push_back(ctl("SAVEPOINT b"));
            Step s2 = call(Query(c.function));
            s2.rollback_on_error = true;
            s2.savepoint = "b";
            c.steps.push_back(s2);
            c.steps.push_back(
                ctl(rng_.Chance(50) ? "ROLLBACK TO SAVEPOINT a" : "RELEASE SAVEPOINT a"));
            c.steps.push_back(call(rng_.Chance(50) ? q : "SELECT 1"));
            c.steps.push_back(ctl(rng_.Chance(50) ? "COMMIT" : "ROLLBACK"));
        } else if (r < 86) {
            c.shape = "cursor";
            const bool hold = rng_.Chance(25);
            const bool scroll = rng_.Chance(30);
            c.steps.push_back(ctl("BEGIN"));
            c.steps.push_back(call(std::string("DECLARE c ") + (scroll ? "SCROLL " : "NO SCROLL ") +
                                   "CURSOR " + (hold ? "WITH HOLD " : "") + "FOR " + q));
            c.steps.push_back(call("FETCH " + std::to_string(rng_.Range(0, 5)) + " FROM c"));
            if (scroll) c.steps.push_back(call("FETCH BACKWARD 2 FROM c"));
            c.steps.push_back(call(rng_.Chance(50) ? "FETCH ALL FROM c" : "MOVE 3 IN c"));
            if (hold) {
                c.steps.push_back(ctl("COMMIT"));
                c.steps.push_back(call("FETCH 2 FROM c"));
                c.steps.push_back(ctl("CLOSE c"));
            } else {
                c.steps.push_back(ctl("CLOSE c"));
                c.steps.push_back(ctl("COMMIT"));
            }
        } else if (r < 94) {
            c.shape = "prepared";
            c.steps.push_back(call("PREPARE p AS " + q));
            c.steps.push_back(call("EXECUTE p"));
            c.steps.push_back(call("EXECUTE p"));
            c.steps.push_back(ctl("DEALLOCATE p"));
        } else {
            c.shape = "twice";
            c.steps.push_back(call(q));
            c.steps.push_back(call(q));
        }
    }

    // Known answers: the sum of kpis() revenue (or cohort_retention() revenue on positive input)
    // is the net amount of the usable rows; no row has negative revenue on positive input.
    void Oracle(Call &c) {
        std::vector<const Table *> clean;
        for (const Table &t : kTables)
            if (t.clean) clean.push_back(&t);
        const Table &t = *clean[rng_.Below(clean.size())];
        const bool cohort = rng_.Chance(50);
        c.function = cohort ? "cohort_retention" : "kpis";
        c.shape = "oracle";
        c.oracle = true;
        c.oracle_table = t.name;
        c.expected_total = expected_.count(t.name) ? expected_.at(t.name) : "<null>";
        c.expect_nonnegative = true;
        const std::string src = rng_.Chance(50) ? "TABLE " + t.name : "SELECT * FROM " + t.name;
        const std::string call =
            cohort ? "customer_analytics.cohort_retention(" + Dq(src) + ", " + Period() +
                         ", time_zone => " + Zone() + ")"
                   : "customer_analytics.kpis(" + Dq(src) + ", " + Period() + ", " + Zone() + ")";
        c.steps.push_back(
            {"SELECT pg_catalog.sum(revenue)::text, pg_catalog.count(*) FILTER (WHERE "
             "revenue < 0) FROM " +
                 call + " AS f",
             true, false, ""});
    }

    Rng rng_;
    std::map<std::string, std::string> expected_;
    bool tame_ = false;
    long timeout_ms_ = 0;
};

// ------------------------------------------------------------------------------------------------
// Findings and the summary

struct Finding {
    std::string kind, detail, repro;
    std::set<std::string> functions;
    long first_call = 0, last_call = -1;
    long count = 0;
};

struct Stats {
    long calls = 0, statements = 0;
    std::map<std::string, long> by_function, ok_by_function, err_by_function;
    std::map<std::string, long> by_shape;
    std::map<std::string, long> by_sqlstate;
    std::map<std::string, Finding> findings;  // key: kind + function + normalised detail
    long crashes = 0, reconnects = 0;
};

std::string Normalise(const std::string &msg) {
    std::string s = OneLine(msg, 160);
    static const std::regex digits("[0-9]+");
    static const std::regex quoted("\"[^\"]*\"");
    s = std::regex_replace(s, digits, "N");
    s = std::regex_replace(s, quoted, "\"...\"");
    return s;
}

// What a FUZZ_HIJACK marker names: "count(*)" in "ERROR:  FUZZ_HIJACK count(*)\nCONTEXT: ...".
std::string HijackedObject(const std::string &msg) {
    std::string s = msg.substr(msg.find("FUZZ_HIJACK") + 12);
    return s.substr(0, s.find('\n'));
}

std::string Repro(const Call &c) {
    std::string s = c.settings;
    for (const Step &st : c.steps) s += "\n" + st.sql + ";";
    return s;
}

// A crash seen both as a lost connection and in the server log is one finding; the log's line
// (with the query that was running) replaces the bare "connection lost".
void AddFinding(Stats &st, const Call &c, const std::string &kind, const std::string &detail,
                const std::string &key_detail, bool from_log = false) {
    const std::string key = kind + "|" + key_detail;
    Finding &f = st.findings[key];
    const std::string repro = Repro(c);
    f.functions.insert(c.function);
    if (from_log && f.count > 0 && f.last_call == c.index) {
        if (f.detail.rfind("connection lost", 0) == 0) f.detail = detail;
        return;
    }
    if (f.count == 0 || repro.size() < f.repro.size()) {
        f.kind = kind;
        f.detail = detail;
        f.repro = repro;
        f.first_call = f.count == 0 ? c.index : f.first_call;
    }
    ++f.count;
    f.last_call = c.index;
}

// ------------------------------------------------------------------------------------------------
// The server log: new lines since the last look.

class LogWatch {
  public:
    explicit LogWatch(std::string path) : path_(std::move(path)) {
        if (path_.empty()) return;
        std::ifstream f(path_, std::ios::binary | std::ios::ate);
        if (f)
            offset_ = static_cast<std::uint64_t>(f.tellg());
        else
            std::fprintf(stderr, "ca_fuzz: cannot read the server log %s\n", path_.c_str());
    }
    bool enabled() const { return !path_.empty(); }
    const std::string &path() const { return path_; }
    // Lines of crashes (postmaster's reports) written since the last call.
    std::vector<std::string> NewCrashLines() {
        std::vector<std::string> out;
        if (path_.empty()) return out;
        std::ifstream f(path_, std::ios::binary);
        if (!f) return out;
        f.seekg(0, std::ios::end);
        const std::uint64_t size = static_cast<std::uint64_t>(f.tellg());
        if (size < offset_) offset_ = 0;  // rotated
        f.seekg(static_cast<std::streamoff>(offset_));
        std::string line;
        while (std::getline(f, line)) {
            if (f.eof()) break;  // a partial last line: read it next time
            offset_ += line.size() + 1;
            if (IsCrashLine(line)) {
                out.push_back(line);
                ++crash_lines_;
            } else if (!out.empty() && line.find("Failed process was running") != std::string::npos)
                out.push_back(line);
        }
        return out;
    }
    static bool IsCrashLine(const std::string &line) {
        return line.find("terminated by signal") != std::string::npos ||
               line.find("terminated by exception") != std::string::npos ||
               (line.find("server process (PID") != std::string::npos &&
                line.find("exited with exit code") != std::string::npos) ||
               line.find("was terminated by") != std::string::npos;
    }

    long crash_lines() const { return crash_lines_; }

  private:
    std::string path_;
    std::uint64_t offset_ = 0;  // starts at the end: what the server logged before is not ours
    long crash_lines_ = 0;
};

// ------------------------------------------------------------------------------------------------

struct Canary {
    std::string seq, canary_seq, canary_rows;
    bool operator!=(const Canary &o) const {
        return seq != o.seq || canary_seq != o.canary_seq || canary_rows != o.canary_rows;
    }
};

// After DISCARD ALL, in a separate message: a statement_timeout applies to a whole message.
const char *kCheckSql =
    "SELECT (SELECT last_value::text || is_called::text FROM public.fuzz_seq), "
    "(SELECT last_value::text || is_called::text FROM public.fuzz_canary_seq), "
    "(SELECT pg_catalog.count(*)::text FROM public.fuzz_canary)";

bool ReadCanary(Conn &conn, Canary &c, std::string *why = nullptr) {
    // A statement_timeout that expired right at the end of the call can still cancel the next
    // statement (the interrupt is already pending): try again then.
    Outcome o;
    for (int attempt = 0; attempt < 3; ++attempt) {
        o = conn.Exec("DISCARD ALL", 30);  // settings, prepared statements, held cursors
        if (o.kind == Outcome::Ok) o = conn.Exec(kCheckSql, 30);
        if (!(o.kind == Outcome::Error && o.sqlstate == "57014")) break;
    }
    if (o.kind != Outcome::Ok || o.rows.empty() || o.rows[0].size() != 3) {
        if (why) *why = o.sqlstate + " " + OneLine(o.message);
        return false;
    }
    c.seq = o.rows[0][0];
    c.canary_seq = o.rows[0][1];
    c.canary_rows = o.rows[0][2];
    return true;
}

bool Setup(Conn &conn, const Options &o) {
    Outcome r = conn.Exec(kSetupSql, 300);
    if (r.kind != Outcome::Ok) {
        std::fprintf(stderr, "ca_fuzz: setup failed: %s\n", r.message.c_str());
        return false;
    }
    const std::string cmd = o.generator + " --lines --customers 800 --orders 4000 --seed " +
                            std::to_string(o.seed % 1000 + 1) + " 2>/dev/null";
    FILE *p = popen(cmd.c_str(), "r");
    if (!p) {
        std::fprintf(stderr, "ca_fuzz: cannot run %s\n", cmd.c_str());
        return false;
    }
    std::string csv;
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) csv.append(buf, n);
    if (pclose(p) != 0 || csv.empty()) {
        std::fprintf(stderr, "ca_fuzz: %s failed (build it with make)\n", cmd.c_str());
        return false;
    }
    if (!conn.Copy("COPY fz_lines FROM STDIN WITH (FORMAT csv)", csv)) {
        std::fprintf(stderr, "ca_fuzz: loading orders failed: %s\n", conn.last_error().c_str());
        return false;
    }
    r = conn.Exec(kFixturesSql, 300);
    if (r.kind != Outcome::Ok) {
        std::fprintf(stderr, "ca_fuzz: fixtures failed: %s\n", r.message.c_str());
        return false;
    }
    return true;
}

std::string FindServerLog(Conn &conn) {
    Outcome o = conn.Exec(
        "SELECT CASE WHEN pg_catalog.pg_current_logfile() IS NULL THEN NULL "
        "WHEN pg_catalog.pg_current_logfile() LIKE '/%' THEN pg_catalog.pg_current_logfile() "
        "ELSE pg_catalog.current_setting('data_directory') || '/' || "
        "pg_catalog.pg_current_logfile() END",
        30);
    if (o.kind == Outcome::Ok && !o.rows.empty() && o.rows[0][0] != "<null>") return o.rows[0][0];
    return "";
}

}  // namespace

int main(int argc, char **argv) {
    Options opt;
    if (!ParseOptions(argc, argv, opt)) return 2;
    std::setvbuf(stdout, nullptr, _IOLBF, 0);

    Conn conn(opt);
    if (!conn.Connect(30)) {
        std::fprintf(stderr, "ca_fuzz: cannot connect: %s\n", conn.last_error().c_str());
        std::printf("not ok - fuzz (no connection)\n");
        return 1;
    }
    if (!opt.skip_setup && !Setup(conn, opt)) {
        std::printf("not ok - fuzz (setup failed)\n");
        return 1;
    }
    std::map<std::string, std::string> expected;
    if (PGresult *res =
            PQexec(conn.raw(), "SELECT t, coalesce(total, '<null>') FROM public.fz_expected")) {
        if (PQresultStatus(res) == PGRES_TUPLES_OK)
            for (int i = 0; i < PQntuples(res); ++i)
                expected[PQgetvalue(res, i, 0)] = PQgetvalue(res, i, 1);
        PQclear(res);
    }
    if (expected.empty()) {
        std::printf("not ok - fuzz (no fixture tables: run without --skip-setup)\n");
        return 1;
    }
    std::string log_path = opt.server_log.empty() ? FindServerLog(conn) : opt.server_log;
    LogWatch log(log_path);
    if (!log.enabled())
        std::fprintf(stderr,
                     "ca_fuzz: no server log to watch (pass --server-log); crashes are "
                     "still seen as lost connections\n");

    // The extension's SQL functions, but the aggregates' support functions (they take internal):
    // each must be in kFunctionShares, or the fuzzer does not call it.
    std::vector<std::string> uncalled;
    if (PGresult *res = PQexec(
            conn.raw(),
            "SELECT DISTINCT p.proname FROM pg_catalog.pg_proc p "
            "WHERE p.pronamespace OPERATOR(pg_catalog.=) "
            "'customer_analytics'::pg_catalog.regnamespace AND NOT EXISTS (SELECT FROM "
            "pg_catalog.pg_aggregate a WHERE p.oid OPERATOR(pg_catalog.=) ANY (ARRAY[a.aggtransfn, "
            "a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn]::pg_catalog.oid[])) "
            "AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON "
            "e.oid OPERATOR(pg_catalog.=) d.refobjid WHERE d.objid OPERATOR(pg_catalog.=) p.oid "
            "AND e.extname OPERATOR(pg_catalog.=) 'customer_analytics_test') ORDER BY 1")) {
        if (PQresultStatus(res) == PGRES_TUPLES_OK)
            for (int i = 0; i < PQntuples(res); ++i) {
                const std::string name = PQgetvalue(res, i, 0);
                bool known = false;
                for (const FunctionShare &f : kFunctionShares)
                    known = known || SqlName(f.name) == name;
                if (!known) uncalled.push_back(name);
            }
        PQclear(res);
    }

    Canary canary;
    if (!ReadCanary(conn, canary)) {
        std::printf("not ok - fuzz (canary check failed before any call)\n");
        return 1;
    }

    Generator gen(opt.seed, expected);
    Stats st;
    const auto start = Clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
    for (long i = 0; i < opt.first; ++i) gen.Next(i);

    long next_report = 1000;
    for (long index = opt.first;; ++index) {
        if (opt.calls >= 0 && st.calls >= opt.calls) break;
        if (opt.seconds >= 0 && elapsed() >= opt.seconds) break;
        Call call = gen.Next(index);
        ++st.calls;
        ++st.by_function[call.function];
        ++st.by_shape[call.shape];

        bool lost = false, call_ok = true, hijack_seen = false;
        std::string first_error;
        if (!conn.Alive() && !conn.Connect(300)) {
            std::fprintf(stderr, "ca_fuzz: cannot reconnect: %s\n", conn.last_error().c_str());
            AddFinding(st, call, "no reconnect", conn.last_error(), "");
            break;
        }
        Outcome so = conn.Exec(call.settings, 30);
        if (so.kind == Outcome::Lost) lost = true;
        conn.TakeNotices();
        for (const Step &step : call.steps) {
            if (lost) break;
            const auto step_start = Clock::now();
            Outcome o = conn.Exec(step.sql, opt.deadline_s);
            const double took = std::chrono::duration<double>(Clock::now() - step_start).count();
            // A statement that ran well past its statement_timeout did not look at interrupts
            // (a hang the deadline would only catch past --deadline seconds).
            if (opt.overrun_s > 0 && o.kind != Outcome::Hung && o.kind != Outcome::Lost &&
                took > call.timeout_ms / 1000.0 + opt.overrun_s) {
                char buf[160];
                std::snprintf(buf, sizeof buf,
                              "a statement took %.1f s under statement_timeout = %ld ms (%s)", took,
                              call.timeout_ms,
                              o.kind == Outcome::Error ? o.sqlstate.c_str() : "no error");
                AddFinding(st, call, "statement_timeout ignored", buf, call.function);
            }
            ++st.statements;
            const std::vector<std::string> notices = conn.TakeNotices();
            for (const std::string &n : notices)
                if (n.find("FUZZ_HIJACK") != std::string::npos) {
                    hijack_seen = true;
                    AddFinding(st, call, "search_path hijack",
                               "evil." + HijackedObject(n) + " ran (found through search_path)",
                               HijackedObject(n));
                }
            if (o.kind == Outcome::Lost) {
                lost = true;
                AddFinding(st, call, "crash", "connection lost: " + OneLine(o.message),
                           call.function);
                ++st.crashes;
                break;
            }
            if (o.kind == Outcome::Hung) {
                lost = !conn.Alive();
                AddFinding(st, call, "hang", o.message, call.function);
                call_ok = false;
                first_error = "hang";
                break;
            }
            if (o.kind == Outcome::Error) {
                if (step.is_call) {
                    call_ok = false;
                    if (first_error.empty()) first_error = o.sqlstate;
                }
                ++st.by_sqlstate[o.sqlstate];
                if (o.sqlstate.rfind("XX", 0) == 0)
                    AddFinding(st, call, "internal error " + o.sqlstate, OneLine(o.message),
                               call.function + " " + o.sqlstate + " " + Normalise(o.message));
                else if (o.sqlstate == "FZ666") {
                    hijack_seen = true;
                    AddFinding(
                        st, call, "search_path hijack",
                        "evil." + HijackedObject(o.message) + " ran (found through search_path)",
                        HijackedObject(o.message));
                } else if (o.message.find("terminated by signal") != std::string::npos)
                    AddFinding(st, call, "crash", OneLine(o.message), call.function);
                if (step.rollback_on_error) {
                    Outcome rb = conn.Exec("ROLLBACK TO SAVEPOINT " + step.savepoint, 30);
                    if (rb.kind == Outcome::Lost) lost = true;
                } else if (conn.InTransaction()) {
                    break;  // the rest of the transaction would only say 25P02
                }
                continue;
            }
            if (call.check_values && step.is_call && o.kind == Outcome::Ok)
                for (const auto &row : o.rows)
                    for (const std::string &v : row) {
                        char *end = nullptr;
                        const double x = std::strtod(v.c_str(), &end);
                        if (v == "<null>" || end == v.c_str() || *end != '\0') continue;
                        const char *what = std::isnan(x)      ? "NaN"
                                           : std::isinf(x)    ? "an infinity"
                                           : x < 0            ? "a negative number"
                                           : x > call.at_most ? "a probability above 1"
                                                              : nullptr;
                        if (what)
                            AddFinding(st, call, "wrong result",
                                       call.function + " returned " + what + " (" + v + ")",
                                       call.function + " " + what);
                    }
            if (call.oracle && o.kind == Outcome::Ok && !o.rows.empty()) {
                const std::string &got = o.rows[0][0];
                if (got != call.expected_total &&
                    !(call.expected_total == "<null>" && got == "<null>"))
                    AddFinding(st, call, "wrong result",
                               "sum(revenue) over " + call.oracle_table + " is " + got +
                                   ", the rows' net amount is " + call.expected_total,
                               call.oracle_table);
                if (call.expect_nonnegative && o.rows[0][1] != "0")
                    AddFinding(st, call, "wrong result",
                               o.rows[0][1] + " rows with negative revenue on positive amounts (" +
                                   call.oracle_table + ")",
                               call.oracle_table + " negative");
            }
        }
        if (!lost && conn.InTransaction()) {
            Outcome rb = conn.Exec("ROLLBACK", 30);
            if (rb.kind == Outcome::Lost) lost = true;
        }
        if (call_ok)
            ++st.ok_by_function[call.function];
        else
            ++st.err_by_function[call.function];

        // Alive? Canaries untouched?
        Canary now;
        std::string why;
        if (lost || !ReadCanary(conn, now, &why)) {
            if (!lost && !conn.Alive()) {
                AddFinding(st, call, "crash", "connection lost in the check after the call: " + why,
                           call.function);
                ++st.crashes;
            } else if (!lost) {
                AddFinding(st, call, "check failed", "the check after the call failed: " + why, "");
            }
            ++st.reconnects;
            if (!conn.Connect(300) || !ReadCanary(conn, now)) {
                std::fprintf(stderr, "ca_fuzz: the server did not come back: %s\n",
                             conn.last_error().c_str());
                AddFinding(st, call, "no reconnect", conn.last_error(), "");
                break;
            }
            canary = now;
        } else if (now != canary) {
            if (now.seq != canary.seq)
                AddFinding(st, call, "injection",
                           "fuzz_seq advanced (" + canary.seq + " -> " + now.seq +
                               "): a statement appended to an inner query ran",
                           "seq");
            if ((now.canary_seq != canary.canary_seq || now.canary_rows != "0") && !hijack_seen)
                AddFinding(
                    st, call, "search_path hijack",
                    "fuzz_canary_seq advanced or fuzz_canary has rows (" + now.canary_rows + ")",
                    "canary");
            if (now.canary_rows != "0") conn.Exec("DELETE FROM public.fuzz_canary", 30);
            canary = now;
        }
        const std::vector<std::string> crash_lines = log.NewCrashLines();
        for (std::size_t k = 0; k < crash_lines.size(); ++k) {
            const std::string &line = crash_lines[k];
            if (line.find("Failed process was running") != std::string::npos) continue;
            std::string detail = "server log: " + OneLine(line, 200);
            if (k + 1 < crash_lines.size() &&
                crash_lines[k + 1].find("Failed process was running") != std::string::npos)
                detail += " / " + OneLine(crash_lines[k + 1], 300);
            AddFinding(st, call, "crash", detail, call.function, true);
        }
        if (opt.verbose)
            std::printf("call %ld %s/%s: %s\n", index, call.function.c_str(), call.shape.c_str(),
                        call_ok ? "ok" : first_error.c_str());
        if (st.calls >= next_report) {
            std::fprintf(stderr, "ca_fuzz: %ld calls, %.0f s, %zu findings\n", st.calls, elapsed(),
                         st.findings.size());
            next_report += opt.calls >= 100000 || opt.seconds >= 600 ? 10000 : 1000;
        }
    }
    const double secs = elapsed();

    // The log once more (a crash report can come after the check of the last call).
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(log.enabled() ? 500 : 0));
        Call last;
        last.function = "after the last call";
        for (const std::string &line : log.NewCrashLines())
            if (line.find("Failed process was running") == std::string::npos)
                AddFinding(st, last, "crash", "server log: " + OneLine(line, 300), "after");
    }
    const long log_crashes = log.crash_lines();
    // A function that never succeeded was not exercised at all (say, it was not found): the run
    // proves nothing about it.
    for (const auto &[f, n] : st.by_function)
        if (n >= 100 && st.ok_by_function[f] == 0) {
            Call c;
            c.function = f;
            AddFinding(st, c, "not exercised",
                       "none of its " + std::to_string(n) + " calls succeeded", "");
        }
    for (const std::string &f : uncalled) {
        Call c;
        c.function = f;
        AddFinding(st, c, "not exercised", "never called: ca_fuzz has no generator for it",
                   "uncalled");
    }

    std::printf("# ca_fuzz seed %llu: %ld calls (%ld statements) in %.1f s, %.1f calls/s\n",
                static_cast<unsigned long long>(opt.seed), st.calls, st.statements, secs,
                secs > 0 ? st.calls / secs : 0.0);
    std::printf("# by function (calls, ok, error):\n");
    for (const auto &[f, n] : st.by_function)
        std::printf("#   %-32s %8ld %8ld %8ld\n", f.c_str(), n, st.ok_by_function[f],
                    st.err_by_function[f]);
    std::printf("# by shape:");
    for (const auto &[s, n] : st.by_shape) std::printf(" %s %ld", s.c_str(), n);
    std::printf("\n# errors by SQLSTATE (statements):");
    std::vector<std::pair<long, std::string>> states;
    for (const auto &[s, n] : st.by_sqlstate) states.push_back({-n, s});
    std::sort(states.begin(), states.end());
    for (const auto &[n, s] : states) std::printf(" %s %ld", s.c_str(), -n);
    std::printf("\n# lost connections %ld, reconnects %ld, crash lines in the server log %ld%s\n",
                st.crashes, st.reconnects, log_crashes, log.enabled() ? "" : " (no log watched)");
    std::printf("# findings: %zu distinct\n", st.findings.size());
    std::vector<const Finding *> fs;
    for (const auto &[k, f] : st.findings) fs.push_back(&f);
    std::sort(fs.begin(), fs.end(), [](const Finding *a, const Finding *b) {
        return a->kind != b->kind ? a->kind < b->kind : a->detail < b->detail;
    });
    int i = 0;
    for (const Finding *f : fs) {
        std::string functions;
        for (const std::string &fn : f->functions)
            functions += (functions.empty() ? "" : ", ") + fn;
        std::printf(
            "#\n# finding %d: %s in %s (%ld times, first at call %ld)\n#   %s\n"
            "#   reproduce:\n",
            ++i, f->kind.c_str(), functions.c_str(), f->count, f->first_call,
            OneLine(f->detail, 300).c_str());
        std::istringstream lines(f->repro);
        std::string line;
        while (std::getline(lines, line)) std::printf("#     %s\n", OneLine(line, 40000).c_str());
    }
    const bool good = st.findings.empty();
    std::printf("%s - fuzz (%ld calls, %.0f s, seed %llu, %zu findings)\n", good ? "ok" : "not ok",
                st.calls, secs, static_cast<unsigned long long>(opt.seed), st.findings.size());
    return good ? 0 : 1;
}
