-- The CLV models on the CDNOW data (Fader, Hardie & Lee 2005; read from the shared data folder,
-- CA_DATA_DIR, default ../shared/data): the 1/10th sample, weekly, calibration to 1997-09-30 as
-- in the papers. Every expected number below is a published one (the paper, BTYD's vignette,
-- Fader & Hardie's Gamma-Gamma note), not an earlier output of this extension.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
SET TimeZone = 'UTC';
\set datadir `echo "${CA_DATA_DIR:-../shared/data}"`
\set have_data `test -r "${CA_DATA_DIR:-../shared/data}/cdnow_sample.txt.gz" && echo true || echo false`
\if :have_data
CREATE TABLE cdnow_sample (master_id text, customer_id integer, day text, cds integer, dollars numeric);
\set load '\\copy cdnow_sample FROM PROGRAM ''gzip -dc "' :datadir '/cdnow_sample.txt.gz" | tr -s " " | sed "s/^ //; s/\\r$//"'' WITH (FORMAT text, DELIMITER '' '')'
:load
SELECT count(*) AS rows, count(DISTINCT customer_id) AS customers, sum(dollars) AS dollars
FROM cdnow_sample;
CREATE VIEW cdnow_orders AS
SELECT customer_id, to_date(day, 'YYYYMMDD') AS ordered_at, dollars AS amount FROM cdnow_sample;

SET client_min_messages = warning;
CREATE TABLE cdnow_calibration AS
SELECT * FROM customer_analytics.clv_summary(NULL::integer, 'SELECT * FROM cdnow_orders',
                                             '1997-09-30', 'week');
RESET client_min_messages;
-- 2,357 customers, 946 of them repeat buyers, 2,457 repeat purchases (FHL 2005, section 4).
SELECT count(*) AS customers, count(*) FILTER (WHERE frequency > 0) AS repeat_customers,
       sum(frequency) AS repeat_purchases FROM cdnow_calibration;
-- The paper's worked customer (x = 2, t_x = 30.43, T = 38.86) is a real one.
SELECT count(*) AS customers_like_the_papers_example FROM cdnow_calibration
WHERE frequency = 2 AND round(recency::numeric, 2) = 30.43 AND round(t::numeric, 2) = 38.86;

CREATE TABLE cdnow_models AS
SELECT customer_analytics.bgnbd_fit(frequency, recency, t) AS bg,
       customer_analytics.pareto_nbd_fit(frequency, recency, t) AS pn,
       customer_analytics.gamma_gamma_fit(frequency, monetary) AS gg
FROM cdnow_calibration;

-- BG/NBD: r = 0.2426, alpha = 4.4137, a = 0.7930, b = 2.4262, LL = -9582.43 (to their digits;
-- 2e-4 relative is half a unit in the fourth decimal of b).
SELECT abs((bg).r / 0.2426 - 1) < 2e-4 AS r, abs((bg).alpha / 4.4137 - 1) < 2e-4 AS alpha,
       abs((bg).a / 0.7930 - 1) < 2e-4 AS a, abs((bg).b / 2.4262 - 1) < 2e-4 AS b,
       round((bg).log_likelihood::numeric, 2) AS log_likelihood, (bg).customers, (bg).converged
FROM cdnow_models;
-- With the fitted model, the paper's customer expects 1.226 purchases in the next 39 weeks.
SELECT round(customer_analytics.bgnbd_expected_purchases(bg, 39, 2, 30.43, 38.86)::numeric, 3)
       AS expected_39_weeks
FROM cdnow_models;
-- Pareto/NBD: BTYD's r = 0.5534, alpha = 10.5802, s = 0.6061, beta = 11.6562, LL = -9594.976.
-- The likelihood is flat along s and beta and BTYD stops a little short: ours is at least as
-- high, with parameters within 0.2 %.
SELECT abs((pn).r / 0.5534 - 1) < 2e-3 AS r, abs((pn).alpha / 10.5802 - 1) < 2e-3 AS alpha,
       abs((pn).s / 0.6061 - 1) < 2e-3 AS s, abs((pn).beta / 11.6562 - 1) < 2e-3 AS beta,
       round((pn).log_likelihood::numeric, 3) AS log_likelihood, (pn).converged
FROM cdnow_models;
-- Gamma-Gamma on the 946 repeat customers: p = 6.25, q = 3.74, gamma = 15.44.
SELECT round((gg).p::numeric, 2) AS p, round((gg).q::numeric, 2) AS q,
       round((gg).gamma::numeric, 2) AS gamma, (gg).customers, (gg).converged
FROM cdnow_models;

-- Holdout (weeks 40-78) and tracking: every repeat purchase of the cohort is counted once, in
-- calibration or in the holdout.
SET client_min_messages = warning;
CREATE TABLE cdnow_holdout AS
SELECT * FROM customer_analytics.clv_holdout(NULL::integer, 'SELECT * FROM cdnow_orders',
                                             '1997-09-30', '1998-06-30');
CREATE TABLE cdnow_tracking AS
SELECT * FROM customer_analytics.clv_tracking('SELECT * FROM cdnow_orders', '1997-09-30', '1998-06-30');
RESET client_min_messages;
SELECT count(*) AS customers, min(holdout_length) = 39 AS holdout_39_weeks,
       sum(actual_purchases) AS holdout_purchases,
       (SELECT sum(frequency) FROM cdnow_holdout) + sum(actual_purchases)
         = (SELECT sum(actual) FROM cdnow_tracking) AS tracking_counts_all,
       (SELECT count(*) FROM cdnow_tracking) AS weeks,
       (SELECT count(*) FROM cdnow_tracking WHERE holdout) AS holdout_weeks
FROM cdnow_holdout;
-- lifetimes' holdout total (calibration_and_holdout_data, then the sum of BG/NBD's
-- conditional_expected_number_of_purchases_up_to_time(39, ...)): 1,653.41 of 1,882.
SELECT round(sum(expected_purchases)::numeric, 2) AS expected_holdout FROM cdnow_holdout;
-- lifetimes' predictions for the paper's customer and its CLV (ggf.customer_lifetime_value,
-- 12 months of 4.345 weeks, 1 % a month): Pareto/NBD 1.45511 and P(alive) 0.869119 (at lifetimes'
-- tight fit, the same maximum as ours), Gamma-Gamma 47.3303 (x = 2, m = 50) and 35.1704 (x = 0),
-- CLV 69.6334 with BG/NBD.
SELECT round(customer_analytics.pareto_nbd_expected_purchases(pn, 39, 2, 30.43, 38.86)::numeric, 4) AS pareto_1_4551,
       round(customer_analytics.pareto_nbd_p_alive(pn, 2, 30.43, 38.86)::numeric, 5) AS pareto_p_alive_0_86912,
       round(customer_analytics.gamma_gamma_expected_spend(gg, 2, 50)::numeric, 4) AS spend_47_3303,
       round(customer_analytics.gamma_gamma_expected_spend(gg, 0, 0)::numeric, 4) AS spend_35_1704,
       round(customer_analytics.clv(bg, gg, 2, 30.43, 38.86, 50, 12, 4.345, 0.01)::numeric, 4) AS clv_69_6334
