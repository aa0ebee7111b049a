#include "clv_value.hpp"

#include <cmath>
#include <string>

#include "errors.hpp"
#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

void CheckClvHorizon(const ClvHorizon &h) {
    if (h.periods < 1 || h.periods > kMaxClvPeriods)
        throw InvalidParameter(
            "horizon must be between 1 and " + std::to_string(kMaxClvPeriods) + " periods",
            "horizon = " + std::to_string(h.periods) + ".");
    if (!(h.period_length > 0 && std::isfinite(h.period_length)))
        throw InvalidParameter("the period length must be finite and greater than 0",
                               "period length = " + ShowNumber(h.period_length) + " time units.");
    if (!(h.discount_rate > -1 && std::isfinite(h.discount_rate)))
        throw InvalidParameter("discount_rate must be finite and greater than -1",
                               "discount_rate = " + ShowNumber(h.discount_rate) + ".",
                               "It is the rate per period: 0.01 for 1 % a month.");
}

double DiscountedValue(const std::function<double(double)> &expected, double spend,
                       const ClvHorizon &h) {
    CheckClvHorizon(h);
    double value = 0, before = expected(0), factor = 1;
    for (int i = 1; i <= h.periods; ++i) {
        const double now = expected(i * h.period_length);
        factor /= 1 + h.discount_rate;
        value += spend * (now - before) * factor;
        before = now;
    }
    return value;
}

}  // namespace ca
