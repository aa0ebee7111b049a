// The inner-query reader shared by every analytic (pgRouting's convention): the user passes SQL
// text returning named columns; we check names and types up front, then run a query built around
// it through SPI, with the caller's privileges and read-only, and stream the result rows to a C++
// sink without materialising them.
#pragma once

#include "pg_headers.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "money.hpp"

namespace ca {
namespace pg {

// What a column of the user's query must look like.
struct ColumnSpec {
    const char *name;
    bool required;
    std::vector<Oid> types;   // accepted types; empty = any type
    const char *types_label;  // how the detail names them, e.g. "date, timestamp or timestamptz"
    const char *cast_to;      // the type the hint suggests casting to, e.g. "timestamptz"
};

// Where each spec'd column is in the user's query (attno 0 = absent) and its type.
struct ColumnFound {
    int attno = 0;
    Oid type = InvalidOid;
    Oid collation = InvalidOid;
    bool present() const { return attno > 0; }
};

// The user's query as the text of a subquery: `sql` must be exactly one SELECT (or VALUES, TABLE,
// WITH ... SELECT) statement, so that no text of the user's can close the subquery we wrap it in
// and append statements of its own; a trailing semicolon and what follows it are dropped. A bare
// table name (orders, sales.orders, "Orders") is read as TABLE name. Throws
// SqlError 42601 otherwise, or PgError for a syntax error (positioned in the user's text). `what`
// names the argument in messages.
std::string SubqueryText(const std::string &sql, const char *what);

// Checks the user's query with SubqueryText, plans `SELECT * FROM (sql)` without running it,
// checks its columns against `specs` and returns them in spec order. `what` names the argument in
// messages ("orders_sql"); `example` is a query of the expected shape for the hint. Throws
// SqlError (42601 not one query, 42703 missing, 42804 wrong type, 42702 duplicate) or PgError (the
// query itself fails to parse or plan). Must be called between SPI_connect and SPI_finish.
std::vector<ColumnFound> DescribeInnerQuery(const std::string &sql, const char *what,
                                            const std::vector<ColumnSpec> &specs,
                                            const char *example);

// How the reader hands a result column to the sink.
enum class Conversion {
    Int64,  // int8 (int2/int4 are widened)
    Text,   // text/varchar: detoasted; ptr/len valid during the Row call only
    Time,   // date, timestamp or timestamptz as microseconds (dates at midnight); a non-finite
            // value reads as NULL; a date after the timestamp range (294276 AD) is error 22008
    Money,  // smallint, integer, bigint, numeric, real or double precision as exact ca::Money
            // (rounded to 8 decimals) and its decimal places; NaN or infinity is error 22000
};

struct Value {
    bool isnull;
    std::int64_t i64;  // Int64, Time
    const char *ptr;   // Text
    std::size_t len;   // Text: byte length
    ca::Money money;   // Money
    int decimals;      // Money: decimal places of the value as given (at most 8)
};

// Receives the result rows. It runs under PostgreSQL's executor (inside a DestReceiver's
// receiveSlot): it must not call PostgreSQL functions (it only sees plain values); whatever it
// throws stops the query and is rethrown by StreamQuery after the executor has returned. The core's
// interrupt hook may run inside it (ExecContext::Tick): there it only looks at the cancel flags and
// throws, see InterruptHook in door.hpp.
class RowSink {
  public:
    virtual ~RowSink() = default;
    virtual void Row(const Value *values) = 0;
};

// A value passed to a generated query as $1, $2, ... Values never travel as SQL text: a timestamp
// formatted with one DateStyle and parsed back can mean another instant.
struct QueryParam {
    Oid type;
    Datum value;  // not null; pass-by-reference values must outlive the StreamQuery call
};

// Runs `sql` (read-only, parallel plans allowed, `params` bound to $1, $2, ...) and calls sink.Row
// once per result row; the result must have exactly conversions.size() columns. The text must
// plan to exactly one statement (else XX000: generated SQL never holds more). Must be called
// between SPI_connect and SPI_finish.
void StreamQuery(const std::string &sql, const std::vector<Conversion> &conversions, RowSink &sink,
                 const std::vector<QueryParam> &params = {});

// SPI_connect / SPI_finish for the lifetime of a C++ scope. The destructor does not call
// SPI_finish when unwinding after an error: the transaction abort cleans SPI up.
class SpiSession {
  public:
    SpiSession();
    ~SpiSession();
    void Finish();  // call on success, before building results in the caller's context
    SpiSession(const SpiSession &) = delete;
    SpiSession &operator=(const SpiSession &) = delete;

  private:
    bool open_ = false;
};

}  // namespace pg
}  // namespace ca
