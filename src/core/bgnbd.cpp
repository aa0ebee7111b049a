#include "bgnbd.hpp"

#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <string>

#include "clv_math.hpp"
#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

namespace {

using boost::math::digamma;

// The exponent of the last term: log(a / (b + x - 1)) + (r + x) log((alpha + T) / (alpha + t_x)),
// so that the term is log(1 + e^z) and P(alive) is 1 / (1 + e^z). Only for x > 0.
double DropoutExponent(const BgnbdParams &p, double x, double t_x, double T) {
    return std::log(p.a) - std::log(p.b + x - 1) +
           (p.r + x) * (std::log(p.alpha + T) - std::log(p.alpha + t_x));
}

// (a + b + x - 1) / (a - 1) * (1 - (1 - z)^(a - 1) 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z)):
// the expected purchases in an interval of a customer alive at its start, after Euler's
// transformation of eq. 9/10's 2F1(r + x, b + x; a + b + x - 1; z), whose terms overflow for
// large x; this form's parameters do not depend on x but through c.
double AliveExpectation(const BgnbdParams &p, double x, double z) {
    const double c = p.a + p.b + x - 1;
    const double f = Hyp2F1(p.a + p.b - 1 - p.r, p.a - 1, c, z);
    const double value = c / (p.a - 1) * (1 - std::pow(1 - z, p.a - 1) * f);
    if (!std::isfinite(value))
        throw DataException("expected purchases not defined for this model",
                            "a = " + ShowNumber(p.a) + ".",
                            "The BG/NBD predictions divide by a - 1.");
    return value;
}

}  // namespace

void CheckBgnbdParams(const BgnbdParams &p) {
    CheckPositiveParams("BG/NBD", {{"r", p.r}, {"alpha", p.alpha}, {"a", p.a}, {"b", p.b}});
}

double BgnbdLogLikelihood(const BgnbdParams &p, double x, double t_x, double T) {
    const double r = p.r, alpha = p.alpha, a = p.a, b = p.b;
    double ll = std::lgamma(r + x) - std::lgamma(r) + r * std::log(alpha) + std::lgamma(a + b) +
                std::lgamma(b + x) - std::lgamma(b) - std::lgamma(a + b + x) -
                (r + x) * std::log(alpha + T);
    if (x > 0) ll += Softplus(DropoutExponent(p, x, t_x, T));
    return ll;
}

double BgnbdObjective(ExecContext &ctx, const BudgetVector<CalibrationPoints::Point> &points,
                      const double theta[4], double *gradient) {
    const double r = std::exp(theta[0]), alpha = std::exp(theta[1]), a = std::exp(theta[2]),
                 b = std::exp(theta[3]);
    const BgnbdParams p{r, alpha, a, b};
    const double log_alpha = theta[1];
    const double lg_r = std::lgamma(r), lg_ab = std::lgamma(a + b), lg_b = std::lgamma(b);
    const double dg_r = digamma(r), dg_ab = digamma(a + b), dg_b = digamma(b);
    double total = 0, n = 0, dr = 0, dalpha = 0, da = 0, db = 0;
    // Points are sorted by x: the terms in x alone are computed once per distinct x.
    std::size_t i = 0;
    while (i < points.size()) {
        const double x = points[i].key[0];
        double group = 0, gdr = 0, gdalpha = 0, gda = 0, gdb = 0, count_x = 0;
        for (; i < points.size() && points[i].key[0] == x; ++i) {
            ctx.Tick();
            const double c = static_cast<double>(points[i].count);
            const double t_x = points[i].key[1], T = points[i].key[2];
            const double u = std::log(alpha + T);
            count_x += c;
            group += c * (r * log_alpha - (r + x) * u);
            gdr += c * (log_alpha - u);
            gdalpha += c * (r / alpha - (r + x) / (alpha + T));
            if (x > 0) {
                const double v = std::log(alpha + t_x);
                const double z = std::log(a) - std::log(b + x - 1) + (r + x) * (u - v);
                group += c * Softplus(z);
                const double s = LogisticOfMinus(-z);  // d softplus / dz
                gdr += c * s * (u - v);
                gdalpha += c * s * (r + x) * (1 / (alpha + T) - 1 / (alpha + t_x));
                gda += c * s / a;
                gdb -= c * s / (b + x - 1);
            }
        }
        group += count_x * (std::lgamma(r + x) - lg_r + lg_ab + std::lgamma(b + x) - lg_b -
                            std::lgamma(a + b + x));
        if (gradient != nullptr) {
            const double dg_abx = digamma(a + b + x);
            gdr += count_x * (digamma(r + x) - dg_r);
            gda += count_x * (dg_ab - dg_abx);
            gdb += count_x * (dg_ab + digamma(b + x) - dg_b - dg_abx);
        }
        total += group;
        n += count_x;
        dr += gdr;
        dalpha += gdalpha;
        da += gda;
        db += gdb;
    }
    if (gradient != nullptr) {
        // d/d log(theta) = theta d/d theta, of the negative mean.
        gradient[0] = -dr * r / n;
        gradient[1] = -dalpha * alpha / n;
        gradient[2] = -da * a / n;
        gradient[3] = -db * b / n;
    }
    (void)p;
    return -total / n;
}

ModelFit FitBgnbd(ExecContext &ctx, const BudgetVector<CalibrationPoints::Point> &points) {
    const std::uint64_t customers = RequireRepeatBuyers(points);
    const Objective objective = [&](const std::vector<double> &theta, double *gradient) {
        return BgnbdObjective(ctx, points, theta.data(), gradient);
    };
    FitOptions options;
    options.names = {"r", "alpha", "a", "b"};
    options.start = {0, 0, 0, 0};  // every parameter 1
    options.has_gradient = true;
    return Minimize(ctx, objective, options, customers);
}

double BgnbdExpectedPurchasesNew(const BgnbdParams &p, double t) {
    CheckBgnbdParams(p);
    CheckHorizon(t);
    if (t == 0) return 0;
    return AliveExpectation(p, 0, t / (p.alpha + t));
}

double BgnbdExpectedPurchases(const BgnbdParams &p, double t, double x, double t_x, double T) {
    CheckBgnbdParams(p);
    CheckHorizon(t);
    CalibrationKey(x, t_x, T);
    if (t == 0) return 0;
    return AliveExpectation(p, x, t / (p.alpha + T + t)) * BgnbdProbabilityAlive(p, x, t_x, T);
}

double BgnbdProbabilityAlive(const BgnbdParams &p, double x, double t_x, double T) {
    CheckBgnbdParams(p);
    CalibrationKey(x, t_x, T);
    if (x == 0) return 1;
    return LogisticOfMinus(DropoutExponent(p, x, t_x, T));
}

}  // namespace ca
