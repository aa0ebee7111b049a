// Library entry: the module magic and the settings.
#include "door.hpp"
#include "pg_headers.hpp"
#include "settings.hpp"

extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
}

namespace ca {
namespace pg {
int memory_limit_kb = -1;
}  // namespace pg
}  // namespace ca

void _PG_init(void) {
    ca::pg::CreateErrorCopyContext();
    DefineCustomIntVariable(
        "customer_analytics.memory_limit",
        "Most memory one customer_analytics call may use for its own data structures.",
        "-1 (the default) or 0 means 4 times work_mem, and at least 256 MB. Above it the call "
        "fails "
        "with SQLSTATE 53200 and the backend goes on.",
        &ca::pg::memory_limit_kb, -1, -1, MAX_KILOBYTES, PGC_USERSET, GUC_UNIT_KB, nullptr, nullptr,
        nullptr);
#if PG_VERSION_NUM >= 150000
    MarkGUCPrefixReserved("customer_analytics");
#else
    EmitWarningsOnPlaceholders("customer_analytics");
#endif
}
