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
double AliveExpectationAt(const BgnbdParams &p, double x, double z) {
    const double c = p.a + p.b + x - 1;
    const double f = Hyp2F1(p.a + p.b - 1 - p.r, p.a - 1, c, z);
    return c / (p.a - 1) * (1 - std::pow(1 - z, p.a - 1) * f);
}

// Within 1e-4 of a = 1 the quotient cancels; it is smooth in a, so it is interpolated between
// a = 1 - 1e-4 and 1 + 1e-4 (error about 1e-9 relative).
double AliveExpectation(const BgnbdParams &p, double x, double z) {
    constexpr double h = 1e-4;
    if (std::fabs(p.a - 1) >= h) return AliveExpectationAt(p, x, z);
    BgnbdParams lo = p, hi = p;
    lo.a = 1 - h;
    hi.a = 1 + h;
    const double f_lo = AliveExpectationAt(lo, x, z), f_hi = AliveExpectationAt(hi, x, z);
    return f_lo + (f_hi - f_lo) * (p.a - lo.a) / (2 * h);
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

namespace {

// The likelihood's data prepared once per fit: the points and their distinct times, with scratch
// space for log(alpha + t) and 1 / (alpha + t) per distinct time.
struct Prepared {
    Prepared(ExecContext &ctx, const BudgetVector<CalibrationPoints::Point> &points)
        : points(points),
          index(ctx, points),
          log_at(MakeBudgetVector<double>(ctx)),
          inv_at(MakeBudgetVector<double>(ctx)) {
        log_at.resize(index.times.size());
        inv_at.resize(index.times.size());
    }
    const BudgetVector<CalibrationPoints::Point> &points;
    TimeIndex index;
    BudgetVector<double> log_at, inv_at;
};

double Objective4(ExecContext &ctx, Prepared &d, const double theta[4], double *gradient) {
    const double r = std::exp(theta[0]), alpha = std::exp(theta[1]), a = std::exp(theta[2]),
                 b = std::exp(theta[3]);
    const double log_alpha = theta[1], log_a = theta[2];
    for (std::size_t k = 0; k < d.index.times.size(); ++k) {
        d.log_at[k] = std::log(alpha + d.index.times[k]);
        d.inv_at[k] = 1 / (alpha + d.index.times[k]);
    }
    const double lg_r = std::lgamma(r), lg_ab = std::lgamma(a + b), lg_b = std::lgamma(b);
    const double dg_r = gradient ? digamma(r) : 0, dg_ab = gradient ? digamma(a + b) : 0,
                 dg_b = gradient ? digamma(b) : 0;
    const auto &points = d.points;
    const double *log_at = d.log_at.data(), *inv_at = d.inv_at.data();
    const std::uint32_t *rec = d.index.recency.data(), *age = d.index.age.data();
    double total = 0, n = 0, dr = 0, dalpha = 0, da = 0, db = 0;
    // Points are sorted by x: the terms in x alone are computed once per distinct x.
    std::size_t i = 0;
    while (i < points.size()) {
        const double x = points[i].key[0], rx = r + x;
        const double log_bx1 = x > 0 ? std::log(b + x - 1) : 0,
                     inv_bx1 = x > 0 ? 1 / (b + x - 1) : 0;
        double group = 0, gdr = 0, gdalpha = 0, gs = 0, count_x = 0;
        for (; i < points.size() && points[i].key[0] == x; ++i) {
            ctx.Tick();
            const double c = static_cast<double>(points[i].count);
            const double u = log_at[age[i]], iu = inv_at[age[i]];
            count_x += c;
            group -= c * rx * u;
            gdr -= c * u;
            gdalpha -= c * rx * iu;
            if (x > 0) {
                const double v = log_at[rec[i]], iv = inv_at[rec[i]];
                const double z = log_a - log_bx1 + rx * (u - v);
                // log(1 + e^z) and its derivative 1 / (1 + e^-z), from one exponential.
                const double e = std::exp(-std::fabs(z));
                group += c * ((z > 0 ? z : 0) + std::log1p(e));
                const double s = (z >= 0 ? 1 : e) / (1 + e);
                gdr += c * s * (u - v);
                gdalpha += c * s * rx * (iu - iv);
                gs += c * s;
            }
        }
        group += count_x * (r * log_alpha + std::lgamma(rx) - lg_r + lg_ab + std::lgamma(b + x) -
                            lg_b - std::lgamma(a + b + x));
        total += group;
        n += count_x;
        if (gradient != nullptr) {
            const double dg_abx = digamma(a + b + x);
            dr += gdr + count_x * (log_alpha + digamma(rx) - dg_r);
            dalpha += gdalpha + count_x * r / alpha;
            da += gs / a + count_x * (dg_ab - dg_abx);
            db += -gs * inv_bx1 + count_x * (dg_ab + digamma(b + x) - dg_b - dg_abx);
        }
    }
    if (gradient != nullptr) {
        // d/d log(theta) = theta d/d theta, of the negative mean.
        gradient[0] = -dr * r / n;
        gradient[1] = -dalpha * alpha / n;
        gradient[2] = -da * a / n;
        gradient[3] = -db * b / n;
    }
    return -total / n;
}

}  // namespace

double BgnbdObjective(ExecContext &ctx, const BudgetVector<CalibrationPoints::Point> &points,
                      const double theta[4], double *gradient) {
    Prepared d(ctx, points);
    return Objective4(ctx, d, theta, gradient);
}

ModelFit FitBgnbd(ExecContext &ctx, const BudgetVector<CalibrationPoints::Point> &points) {
    const std::uint64_t customers = RequireRepeatBuyers(points);
    Prepared d(ctx, points);
    const Objective objective = [&](const std::vector<double> &theta, double *gradient) {
        return Objective4(ctx, d, theta.data(), gradient);
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
    return CheckPrediction(AliveExpectation(p, 0, t / (p.alpha + t)), "expected purchases");
}

double BgnbdExpectedPurchases(const BgnbdParams &p, double t, double x, double t_x, double T) {
    CheckBgnbdParams(p);
    CheckHorizon(t);
    CalibrationKey(x, t_x, T);
    if (t == 0) return 0;
    return CheckPrediction(
        AliveExpectation(p, x, t / (p.alpha + T + t)) * BgnbdProbabilityAlive(p, x, t_x, T),
        "expected purchases");
}

double BgnbdProbabilityAlive(const BgnbdParams &p, double x, double t_x, double T) {
    CheckBgnbdParams(p);
    CalibrationKey(x, t_x, T);
    if (x == 0) return 1;
    return CheckPrediction(LogisticOfMinus(DropoutExponent(p, x, t_x, T)), "P(alive)", 1);
}

}  // namespace ca
