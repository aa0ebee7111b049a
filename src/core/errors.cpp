#include "errors.hpp"

#include <cstdio>

#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

std::string ShowNumber(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}

}  // namespace ca
