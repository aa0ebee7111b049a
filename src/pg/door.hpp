// The one door between PostgreSQL and C++ (see docs/architecture.md).
//
// PostgreSQL reports errors with longjmp and C++ with exceptions; neither may cross the other.
//  - CA_FUNCTION(name) defines an fmgr entry point whose body is C++. The body runs inside
//    try/catch in Door(); an exception becomes ereport(ERROR) only after every C++ frame of the
//    body has been unwound.
//  - Guard(fn) runs PostgreSQL calls that may ereport from C++ code: the error is caught with
//    PG_TRY, copied into ErrorCopyContext(), and rethrown as a C++ PgError; Door() later
//    rethrows the original PostgreSQL error (same SQLSTATE, message and context). Inside fn, keep
//    only trivially destructible locals: a PostgreSQL error skips fn's frame.
//  - InterruptHook is the core's cancel hook. Outside the executor it runs CHECK_FOR_INTERRUPTS
//    inside Guard, so query cancel and statement_timeout unwind the core as a PgError carrying
//    SQLSTATE 57014. Inside a DestReceiver callback (a RowSink, between ExecutorCallbackBegin and
//    ExecutorCallbackEnd) it calls no PostgreSQL function: when a cancel or termination is pending
//    it throws ca::Error(Cancelled), the receiver stops the executor, and once every C++ frame is
//    gone Door() runs CHECK_FOR_INTERRUPTS, which raises PostgreSQL's own error.
#pragma once

#include "pg_headers.hpp"

#include <cstddef>
#include <exception>
#include <string>

namespace ca {
namespace pg {

// A PostgreSQL error caught by Guard, copied out of ErrorContext.
struct PgError {
    ErrorData *edata;
};

// An error the glue itself raises with an explicit SQLSTATE (for example a missing column in an
// inner query, 42703). Messages follow PostgreSQL's style guide.
class SqlError : public std::exception {
  public:
    SqlError(int sqlstate, std::string message, std::string detail = {}, std::string hint = {})
        : sqlstate_(sqlstate),
          message_(std::move(message)),
          detail_(std::move(detail)),
          hint_(std::move(hint)) {}
    const char *what() const noexcept override { return message_.c_str(); }
    int sqlstate() const noexcept { return sqlstate_; }
    const std::string &detail() const noexcept { return detail_; }
    const std::string &hint() const noexcept { return hint_; }

  private:
    int sqlstate_;
    std::string message_, detail_, hint_;
};

// Where Guard() keeps a caught PostgreSQL error until Door() rethrows it. Created in _PG_init;
// Door() empties it on entry (no error is pending then).
MemoryContext ErrorCopyContext();

template <typename Fn>
void Guard(Fn &&fn) {
    MemoryContext caller_context = CurrentMemoryContext;
    ErrorData *volatile pg_error = nullptr;
    std::exception_ptr cpp_error;
    PG_TRY();
    {
        // A C++ exception must not leave through PG_TRY either: that would skip PG_END_TRY and
        // leave PG_exception_stack pointing into a dead frame.
        try {
            fn();
        } catch (...) {
            cpp_error = std::current_exception();
        }
    }
    PG_CATCH();
    {
        // The copy goes to a context of our own: the caller's context may be one the executor
        // frees before Door() gets to rethrow (a DestReceiver runs in the executor's).
        MemoryContextSwitchTo(ErrorCopyContext());
        pg_error = CopyErrorData();
        FlushErrorState();
        MemoryContextSwitchTo(caller_context);
    }
    PG_END_TRY();
    if (pg_error != nullptr) throw PgError{pg_error};
    if (cpp_error) std::rethrow_exception(cpp_error);
}

using Body = Datum (*)(FunctionCallInfo fcinfo);

// Runs body(fcinfo) and turns whatever it throws into a PostgreSQL error once its frames are gone.
Datum Door(FunctionCallInfo fcinfo, Body body);

// The core's cancel hook (ca::InterruptHook); the argument is unused.
void InterruptHook(void *unused);

// Brackets the C++ code a DestReceiver runs per row (inner_query.cpp). Not nested.
void ExecutorCallbackBegin() noexcept;
void ExecutorCallbackEnd() noexcept;

// Called once from _PG_init.
void CreateErrorCopyContext();

// customer_analytics.memory_limit in bytes (its default derived from work_mem).
std::size_t MemoryLimitBytes();

// Raises a NOTICE (what the readers say about skipped input) through Guard: sending a message can
// itself fail (out of memory, a lost client), and that error must not longjmp past C++ frames.
void Notice(const std::string &message, const std::string &detail);
// One WARNING with detail and hint (a fit that did not converge). Call outside Guard.
void Warning(const std::string &message, const std::string &detail, const std::string &hint);

}  // namespace pg
}  // namespace ca

// Defines the fmgr entry point `name` (declared in the install script as LANGUAGE C) with a C++
// body run through the door. Usage: CA_FUNCTION(ca_rfm) { ...; return datum; }
#define CA_FUNCTION(name)                              \
    static Datum name##_body(FunctionCallInfo fcinfo); \
    extern "C" {                                       \
    PG_FUNCTION_INFO_V1(name);                         \
    }                                                  \
    Datum name(PG_FUNCTION_ARGS) {                     \
        return ca::pg::Door(fcinfo, name##_body);      \
    }                                                  \
    static Datum name##_body(FunctionCallInfo fcinfo)
