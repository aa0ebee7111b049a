#include "exec_context.hpp"

#include <cstdio>
#include <string>

#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

namespace {
// One decimal is enough to tell a user how far off they are.
std::string Megabytes(double bytes) {
    char buf[64];
    if (bytes < 1024.0 * 1024.0)
        std::snprintf(buf, sizeof buf, "%.0f kB", bytes / 1024.0);
    else
        std::snprintf(buf, sizeof buf, "%.1f MB", bytes / (1024.0 * 1024.0));
    return buf;
}
}  // namespace

void ExecContext::Charge(std::size_t bytes) {
    if (bytes > limit_ || used_ > limit_ - bytes) {
        throw Error(ErrorKind::MemoryLimit, "customer_analytics memory limit exceeded",
                    "The computation needed " +
                        Megabytes(static_cast<double>(used_) + static_cast<double>(bytes)) +
                        " or more; the limit is " + Megabytes(static_cast<double>(limit_)) + ".",
                    "Raise customer_analytics.memory_limit (or work_mem, from which its default "
                    "is derived), or pass fewer rows.");
    }
    used_ += bytes;
    if (used_ > peak_) peak_ = used_;
}

}  // namespace ca