FROM cdnow_models;
-- The holdout expectation per customer is the prediction function's.
SELECT count(*) FILTER (WHERE abs(h.expected_purchases
           - customer_analytics.bgnbd_expected_purchases(m.bg, 39, h.frequency, h.recency, h.t)) > 1e-12)
       AS mismatches
FROM cdnow_holdout AS h, cdnow_models AS m;

-- The full cohort (cdnow_master.txt.gz, 23,570 customers), against lifetimes to 1e-4 relative:
-- BG/NBD r 0.251624, alpha 4.78895, a 0.723433, b 2.16109, LL -95368.44393; Pareto/NBD (tight
-- fit) r 0.597420, alpha 11.5857, s 0.522186, beta 8.82776; Gamma-Gamma on the 9,450 repeat
-- customers with monetary > 0 (one spent $0: lifetimes refuses it, so do we) p 6.27536,
-- q 3.62445, gamma 14.9837; holdout: 19,684 actual, 16,873.7 expected by BG/NBD.
CREATE TABLE cdnow_master (customer_id integer, day text, cds integer, dollars numeric);
\set load '\\copy cdnow_master FROM PROGRAM ''gzip -dc "' :datadir '/cdnow_master.txt.gz" | tr -s " " | sed "s/^ //; s/\\r$//"'' WITH (FORMAT text, DELIMITER '' '')'
:load
CREATE VIEW cdnow_master_orders AS
SELECT customer_id, to_date(day, 'YYYYMMDD') AS ordered_at, dollars AS amount FROM cdnow_master;
SET client_min_messages = warning;
CREATE TABLE master_calibration AS
SELECT * FROM customer_analytics.clv_summary(NULL::integer, 'SELECT * FROM cdnow_master_orders',
                                             '1997-09-30');
CREATE TABLE master_holdout AS
SELECT * FROM customer_analytics.clv_holdout(NULL::integer, 'SELECT * FROM cdnow_master_orders',
                                             '1997-09-30', '1998-06-30');
RESET client_min_messages;
SELECT count(*) AS customers, count(*) FILTER (WHERE frequency > 0) AS repeat_customers,
       sum(frequency) AS repeat_purchases,
       count(*) FILTER (WHERE frequency > 0 AND monetary = 0) AS repeat_spending_nothing
FROM master_calibration;
CREATE TABLE master_models AS
SELECT customer_analytics.bgnbd_fit(frequency, recency, t) AS bg,
       customer_analytics.pareto_nbd_fit(frequency, recency, t) AS pn,
       customer_analytics.gamma_gamma_fit(frequency, monetary) FILTER (WHERE monetary > 0) AS gg
FROM master_calibration;
SELECT abs((bg).r / 0.251624 - 1) < 1e-4 AS r, abs((bg).alpha / 4.78895 - 1) < 1e-4 AS alpha,
       abs((bg).a / 0.723433 - 1) < 1e-4 AS a, abs((bg).b / 2.16109 - 1) < 1e-4 AS b,
       abs((bg).log_likelihood / -95368.44393 - 1) < 1e-9 AS log_likelihood
FROM master_models;
SELECT abs((pn).r / 0.597420 - 1) < 1e-4 AS r, abs((pn).alpha / 11.5857 - 1) < 1e-4 AS alpha,
       abs((pn).s / 0.522186 - 1) < 1e-4 AS s, abs((pn).beta / 8.82776 - 1) < 1e-4 AS beta,
       (pn).converged
FROM master_models;
SELECT abs((gg).p / 6.27536 - 1) < 1e-4 AS p, abs((gg).q / 3.62445 - 1) < 1e-4 AS q,
       abs((gg).gamma / 14.9837 - 1) < 1e-4 AS gamma, (gg).customers
FROM master_models;
SELECT sum(actual_purchases) AS actual_holdout, round(sum(expected_purchases)::numeric, 1) AS expected_holdout
FROM master_holdout;
\else
\echo SKIP: cdnow_sample.txt.gz not found in the shared data folder (set CA_DATA_DIR)
\endif
