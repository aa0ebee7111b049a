#include "inner_query.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "door.hpp"
#include "pg_money.hpp"

namespace ca {
namespace pg {

namespace {

std::string ColumnList(TupleDesc desc) {
    std::string list;
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        if (att->attisdropped) continue;
        if (!list.empty()) list += ", ";
        list += NameStr(att->attname);
    }
    return list.empty() ? std::string("(none)") : list;
}

}  // namespace

namespace {

// True when `sql` (white space and trailing semicolons aside) is nothing but a table name:
// name, schema.name or database.schema.name, each part an identifier or a "quoted" one.
bool IsTableName(const std::string &sql, std::string &name) {
    std::size_t begin = 0, end = sql.size();
    const auto space = [](char c) { return std::strchr(" \t\r\n\f\v", c) != nullptr && c != 0; };
    while (begin < end && space(sql[begin])) ++begin;
    while (end > begin && (space(sql[end - 1]) || sql[end - 1] == ';')) --end;
    const auto ident_start = [](unsigned char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
    };
    const auto ident_char = [&](unsigned char c) {
        return ident_start(c) || (c >= '0' && c <= '9') || c == '$';
    };
    std::size_t i = begin;
    for (int part = 0; part < 3; ++part) {
        if (i < end && sql[i] == '"') {
            ++i;
            for (;;) {
                if (i >= end) return false;
                if (sql[i] == '"') {
                    if (i + 1 < end && sql[i + 1] == '"') {
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                ++i;
            }
        } else if (i < end && ident_start(static_cast<unsigned char>(sql[i]))) {
            while (i < end && ident_char(static_cast<unsigned char>(sql[i]))) ++i;
        } else {
            return false;
        }
        if (i == end) {
            name = sql.substr(begin, end - begin);
            return true;
        }
        if (sql[i] != '.') return false;
        ++i;
    }
    return false;
}

}  // namespace

std::string SubqueryText(const std::string &user_sql, const char *what) {
    // A bare table name is read as TABLE name (docs/rfm.md, "orders_sql").
    std::string table;
    const std::string sql = IsTableName(user_sql, table) ? "TABLE " + table : user_sql;
    int statements = 0;
    bool select = false;
    int location = 0, length = 0;
    const char *text = sql.c_str();
    Guard([&] {
        List *parsed = pg_parse_query(text);
        statements = list_length(parsed);
        if (statements == 1) {
            const RawStmt *raw = linitial_node(RawStmt, parsed);
            select = IsA(raw->stmt, SelectStmt);
            location = raw->stmt_location;
            length = raw->stmt_len;
        }
    });
    if (statements != 1)
        throw SqlError(ERRCODE_SYNTAX_ERROR, std::string(what) + " must be a single query",
                       std::string("It holds ") + std::to_string(statements) + " statements.",
                       "Pass one SELECT statement, without a semicolon between statements.");
    if (!select)
        throw SqlError(ERRCODE_SYNTAX_ERROR, std::string(what) + " must be a SELECT query", {},
                       "Pass a SELECT (or VALUES, TABLE or WITH ... SELECT) statement, or a table "
                       "name.");
    // The statement's own text: what follows its semicolon (white space, comments) is left out.
    const std::size_t from = static_cast<std::size_t>(location < 0 ? 0 : location);
    return length > 0 ? sql.substr(from, static_cast<std::size_t>(length)) : sql.substr(from);
}

namespace {

// Plans `sql` with `params` as $1, $2, ... (constants to the planner, so a custom plan may use
// them), allowing parallel workers. Exactly one statement, whatever the text: SubqueryText
// keeps user text from adding statements, and this is the second line of that defence. Call
// inside Guard.
SPIPlanPtr PrepareOne(const char *sql, int nparams, Oid *types) {
    SPIPlanPtr plan =
        SPI_prepare_cursor(sql, nparams, types, CURSOR_OPT_PARALLEL_OK | CURSOR_OPT_CUSTOM_PLAN);
    if (plan == nullptr)
        elog(ERROR, "customer_analytics: SPI_prepare failed: %s",
             SPI_result_code_string(SPI_result));
    if (list_length(SPI_plan_get_plan_sources(plan)) != 1)
        elog(ERROR, "customer_analytics: a generated query holds more than one statement");
    return plan;
}

// The result columns of `probe`, planned and not run. Call inside Guard.
void DescribePlanned(const char *probe, const char *what, TupleDesc &desc) {
    SPIPlanPtr plan = PrepareOne(probe, 0, nullptr);
    auto *source = static_cast<CachedPlanSource *>(linitial(SPI_plan_get_plan_sources(plan)));
    if (source->resultDesc == nullptr)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s must be a query that returns rows", what)));
    desc = CreateTupleDescCopy(source->resultDesc);
    SPI_freeplan(plan);
}

}  // namespace

std::vector<ColumnFound> DescribeInnerQuery(const std::string &sql, const char *what,
                                            const std::vector<ColumnSpec> &specs,
                                            const char *example) {
    // Planned, never run: describing the columns runs none of the user's functions.
    const std::string probe = "SELECT * FROM (" + SubqueryText(sql, what) + "\n) AS ca_inner";
    TupleDesc desc = nullptr;
    bool empty_search_path = false;
    try {
        Guard([&] {
            List *path = fetch_search_path(false);
            empty_search_path = path == NIL;
            list_free(path);
            DescribePlanned(probe.c_str(), what, desc);
        });
    } catch (PgError &e) {
        // pg_restore and pg_dump run with an empty search_path: an unqualified table in a view's
        // orders_sql is not found there. Say so (a plain string: no PostgreSQL call until the
        // door rethrows, and ReThrowError copies it).
        static const char kQualifyHint[] =
            "The search_path is empty (as during pg_restore): name tables in the query with their "
            "schema, for example public.orders.";
        if (empty_search_path && e.edata->sqlerrcode == ERRCODE_UNDEFINED_TABLE &&
            e.edata->hint == nullptr)
            e.edata->hint = const_cast<char *>(kQualifyHint);
        throw;
    }

    std::vector<ColumnFound> found(specs.size());
    for (std::size_t s = 0; s < specs.size(); ++s) {
        const ColumnSpec &spec = specs[s];
        for (int i = 0; i < desc->natts; ++i) {
            Form_pg_attribute att = TupleDescAttr(desc, i);
            if (att->attisdropped || std::strcmp(NameStr(att->attname), spec.name) != 0) continue;
            if (found[s].present())
                throw SqlError(
                    ERRCODE_AMBIGUOUS_COLUMN,
                    std::string(what) + " returns more than one column named \"" + spec.name + "\"",
                    std::string("Its columns are: ") + ColumnList(desc) + ".",
                    "Give each column a distinct name with AS.");
            found[s].attno = i + 1;
            found[s].type = att->atttypid;
            found[s].collation = att->attcollation;
        }
        if (!found[s].present()) {
            if (!spec.required) continue;
            throw SqlError(ERRCODE_UNDEFINED_COLUMN,
                           std::string(what) + " must return a column named \"" + spec.name + "\"",
                           std::string("Its columns are: ") + ColumnList(desc) + ".",
                           std::string("Return columns of this shape: ") + example);
        }
        if (!spec.types.empty() &&
            std::find(spec.types.begin(), spec.types.end(), found[s].type) == spec.types.end()) {
            const char *type_name = nullptr;
            const Oid type = found[s].type;
            Guard([&] { type_name = format_type_be(type); });
            throw SqlError(
                ERRCODE_DATATYPE_MISMATCH,
                std::string("column \"") + spec.name + "\" of " + what + " has type " + type_name,
                std::string("\"") + spec.name + "\" must be of type " + spec.types_label + ".",
                std::string("Cast it in the query, for example ") + spec.name +
                    "::" + spec.cast_to + ".");
        }
    }
    return found;
}

namespace {

// A DestReceiver that converts each row to plain values and hands it to a RowSink.
struct SinkReceiver {
    DestReceiver pub;  // must come first: the executor sees a DestReceiver *
    const Conversion *conversions;
    int ncols;
    MemoryContext row_context;  // detoasted text, reset per row
    RowSink *sink;
    Value *values;
    std::exception_ptr *sink_error;
};

bool CallSink(SinkReceiver *r) noexcept {
    ExecutorCallbackBegin();
    bool ok = true;
    try {
        r->sink->Row(r->values);
    } catch (...) {
        *r->sink_error = std::current_exception();
        ok = false;
    }
    ExecutorCallbackEnd();
    return ok;
}

void ReceiverStartup(DestReceiver *self, int, TupleDesc desc) {
    auto *r = reinterpret_cast<SinkReceiver *>(self);
    if (desc->natts != r->ncols)
        elog(ERROR, "customer_analytics: generated query returned %d columns, expected %d",
             desc->natts, r->ncols);
    for (int i = 0; i < r->ncols; ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        const Oid t = att->atttypid;
        bool ok = true;
        switch (r->conversions[i]) {
            case Conversion::Int64:
                ok = t == INT8OID || t == INT4OID || t == INT2OID;
                break;
            case Conversion::Text:
                ok = t == TEXTOID || t == VARCHAROID;
                break;
            case Conversion::Time:
                ok = t == DATEOID || t == TIMESTAMPOID || t == TIMESTAMPTZOID;
                break;
            case Conversion::Money:
                ok = t == INT2OID || t == INT4OID || t == INT8OID || t == NUMERICOID ||
                     t == FLOAT4OID || t == FLOAT8OID;
                break;
        }
        if (!ok)
            elog(ERROR, "customer_analytics: generated query column %d has unexpected type %u",
                 i + 1, t);
    }
}

bool ReceiverReceive(TupleTableSlot *slot, DestReceiver *self) {
    auto *r = reinterpret_cast<SinkReceiver *>(self);
    MemoryContextReset(r->row_context);
    slot_getallattrs(slot);
    for (int i = 0; i < r->ncols; ++i) {
        Value &v = r->values[i];
        v.isnull = slot->tts_isnull[i];
        v.len = 0;
        if (v.isnull) continue;
        const Datum d = slot->tts_values[i];
        const Oid t = TupleDescAttr(slot->tts_tupleDescriptor, i)->atttypid;
        switch (r->conversions[i]) {
            case Conversion::Int64:
                v.i64 = t == INT8OID ? DatumGetInt64(d)
                                     : (t == INT4OID ? DatumGetInt32(d) : DatumGetInt16(d));
                break;
            case Conversion::Text: {
                MemoryContext old = MemoryContextSwitchTo(r->row_context);
                text *txt = DatumGetTextPP(d);
                MemoryContextSwitchTo(old);
                v.ptr = VARDATA_ANY(txt);
                v.len = VARSIZE_ANY_EXHDR(txt);
                break;
            }
            case Conversion::Time:
                if (t == DATEOID) {
                    const DateADT day = DatumGetDateADT(d);
                    if (DATE_NOT_FINITE(day))
                        v.isnull = true;
                    else if (day >= TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE)
                        // The day's midnight is no timestamp (after 294276 AD): no time scale
                        // of ours holds it, as PostgreSQL's own date-to-timestamp cast fails.
                        ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                                        errmsg("date out of range for timestamp"),
                                        errdetail("A date of the query is after 294276-12-31."),
                                        errhint("Filter such dates out in the query.")));
                    else
                        v.i64 = static_cast<std::int64_t>(day) * USECS_PER_DAY;
                } else {
                    const Timestamp ts = DatumGetTimestamp(d);
                    if (TIMESTAMP_NOT_FINITE(ts))
                        v.isnull = true;
                    else
                        v.i64 = ts;
                }
                break;
            case Conversion::Money:
                switch (t) {
                    case INT2OID:
                        v.money = ca::MoneyFromInt(DatumGetInt16(d));
                        v.decimals = 0;
                        break;
                    case INT4OID:
                        v.money = ca::MoneyFromInt(DatumGetInt32(d));
                        v.decimals = 0;
                        break;
                    case INT8OID:
                        v.money = ca::MoneyFromInt(DatumGetInt64(d));
                        v.decimals = 0;
                        break;
                    case FLOAT4OID:
                        FloatToMoney(DatumGetFloat4(d), v.money, v.decimals);
                        break;
                    case FLOAT8OID:
                        FloatToMoney(DatumGetFloat8(d), v.money, v.decimals);
                        break;
                    default: {
                        MemoryContext old = MemoryContextSwitchTo(r->row_context);
                        NumericToMoney(d, v.money, v.decimals);
                        MemoryContextSwitchTo(old);
                    }
                }
                break;
        }
    }
    return CallSink(r);
}

void ReceiverShutdown(DestReceiver *) {}
void ReceiverDestroy(DestReceiver *) {}

}  // namespace

void StreamQuery(const std::string &sql, const std::vector<Conversion> &conversions, RowSink &sink,
                 const std::vector<QueryParam> &params) {
    std::exception_ptr sink_error;
    const int ncols = static_cast<int>(conversions.size());
    const Conversion *conv = conversions.data();
    const char *text = sql.c_str();
    std::exception_ptr *error_slot = &sink_error;
    RowSink *sink_ptr = &sink;
    const int nparams = static_cast<int>(params.size());
    const QueryParam *param_values = params.data();
    Guard([=] {
        auto *r = static_cast<SinkReceiver *>(palloc0(sizeof(SinkReceiver)));
        r->pub.receiveSlot = ReceiverReceive;
        r->pub.rStartup = ReceiverStartup;
        r->pub.rShutdown = ReceiverShutdown;
        r->pub.rDestroy = ReceiverDestroy;
        r->pub.mydest = DestNone;
        r->conversions = conv;
        r->ncols = ncols;
        r->row_context = AllocSetContextCreate(CurrentMemoryContext, "customer_analytics row",
                                               ALLOCSET_SMALL_SIZES);
        r->sink = sink_ptr;
        // Value holds a 128-bit Money, which needs 16-byte alignment; palloc gives MAXALIGN.
        char *values = static_cast<char *>(palloc0(sizeof(Value) * (ncols > 0 ? ncols : 1) + 16));
        r->values = reinterpret_cast<Value *>(TYPEALIGN(16, values));
        r->sink_error = error_slot;

        Oid *types = static_cast<Oid *>(palloc(sizeof(Oid) * (nparams > 0 ? nparams : 1)));
        ParamListInfo bound = nparams > 0 ? makeParamList(nparams) : nullptr;
        for (int i = 0; i < nparams; ++i) {
            types[i] = param_values[i].type;
            bound->params[i].value = param_values[i].value;
            bound->params[i].isnull = false;
            bound->params[i].pflags = PARAM_FLAG_CONST;
            bound->params[i].ptype = param_values[i].type;
        }
        SPIPlanPtr plan = PrepareOne(text, nparams, types);

        SPIExecuteOptions options;
        std::memset(&options, 0, sizeof options);
        options.params = bound;
        options.read_only = true;
        options.dest = &r->pub;
        const int rc = SPI_execute_plan_extended(plan, &options);
        if (rc < 0)
            elog(ERROR, "customer_analytics: SPI_execute_plan_extended failed: %s",
                 SPI_result_code_string(rc));
        SPI_freeplan(plan);
        MemoryContextDelete(r->row_context);
    });
    if (sink_error) std::rethrow_exception(sink_error);
}

SpiSession::SpiSession() {
    Guard([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "customer_analytics: SPI_connect failed");
    });
    open_ = true;
}

void SpiSession::Finish() {
    if (!open_) return;
    open_ = false;
    Guard([] { SPI_finish(); });
}

SpiSession::~SpiSession() {
    // Only reached with open_ set when unwinding after an error: leave SPI to the abort.
}

}  // namespace pg
}  // namespace ca
