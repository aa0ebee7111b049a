#include "pareto_nbd.hpp"

#include <boost/math/quadrature/tanh_sinh.hpp>
#include <cmath>
#include <stdexcept>
#include <string>

#include "clv_math.hpp"
#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

namespace {

// Above this hypergeometric argument the series needs thousands of terms; the integral is
// computed by tanh-sinh quadrature instead.
constexpr double kSeriesLimit = 0.95;

// G(t) = m * integral from t to infinity of (alpha + u)^-(r + x) (beta + u)^-(s + 1) du, divided by
// (alpha + t)^-(r + x) (beta + t)^-s, with m = r + s + x: the published 2F1 term after Euler's
// transformation. 0 <= (s / m) G(t) <= 1.
double TailFactor(const ParetoNbdParams &p, double x, double t) {
    const double m = p.r + p.s + x;
    if (p.alpha >= p.beta) return Hyp2F1(1, p.r + x, m + 1, (p.alpha - p.beta) / (p.alpha + t));
    return (p.alpha + t) / (p.beta + t) *
           Hyp2F1(1, p.s + 1, m + 1, (p.beta - p.alpha) / (p.beta + t));
}

// log of the likelihood's last factor, (alpha + T)^-(r+x) (beta + T)^-s + s * integral from t_x to
// T of (alpha + u)^-(r+x) (beta + u)^-(s+1) du, and P(alive) = its first term over the sum.
struct Tail {
    double log_value;
    double p_alive;
};

boost::math::quadrature::tanh_sinh<double> &TanhSinh() {
    static boost::math::quadrature::tanh_sinh<double> quadrature;  // its tables, once
    return quadrature;
}

Error Unrepresentable() {
    return DataException("the Pareto/NBD likelihood cannot be computed for these parameters", {},
                         "The model's scales are beyond the range double precision handles; fit "
                         "the model on the data (docs/clv.md, \"Numerics\").");
}

// `ctx`, when given, is ticked by every evaluation of the quadrature's integrand; it may throw
// (cancel), and that passes through the quadrature unchanged.
Tail LogTail(const ParetoNbdParams &p, double x, double t_x, double T, ExecContext *ctx = nullptr) {
    const double rx = p.r + x, m = p.r + p.s + x;
    // Everything relative to the first term's value at t_x.
    const double log_scale = -rx * std::log(p.alpha + t_x) - p.s * std::log(p.beta + t_x);
    const double q = std::exp(-rx * std::log1p((T - t_x) / (p.alpha + t_x)) -
                              p.s * std::log1p((T - t_x) / (p.beta + t_x)));
    double rest;  // s * integral / scale
    const double z = std::fabs(p.alpha - p.beta) / (std::max(p.alpha, p.beta) + t_x);
    if (T == t_x) {
        rest = 0;
    } else if (z <= kSeriesLimit) {
        // q + (s/m) (G(t_x) - q G(T)) = q (1 - (s/m) G(T)) + (s/m) G(t_x): no cancellation.
        const double w = p.s / m;
        const double sum = q * (1 - w * TailFactor(p, x, T)) + w * TailFactor(p, x, t_x);
        return {log_scale + std::log(sum), q / sum};
    } else {
        // The integral of (1 + v / a0)^-(r+x) (1 + v / b0)^-(s+1) over v in [0, T - t_x], after
        // v = c (e^u - 1) with c the smaller of a0 and b0: c times the integral over u in
        // [0, log1p((T - t_x) / c)] of e^((1 - k) u) (1 + c (e^u - 1) / d)^-j, where k is the
        // exponent at scale c, j the other one and d the other scale. The peak at v = 0, as
        // narrow as c / k, becomes an exponential decay over u. Tanh-sinh quadrature (its nodes
        // crowd at the ends) takes a few hundred evaluations for 1e-12 here, where adaptive
        // Gauss-Kronrod can spend millions on a decay it never resolves to a relative tolerance.
        const double a0 = p.alpha + t_x, b0 = p.beta + t_x;
        const bool by_alpha = a0 <= b0;
        const double c = by_alpha ? a0 : b0, d = by_alpha ? b0 : a0;
        const double k = by_alpha ? rx : p.s + 1, j = by_alpha ? p.s + 1 : rx;
        auto h = [&](double u) {
            if (ctx != nullptr) ctx->Tick();
            return std::exp((1 - k) * u - j * std::log1p(c / d * std::expm1(u)));
        };
        const double upper = std::log1p((T - t_x) / c);
        // Scales apart by more than the double range (alpha 1e-300 with beta 1e300) leave an
        // interval or an integrand double cannot hold: a documented 22000, not Boost's error.
        if (!std::isfinite(upper)) throw Unrepresentable();
        // Over an interval far shorter than the integrand's scale (1 / (k + j)), too short for
        // tanh-sinh to place nodes in, Simpson's rule is exact to rounding.
        double integral = 0;
        try {
            integral = upper * (1 + k + j) < 1e-6 ? upper / 6 * (h(0) + 4 * h(upper / 2) + h(upper))
                                                  : TanhSinh().integrate(h, 0.0, upper, 1e-12);
        } catch (const boost::math::evaluation_error &) {  // a NaN of the integrand
            throw Unrepresentable();
        } catch (const std::domain_error &) {
            throw Unrepresentable();
        }
        rest = p.s * c / b0 * integral;
    }
    const double sum = q + rest;
    return {log_scale + std::log(sum), q / sum};
}

}  // namespace

