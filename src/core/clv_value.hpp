// Customer lifetime value as the discounted expected cash flow (docs/clv.md, "CLV"), the
// formulation of Python lifetimes (utils._customer_lifetime_value) and of Fader, Hardie & Lee's
// "discounted expected transactions" with a per-period discount:
//
//   CLV = sum over i = 1 .. periods of  spend * (E(i L) - E((i - 1) L)) / (1 + d)^i
//
// E(t) the expected purchases in the t time units after the calibration end (BG/NBD or Pareto/NBD,
// given the customer's history), L the period length in those units, d the discount rate per
// period, spend the expected value of one purchase (Gamma-Gamma). Purchases of period i are
// discounted as if they all happened at its end.
#pragma once

#include <functional>

namespace ca {

struct ClvHorizon {
    int periods;           // 1 .. kMaxClvPeriods
    double period_length;  // in the model's time unit, > 0
    double discount_rate;  // per period, > -1
};

constexpr int kMaxClvPeriods = 100000;

// Throws InvalidParameter unless the horizon is as documented above.
void CheckClvHorizon(const ClvHorizon &h);

// `expected(t)` gives E(t); called periods + 1 times (E(0) included).
double DiscountedValue(const std::function<double(double)> &expected, double spend,
                       const ClvHorizon &h);

}  // namespace ca
