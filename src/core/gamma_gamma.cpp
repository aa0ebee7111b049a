#include "gamma_gamma.hpp"

#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <string>

#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

using boost::math::digamma;

void CheckGammaGammaParams(const GammaGammaParams &g) {
    CheckPositiveParams("Gamma-Gamma", {{"p", g.p}, {"q", g.q}, {"gamma", g.gamma}});
}

double GammaGammaLogLikelihood(const GammaGammaParams &g, double x, double m) {
    const double px = g.p * x;
    return std::lgamma(px + g.q) - std::lgamma(px) - std::lgamma(g.q) + g.q * std::log(g.gamma) +
           (px - 1) * std::log(m) + px * std::log(x) - (px + g.q) * std::log(x * m + g.gamma);
}

double GammaGammaObjective(ExecContext &ctx, const BudgetVector<SpendPoints::Point> &points,
                           const double theta[3], double *gradient) {
    const double p = std::exp(theta[0]), q = std::exp(theta[1]), gamma = std::exp(theta[2]);
    const GammaGammaParams g{p, q, gamma};
    const double dg_q = gradient != nullptr ? digamma(q) : 0;
    double total = 0, n = 0, dp = 0, dq = 0, dgamma = 0;
    // Points are sorted by x: the digammas of p x are computed once per distinct x.
    double x_prev = -1, dg_pxq = 0, dg_px = 0;
    for (const auto &pt : points) {
        ctx.Tick();
        const double c = static_cast<double>(pt.count), x = pt.key[0], m = pt.key[1];
        total += c * GammaGammaLogLikelihood(g, x, m);
        n += c;
        if (gradient == nullptr) continue;
        if (x != x_prev) {
            dg_pxq = digamma(p * x + q);
            dg_px = digamma(p * x);
            x_prev = x;
        }
        const double lxm = std::log(x * m + gamma);
        dp += c * x * (dg_pxq - dg_px + std::log(m) + std::log(x) - lxm);
        dq += c * (dg_pxq - dg_q + theta[2] - lxm);
        dgamma += c * (q / gamma - (p * x + q) / (x * m + gamma));
    }
    if (gradient != nullptr) {
        gradient[0] = -dp * p / n;
        gradient[1] = -dq * q / n;
        gradient[2] = -dgamma * gamma / n;
    }
    return -total / n;
}

ModelFit FitGammaGamma(ExecContext &ctx, const BudgetVector<SpendPoints::Point> &points) {
    std::uint64_t customers = 0;
    for (const auto &pt : points) customers += pt.count;
    if (points.size() < 2)
        throw DataException("too few repeat customers to fit the Gamma-Gamma model",
                            std::to_string(customers) + " customers with " +
                                std::to_string(points.size()) + " distinct (frequency, monetary).",
                            "The model needs repeat customers whose mean spends differ.");
    const Objective objective = [&](const std::vector<double> &theta, double *gradient) {
        return GammaGammaObjective(ctx, points, theta.data(), gradient);
    };
    FitOptions options;
    options.names = {"p", "q", "gamma"};
    options.start = {0, 0, 0};
    options.has_gradient = true;
    return Minimize(ctx, objective, options, customers);
}

double GammaGammaExpectedSpend(const GammaGammaParams &g, double x, double m) {
    CheckGammaGammaParams(g);
    CheckFrequency(x);
    if (!(m >= 0 && std::isfinite(m)))
        throw InvalidParameter("monetary must be finite and at least 0",
                               "monetary = " + ShowNumber(m) + ".");
    const bool repeat = x > 0;
    const double denominator = g.p * (repeat ? x : 0) + g.q - 1;
    if (!(denominator > 0))
        throw DataException("expected spend does not exist for this model",
                            "p x + q - 1 = " + ShowNumber(denominator) + ".",
                            "The Gamma-Gamma mean needs q > 1 (x = 0) or p x + q > 1.");
    return CheckPrediction(g.p * (g.gamma + (repeat ? x * m : 0)) / denominator, "expected spend");
}

}  // namespace ca