void CheckParetoNbdParams(const ParetoNbdParams &p) {
    CheckPositiveParams("Pareto/NBD",
                        {{"r", p.r}, {"alpha", p.alpha}, {"s", p.s}, {"beta", p.beta}});
}

double ParetoNbdLogLikelihood(const ParetoNbdParams &p, double x, double t_x, double T) {
    return std::lgamma(p.r + x) - std::lgamma(p.r) + p.r * std::log(p.alpha) +
           p.s * std::log(p.beta) + LogTail(p, x, t_x, T).log_value;
}

double ParetoNbdObjective(ExecContext &ctx, const BudgetVector<CalibrationPoints::Point> &points,
                          const double theta[4]) {
    const ParetoNbdParams p{std::exp(theta[0]), std::exp(theta[1]), std::exp(theta[2]),
                            std::exp(theta[3])};
    const double constant = p.r * theta[1] + p.s * theta[3] - std::lgamma(p.r);
    double total = 0, n = 0, x_prev = -1, lg_rx = 0;
    for (const auto &pt : points) {
        ctx.Tick();
        const double c = static_cast<double>(pt.count), x = pt.key[0];
        if (x != x_prev) {
            lg_rx = std::lgamma(p.r + x);
            x_prev = x;
        }
        total += c * (lg_rx + constant + LogTail(p, x, pt.key[1], pt.key[2], &ctx).log_value);
        n += c;
    }
    return -total / n;
}

ModelFit FitParetoNbd(ExecContext &ctx, const BudgetVector<CalibrationPoints::Point> &points) {
    const std::uint64_t customers = RequireRepeatBuyers(points);
    const Objective objective = [&](const std::vector<double> &theta, double *) {
        return ParetoNbdObjective(ctx, points, theta.data());
    };
    FitOptions options;
    options.names = {"r", "alpha", "s", "beta"};
    options.start = {0, 0, 0, 0};
    options.has_gradient = false;
    return Minimize(ctx, objective, options, customers);
}

double ParetoNbdExpectedPurchasesNew(const ParetoNbdParams &p, double t) {
    CheckParetoNbdParams(p);
    CheckHorizon(t);
    return CheckPrediction(p.r * p.beta / p.alpha * PowerIntegral(p.s - 1, t / p.beta),
                           "expected purchases");
}

double ParetoNbdExpectedPurchases(const ParetoNbdParams &p, double t, double x, double t_x,
                                  double T) {
    CheckParetoNbdParams(p);
    CheckHorizon(t);
    CalibrationKey(x, t_x, T);
    return CheckPrediction((p.r + x) * (p.beta + T) / (p.alpha + T) *
                               PowerIntegral(p.s - 1, t / (p.beta + T)) *
                               LogTail(p, x, t_x, T).p_alive,
                           "expected purchases");
}

double ParetoNbdProbabilityAlive(const ParetoNbdParams &p, double x, double t_x, double T) {
    CheckParetoNbdParams(p);
    CalibrationKey(x, t_x, T);
    return CheckPrediction(LogTail(p, x, t_x, T).p_alive, "P(alive)", 1);
}

}  // namespace ca
