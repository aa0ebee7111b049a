// customer_analytics.* settings (GUCs), defined in module.cpp.
#pragma once

namespace ca {
namespace pg {

// customer_analytics.memory_limit, in kB; -1 (the default) or 0 means 4 x work_mem, at least 256
// MB.
extern int memory_limit_kb;

}  // namespace pg
}  // namespace ca
