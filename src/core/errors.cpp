#include "errors.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>

#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

std::string ShowNumber(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}

}  // namespace ca

// Boost's assertions (BOOST_ENABLE_ASSERT_HANDLER, set by both builds) throw instead of aborting:
// inside a PostgreSQL backend an abort would take the whole server through crash recovery, while
// an exception becomes an ERROR of that one statement.
namespace boost {
void assertion_failed(char const *expr, char const *function, char const *file, long line) {
    throw std::logic_error(std::string("internal assertion failed: ") + expr + " in " + function +
                           " (" + file + ":" + std::to_string(line) + ")");
}
void assertion_failed_msg(char const *expr, char const *msg, char const *function, char const *file,
                          long line) {
    throw std::logic_error(std::string("internal assertion failed: ") + expr + " (" + msg +
                           ") in " + function + " (" + file + ":" + std::to_string(line) + ")");
}
}  // namespace boost
