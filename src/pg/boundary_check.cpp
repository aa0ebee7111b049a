// boundary_check(kind, n): exercises each path through the door from SQL, so the regression tests
// can prove them in a real backend (sql/boundary.sql). Superuser only.
#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "args.hpp"
#include "door.hpp"
#include "exec_context.hpp"
#include "inner_query.hpp"

namespace {

// Objects of this type count themselves, so a test can see that C++ destructors ran when an
// error or a cancel unwound the stack.
std::int64_t live_trackers = 0;
struct Tracker {
    Tracker() { ++live_trackers; }
    ~Tracker() { --live_trackers; }
    Tracker(const Tracker &) = delete;
    Tracker &operator=(const Tracker &) = delete;
};

}  // namespace

CA_FUNCTION(ca_boundary_check) {
    const std::string kind = ca::pg::RequiredTextArg(fcinfo, 0, "kind");
    const std::int64_t n = PG_GETARG_INT64(1);
    Tracker tracker;
    if (kind == "ok") return Int64GetDatum(n);
    if (kind == "live_objects") return Int64GetDatum(live_trackers - 1);
    if (kind == "invalid_parameter")
        throw ca::InvalidParameter("boundary check: invalid parameter",
                                   "n is " + std::to_string(n) + ".",
                                   "This error is raised on purpose.");
    if (kind == "data_exception") throw ca::DataException("boundary check: data exception");
    if (kind == "cancelled") throw ca::Error(ca::ErrorKind::Cancelled, "boundary check: cancelled");
    if (kind == "bad_alloc") throw std::bad_alloc();
    if (kind == "std_exception") throw std::runtime_error("boundary check: std::runtime_error");
    if (kind == "unknown") throw 42;
    if (kind == "pg_error") {
        ca::pg::Guard([] {
            ereport(ERROR, (errcode(ERRCODE_DIVISION_BY_ZERO), errmsg("boundary check: pg error")));
        });
        return Int64GetDatum(0);
    }
    ca::ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    if (kind == "memory") {
        // Allocate n bytes through the budget, as core containers do.
        auto bytes = ca::MakeBudgetVector<char>(ctx);
        bytes.resize(static_cast<std::size_t>(n < 0 ? 0 : n));
        return Int64GetDatum(static_cast<std::int64_t>(ctx.peak()));
    }
    if (kind == "spin") {
        // A core-style loop that only stops when the hook says so (or after n > 0 iterations):
        // with statement_timeout it must end with 57014 and unwind `work` and the trackers.
        std::vector<std::uint64_t> work(1024, 1);
        Tracker inner;
        std::uint64_t acc = 0;
        for (std::int64_t i = 0; n <= 0 || i < n; ++i) {
            ctx.Tick();
            acc += work[static_cast<std::size_t>(i) % work.size()] * static_cast<std::uint64_t>(i);
        }
        return Int64GetDatum(static_cast<std::int64_t>(acc & 0x7fffffff));
    }
    if (kind == "sink_spin") {
        // The same loop inside a RowSink, i.e. inside the executor's receiveSlot: the hook must
        // not call PostgreSQL there; it throws, the executor stops, and the door raises
        // PostgreSQL's own cancel error afterwards.
        struct SpinSink : ca::pg::RowSink {
            ca::ExecContext *ctx;
            std::int64_t n;
            std::int64_t rows = 0;
            void Row(const ca::pg::Value *) override {
                Tracker inner;
                for (std::int64_t i = 0; n <= 0 || i < n; ++i) ctx->Tick();
                ++rows;
            }
        } sink;
        sink.ctx = &ctx;
        sink.n = n;
        ca::pg::SpiSession spi;
        ca::pg::StreamQuery("SELECT g FROM pg_catalog.generate_series(1, 1000) AS g",
                            {ca::pg::Conversion::Int64}, sink);
        spi.Finish();
        return Int64GetDatum(sink.rows);
    }
    throw ca::InvalidParameter("unknown boundary check \"" + kind + "\"", {},
                               "Valid kinds are ok, live_objects, invalid_parameter, "
                               "data_exception, cancelled, bad_alloc, std_exception, unknown, "
                               "pg_error, memory, spin and sink_spin.");
}
