#include "clv_math.hpp"

#include <string>

#include "errors.hpp"
#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

double Hyp2F1(double a, double b, double c, double z) {
    if (!(z >= 0 && z < 1) || (c <= 0 && c == std::floor(c)))
        throw InvalidParameter("hypergeometric function out of range",
                               "2F1(" + std::to_string(a) + ", " + std::to_string(b) + "; " +
                                   std::to_string(c) + "; " + std::to_string(z) + ")");
    long double sum = 1, term = 1;
    for (long k = 0; k < kHyp2F1MaxTerms; ++k) {
        term *= (static_cast<long double>(a) + k) * (static_cast<long double>(b) + k) /
                ((static_cast<long double>(c) + k) * (k + 1)) * z;
        const long double next = sum + term;
        // Settled: the term is below the sum's precision, and past the point where the terms
        // grow (their ratio tends to z < 1 once k exceeds |a| + |b| + |c|).
        if (next == sum && k > std::fabs(a) + std::fabs(b) + std::fabs(c))
            return static_cast<double>(sum);
        sum = next;
    }
    throw DataException("hypergeometric series did not converge",
                        "2F1(" + std::to_string(a) + ", " + std::to_string(b) + "; " +
                            std::to_string(c) + "; " + std::to_string(z) + ") after " +
                            std::to_string(kHyp2F1MaxTerms) + " terms.",
                        "The time horizon is too long for the model's alpha; predict over "
                        "shorter horizons.");
}

}  // namespace ca
