#include "door.hpp"

#include <algorithm>
#include <cstring>
#include <new>

#include "errors.hpp"
#include "settings.hpp"

namespace ca {
namespace pg {

namespace {

// What a caught C++ exception becomes. Plain arrays: filled inside the catch block without
// allocating, reported after it.
struct PendingReport {
    int sqlstate = 0;
    char message[1024] = {0};
    char detail[1024] = {0};
    char hint[1024] = {0};
};

// Copies at most 1023 bytes, cutting before a UTF-8 continuation byte so that no character is
// split.
void CopyText(char (&into)[1024], const char *from) {
    std::size_t n = std::strlen(from);
    if (n > sizeof into - 1) {
        n = sizeof into - 1;
        while (n > 0 && (static_cast<unsigned char>(from[n]) & 0xC0) == 0x80) --n;
    }
    std::memcpy(into, from, n);
    into[n] = '\0';
}

MemoryContext error_copy_context = nullptr;

// True while a RowSink runs inside the executor's receiveSlot.
bool in_executor_callback = false;

int SqlStateOf(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::InvalidParameter:
            return ERRCODE_INVALID_PARAMETER_VALUE;
        case ErrorKind::DataException:
            return ERRCODE_DATA_EXCEPTION;
        case ErrorKind::MemoryLimit:
            return ERRCODE_OUT_OF_MEMORY;
        case ErrorKind::Cancelled:
            return ERRCODE_QUERY_CANCELED;
    }
    return ERRCODE_INTERNAL_ERROR;
}

}  // namespace

MemoryContext ErrorCopyContext() {
    return error_copy_context;
}

void CreateErrorCopyContext() {
    error_copy_context =
        AllocSetContextCreate(TopMemoryContext, "customer_analytics errors", ALLOCSET_SMALL_SIZES);
}

Datum Door(FunctionCallInfo fcinfo, Body body) {
    MemoryContextReset(error_copy_context);
    ErrorData *pg_error = nullptr;
    PendingReport report;
    Datum result = (Datum)0;
    try {
        result = body(fcinfo);
    } catch (const PgError &e) {
        pg_error = e.edata;
    } catch (const Error &e) {
        report.sqlstate = SqlStateOf(e.kind());
        CopyText(report.message, e.what());
        CopyText(report.detail, e.detail().c_str());
        CopyText(report.hint, e.hint().c_str());
    } catch (const SqlError &e) {
        report.sqlstate = e.sqlstate();
        CopyText(report.message, e.what());
        CopyText(report.detail, e.detail().c_str());
        CopyText(report.hint, e.hint().c_str());
    } catch (const std::bad_alloc &) {
        report.sqlstate = ERRCODE_OUT_OF_MEMORY;
        CopyText(report.message, "out of memory in customer_analytics");
        CopyText(report.hint,
                 "The server could not allocate memory; lower customer_analytics.memory_limit "
                 "so that the limit is reached first, or pass fewer rows.");
    } catch (const std::exception &e) {
        report.sqlstate = ERRCODE_INTERNAL_ERROR;
        CopyText(report.message, e.what());
    } catch (...) {
        report.sqlstate = ERRCODE_INTERNAL_ERROR;
        CopyText(report.message, "unknown C++ exception in customer_analytics");
    }
    // Every C++ frame below this one is gone; longjmp is safe from here on.
    in_executor_callback = false;
    if (pg_error != nullptr) ReThrowError(pg_error);
    // A cancel noticed where PostgreSQL could not be called (a RowSink): let PostgreSQL raise its
    // own error now (57014 with its message, or FATAL on termination).
    if (report.sqlstate == ERRCODE_QUERY_CANCELED) CHECK_FOR_INTERRUPTS();
    if (report.sqlstate != 0) {
        ereport(ERROR, (errcode(report.sqlstate), errmsg_internal("%s", report.message),
                        report.detail[0] ? errdetail_internal("%s", report.detail) : 0,
                        report.hint[0] ? errhint("%s", report.hint) : 0));
    }
    return result;
}

void InterruptHook(void *) {
    if (likely(!InterruptPending)) return;
    if (in_executor_callback) {
        // Other interrupts (parallel worker messages, barriers) wait for the executor's next own
        // check, a row later.
        if (QueryCancelPending || ProcDiePending)
            throw Error(ErrorKind::Cancelled, "canceling statement due to user request");
        return;
    }
    Guard([] { CHECK_FOR_INTERRUPTS(); });
}

void ExecutorCallbackBegin() noexcept {
    in_executor_callback = true;
}

void ExecutorCallbackEnd() noexcept {
    in_executor_callback = false;
}

std::size_t MemoryLimitBytes() {
    constexpr std::size_t kFloor = std::size_t{256} * 1024 * 1024;
    if (memory_limit_kb > 0) return static_cast<std::size_t>(memory_limit_kb) * 1024;
    return std::max(static_cast<std::size_t>(work_mem) * 1024 * 4, kFloor);
}

void Notice(const std::string &message, const std::string &detail) {
    const char *m = message.c_str();
    const char *d = detail.c_str();
    Guard([&] { ereport(NOTICE, (errmsg("%s", m), errdetail("%s", d))); });
}

void Warning(const std::string &message, const std::string &detail, const std::string &hint) {
    const char *m = message.c_str();
    const char *d = detail.c_str();
    const char *h = hint.c_str();
    Guard([&] { ereport(WARNING, (errmsg("%s", m), errdetail("%s", d), errhint("%s", h))); });
}

}  // namespace pg
}  // namespace ca
