// Numerical pieces shared by the CLV models (docs/clv.md, "Numerics").
#pragma once

#include <cmath>

namespace ca {

// log(1 + e^z) without overflow for large z or loss of precision for very negative z.
inline double Softplus(double z) {
    return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

// 1 / (1 + e^z) (the logistic function at -z), for any z.
inline double LogisticOfMinus(double z) {
    if (z >= 0) {
        const double e = std::exp(-z);
        return e / (1 + e);
    }
    return 1 / (1 + std::exp(z));
}

// (1 - (1 + u)^-k) / k for u >= 0, k any real: the integral of (1 + v)^-(k + 1) over [0, u]. At
// k = 0 it is log(1 + u); near 0 it is computed through expm1 without cancellation.
inline double PowerIntegral(double k, double u) {
    const double l = std::log1p(u);
    if (k == 0) return l;
    return -std::expm1(-k * l) / k;
}

// The Gaussian hypergeometric series 2F1(a, b; c; z) = sum_k (a)_k (b)_k / ((c)_k k!) z^k for
// 0 <= z < 1 and c not 0, -1, -2, ..., summed until a term no longer changes the sum (in long
// double). The callers choose forms (Euler's transformation) whose parameters do not grow with the
// customer's frequency, so the terms shrink at least as fast as z^k after the first few. Throws
// DataException when the sum has not settled after kMaxTerms terms (z too close to 1).
double Hyp2F1(double a, double b, double c, double z);

constexpr long kHyp2F1MaxTerms = 1000000;

}  // namespace ca
