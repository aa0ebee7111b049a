#!/usr/bin/env bash
# Runs every ```sql block of README.md and docs/*.md against the server in PGHOST/PGPORT, in a
# fresh database with the tables the examples use (order_lines, orders, customers, order_items) filled from the
# generated sample. Prints "ok - FILE block N" or "not ok - FILE block N" per block; exits non-zero
# when any block fails. Blocks fenced as ```text are signatures, not run.
set -uo pipefail
cd "$(dirname "$0")/.."
db=ca_docs_examples
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" \
    -c "CREATE DATABASE $db" \
    -c "ALTER DATABASE $db SET search_path = \"\$user\", public, customer_analytics" || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL' || exit 1
CREATE EXTENSION customer_analytics;
CREATE TABLE order_lines (order_id bigint, customer_id bigint, ordered_at timestamp, amount numeric);
\copy order_lines FROM PROGRAM 'tools/ca_generate_orders --lines --customers 2000 --orders 20000 --seed 42 2>/dev/null' WITH (FORMAT csv)
CREATE TABLE orders AS
SELECT customer_id, order_id, max(ordered_at) AS ordered_at, sum(amount) AS amount
FROM order_lines GROUP BY customer_id, order_id;
CREATE TABLE customers AS SELECT g::bigint AS id, 'customer ' || g AS name FROM generate_series(1, 2000) g;
-- Order items for the market-basket examples: one of 40 items per order line, spread by a hash.
CREATE TABLE order_items AS
SELECT order_id, customer_id, 1 + abs(hashtext(order_id::text || '/' || ordered_at::text || '/' || amount::text)) % 40 AS item,
       1 AS quantity
FROM order_lines;
SQL

failed=0
for doc in README.md docs/*.md; do
    n=0
    while IFS= read -r -d $'\x1e' block; do
        n=$((n + 1))
        # The examples start with CREATE EXTENSION; the database has it already.
        block="${block//CREATE EXTENSION customer_analytics;/CREATE EXTENSION IF NOT EXISTS customer_analytics;}"
        if out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "SET client_min_messages = warning" -c "$block" 2>&1 >/dev/null); then
            echo "ok - $doc block $n"
        else
            echo "not ok - $doc block $n"; echo "$out" | sed 's/^/    /'
            failed=$((failed + 1))
        fi
    done < <(awk '/^```sql[[:space:]]*$/ {inside=1; next} /^```/ && inside {inside=0; printf "\x1e"; next} inside {print}' "$doc")
done
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db"
[ "$failed" -eq 0 ]
