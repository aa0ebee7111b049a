#include "orders_reader.hpp"

#include <string_view>
#include <vector>

#include "door.hpp"
#include "inner_query.hpp"

namespace ca {
namespace pg {

namespace {

constexpr const char *kOrdersExample =
    "SELECT customer_id, ordered_at, amount [, order_id] FROM orders";

// Rows are handled in batches: first every customer's slot in the index is prefetched, then the
// consumer's state, so that the cache misses of a batch overlap (ids arrive in random order; each
// miss would otherwise stall the row).
class OrdersSink : public RowSink {
  public:
    OrdersSink(ca::CustomerIndex &index, ca::OrderConsumer &consumer, bool grouped,
               bool fingerprint)
        : index_(index),
          consumer_(consumer),
          integer_ids_(index.kind() == ca::CustomerIndex::KeyKind::Integer),
          grouped_(grouped),
          fingerprint_(fingerprint) {
        batch_.reserve(kBatch);
    }

    void Row(const Value *v) override {
        // Columns: id, then ordered_at, amount (rows), or lines, bad, after, at, amount (orders).
        Pending p;
        ca::Order &order = p.order;
        const Value &time = grouped_ ? v[4] : v[1];
        const Value &amount = grouped_ ? v[5] : v[2];
        order.has_time = !time.isnull;
        order.time = time.i64;
        order.has_amount = !amount.isnull;
        order.amount = amount.money;
        order.decimals = amount.decimals;
        if (grouped_) {
            order.lines = v[1].i64;
            order.bad_lines = v[2].i64;
            order.after_lines = v[3].i64;
        } else {
            order.bad_lines = (order.has_time && order.has_amount) ? 0 : 1;
        }
        p.null_id = v[0].isnull;
        if (!p.null_id) {
            if (integer_ids_) {
                p.int_id = v[0].i64;
            } else {
                // The text is only valid during this call: keep a copy for the batch, and its
                // hash, which the index and the fingerprint both use.
                p.bytes_offset = batch_bytes_.size();
                p.bytes_len = v[0].len;
                p.hash = ca::CustomerIndex::HashBytes(std::string_view(v[0].ptr, v[0].len));
                batch_bytes_.append(v[0].ptr, v[0].len);
            }
        }
        if (fingerprint_) AddToFingerprint(p);
        ++summary_.rows;
        batch_.push_back(p);
        if (batch_.size() == kBatch) Flush();
    }

    const OrdersReadSummary &summary() const { return summary_; }

    // Hands the rows still in the batch over.
    void Flush() {
        std::uint32_t customers[kBatch];
        const std::size_t n = batch_.size();
        for (std::size_t i = 0; i < n; ++i) {
            if (batch_[i].null_id) continue;
            if (integer_ids_)
                index_.Prefetch(batch_[i].int_id);
            else
                index_.PrefetchHash(batch_[i].hash);
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (batch_[i].null_id) continue;
            customers[i] = integer_ids_ ? index_.FindOrAdd(batch_[i].int_id)
                                        : index_.FindOrAdd(BytesOf(batch_[i]), batch_[i].hash);
            consumer_.Prefetch(customers[i]);
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (batch_[i].null_id)
                consumer_.AddNullCustomer(batch_[i].order.lines);
            else
                consumer_.Add(customers[i], batch_[i].order);
        }
        batch_.clear();
        batch_bytes_.clear();
    }

  private:
    static std::uint64_t Mix(std::uint64_t x) { return ca::CustomerIndex::Mix(x); }
    static constexpr std::size_t kBatch = 64;
    struct Pending {
        ca::Order order;
        bool null_id = false;
        std::int64_t int_id = 0;
        std::size_t bytes_offset = 0, bytes_len = 0;
        std::uint64_t hash = 0;  // Bytes ids: CustomerIndex::HashBytes of the id
    };
    std::string_view BytesOf(const Pending &p) const {
        return std::string_view(batch_bytes_.data() + p.bytes_offset, p.bytes_len);
    }

    // A sum of per-row hashes, which does not depend on the order the rows arrive in. Each field
    // times its own odd constant, summed, then mixed: two mixes a row.
    void AddToFingerprint(const Pending &p) {
        const ca::Order &order = p.order;
        const std::uint64_t fields =
            (static_cast<std::uint64_t>(order.has_time) |
             static_cast<std::uint64_t>(order.has_amount) << 1 |
             static_cast<std::uint64_t>(p.null_id) << 2) +
            0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(order.has_time ? order.time : 0) +
            0xc2b2ae3d27d4eb4fULL *
                static_cast<std::uint64_t>(order.has_amount ? order.amount : 0) +
            0x165667b19e3779f9ULL *
                static_cast<std::uint64_t>(order.has_amount ? order.amount >> 64 : 0) +
            0x27d4eb2f165667c5ULL * (static_cast<std::uint64_t>(order.lines) ^
                                     static_cast<std::uint64_t>(order.bad_lines) << 21 ^
                                     static_cast<std::uint64_t>(order.after_lines) << 42);
        std::uint64_t h = Mix(fields);
        if (!p.null_id) h = Mix(h ^ (integer_ids_ ? static_cast<std::uint64_t>(p.int_id) : p.hash));
        summary_.fingerprint += h;
    }

    ca::CustomerIndex &index_;
    ca::OrderConsumer &consumer_;
    bool integer_ids_;
    bool grouped_;
    bool fingerprint_;
    std::vector<Pending> batch_;
    std::string batch_bytes_;
    OrdersReadSummary summary_;
};

// The query streamed to OrdersSink: the rows as they are, or one row per (customer, order) built
// by PostgreSQL: its latest usable line time, the net amount of its usable lines, and the line
// counts. Every function, operator and type is named with its schema: the caller's search_path
// reaches only the user's own query. Values go in `params` ($1, $2, ...), never into the text.
std::string OrdersQuery(const std::string &user_sql, const OrdersSource &source,
                        const OrdersRead &read, std::vector<QueryParam> &params) {
    const std::string src = "(" + SubqueryText(user_sql, "orders_sql") + "\n) AS q";
    const std::string id = source.customer.Expression("q.customer_id");
    std::string t = "q.ordered_at";
    if (read.time == OrderTime::SessionLocal) {
        t = "q.ordered_at::pg_catalog.timestamp";
    } else if (read.time == OrderTime::ZoneLocal) {
        // The zone text lives in `read`, which outlives the query.
        Datum zone = 0;
        const char *name = read.zone.c_str();
        Guard([&] { zone = CStringGetTextDatum(name); });
        params.push_back({TEXTOID, zone});
        t = "pg_catalog.timezone($" + std::to_string(params.size()) +
            "::pg_catalog.text, q.ordered_at)";
    }
    if (!read.grouped) return "SELECT " + id + ", " + t + ", q.amount FROM " + src;
    const std::string usable =
        "q.ordered_at IS NOT NULL AND q.amount IS NOT NULL AND "
        "q.order_id IS NOT NULL AND pg_catalog.isfinite(q.ordered_at)";
    std::string counted = usable;
    std::string after = "0::pg_catalog.int8";
    if (read.has_bound) {
        params.push_back({read.bound_type, read.bound});
        const std::string in_bound =
            t +
            (read.bound_inclusive ? " OPERATOR(pg_catalog.<=) $" : " OPERATOR(pg_catalog.<) $") +
            std::to_string(params.size());
        counted = usable + " AND " + in_bound;
        after = "pg_catalog.count(*) FILTER (WHERE " + usable + " AND NOT (" + in_bound + "))";
    }
    return "SELECT " + id + ", pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE NOT (" +
           usable + ")), " + after + ", pg_catalog.max(" + t + ") FILTER (WHERE " + counted +
           "), pg_catalog.sum(q.amount) FILTER (WHERE " + counted + ") FROM " + src + " GROUP BY " +
           id + ", q.order_id";
}

}  // namespace

OrdersSource DescribeOrders(const std::string &orders_sql) {
    const std::vector<Oid> times = {DATEOID, TIMESTAMPOID, TIMESTAMPTZOID};
    const std::vector<Oid> amounts = {INT2OID, INT4OID, INT8OID, NUMERICOID, FLOAT4OID, FLOAT8OID};
    const auto found = DescribeInnerQuery(
        orders_sql, "orders_sql",
        {{"customer_id", true, {}, "", ""},
         {"ordered_at", true, times, "date, timestamp or timestamptz", "timestamptz"},
         {"amount", true, amounts, "a number (numeric, integer or double precision)", "numeric"},
         {"order_id", false, {}, "", ""}},
        kOrdersExample);
    OrdersSource source;
    source.customer = DescribeKey(found[0]);
    source.time_type = found[1].type;
    source.has_order_id = found[3].present();
    if (source.has_order_id) source.order = DescribeKey(found[3]);
    return source;
}

OrdersReadSummary ReadOrders(const std::string &orders_sql, const OrdersSource &source,
                             const OrdersRead &read, ca::CustomerIndex &index,
                             ca::OrderConsumer &consumer) {
    OrdersSink sink(index, consumer, read.grouped, read.fingerprint);
    const Conversion id = source.customer.StreamConversion();
    std::vector<Conversion> conversions = {id, Conversion::Time, Conversion::Money};
    if (read.grouped)
        conversions = {id,
                       Conversion::Int64,
                       Conversion::Int64,
                       Conversion::Int64,
                       Conversion::Time,
                       Conversion::Money};
    std::vector<QueryParam> params;
    const std::string query = OrdersQuery(orders_sql, source, read, params);
    StreamQuery(query, conversions, sink, params);
    sink.Flush();
    return sink.summary();
}

void ReadDistinctOrderRows(const std::string &orders_sql, const OrdersSource &source,
                           RowSink &sink) {
    std::string day = "q.ordered_at";  // a date is its own day
    if (source.time_type == TIMESTAMPOID)
        day = "q.ordered_at::pg_catalog.date";
    else if (source.time_type == TIMESTAMPTZOID)
        day = "(q.ordered_at::pg_catalog.timestamp)::pg_catalog.date";  // session time zone
    std::string query = "SELECT " + source.customer.Expression("q.customer_id") +
                        ", q.ordered_at, q.amount, " + day + ", pg_catalog.count(*)";
    std::vector<Conversion> conversions = {source.customer.StreamConversion(), Conversion::Time,
                                           Conversion::Money, Conversion::Time, Conversion::Int64};
    if (source.has_order_id) {
        query += ", " + source.order.Expression("q.order_id");
        conversions.push_back(source.order.StreamConversion());
    }
    query += " FROM (" + SubqueryText(orders_sql, "orders_sql") + "\n) AS q GROUP BY 1, 4";
    query += source.has_order_id ? ", 6, 2, 3 ORDER BY 1, 4, 6" : ", 2, 3 ORDER BY 1, 4";
    StreamQuery(query, conversions, sink);
}

void ReportSkippedRows(const char *function, const ca::SkippedRows &s, const char *after_bound,
                       std::int64_t customers, const char *customers_reason) {
    const std::int64_t rows = s.total();
    if (rows == 0 && (customers == 0 || customers_reason == nullptr)) return;
    std::string message =
        std::string(function) + " skipped " + std::to_string(rows) + " input rows";
    std::string detail = std::to_string(s.null_customer_rows) + " rows had a null customer_id, " +
                         std::to_string(s.null_field_rows) +
                         " a null or infinite ordered_at or a null amount (or order_id)";
    if (after_bound != nullptr)
        detail += ", " + std::to_string(s.after_bound_rows) + " were " + after_bound;
    if (customers_reason != nullptr) {
        message += " and " + std::to_string(customers) + " customers";
        detail += "; " + std::to_string(customers) + " customers " + customers_reason;
    }
    detail += ".";
    Notice(message, detail);
}

}  // namespace pg
}  // namespace ca
