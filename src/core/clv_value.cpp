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

double DiscountedValue(ExecContext &ctx, const std::function<double(double)> &expected,
                       double spend, const ClvHorizon &h, double *at_end) {
    CheckClvHorizon(h);
    double value = 0, before = expected(0), factor = 1;
    for (int i = 1; i <= h.periods; ++i) {
        ctx.CheckInterrupts();
        const double now = expected(i * h.period_length);
        factor /= 1 + h.discount_rate;
        value += spend * (now - before) * factor;
        before = now;
    }
    if (at_end != nullptr) *at_end = before;
    return CheckPrediction(value, "CLV");
}

namespace {

void RequireConverged(const ModelFit &fit, const char *model) {
    if (!fit.converged)
        throw DataException(std::string(model) + " fit did not converge",
                            "Status: " + fit.status + ".",
                            "Fit the models with bgnbd_fit(), pareto_nbd_fit() and "
                            "gamma_gamma_fit() over clv_summary() to inspect them (docs/clv.md).");
}

}  // namespace

CalibrationPoints CalibrationPointsOf(ExecContext &ctx,
                                      const BudgetVector<ClvCustomer> &customers) {
    CalibrationPoints points(ctx.limit());
    for (const ClvCustomer &c : customers) {
        ctx.Tick();
        points.Add(CalibrationKey(static_cast<double>(c.frequency), c.recency, c.T));
    }
    return points;
}

SpendPoints SpendPointsOf(ExecContext &ctx, const BudgetVector<ClvCustomer> &customers,
                          std::int64_t &zero_spend) {
    SpendPoints points(ctx.limit());
    zero_spend = 0;
    for (const ClvCustomer &c : customers) {
        ctx.Tick();
        if (!c.has_monetary) continue;
        SpendPoints::Key key;
        if (!(c.monetary > 0))
            ++zero_spend;
        else if (SpendKey(static_cast<double>(c.frequency), c.monetary, key))
            points.Add(key);
    }
    return points;
}

bool PurchaseModel::IsBgnbd(const std::string &name) {
    if (name == "bgnbd") return true;
    if (name == "pareto_nbd") return false;
    throw InvalidParameter("unknown model \"" + name + "\"", {}, "Use bgnbd or pareto_nbd.");
}

PurchaseModel::PurchaseModel(ExecContext &ctx, const std::string &name,
                             const CalibrationPoints &points)
    : bgnbd_(IsBgnbd(name)),
      fit_(bgnbd_ ? FitBgnbd(ctx, points.Points()) : FitParetoNbd(ctx, points.Points())) {
    RequireConverged(fit_, name.c_str());
    const std::vector<double> &p = fit_.params;
    bg_ = {p[0], p[1], p[2], p[3]};
    pareto_ = {p[0], p[1], p[2], p[3]};
}

double PurchaseModel::Expected(double t, double x, double t_x, double T) const {
    return bgnbd_ ? BgnbdExpectedPurchases(bg_, t, x, t_x, T)
                  : ParetoNbdExpectedPurchases(pareto_, t, x, t_x, T);
}

double PurchaseModel::ExpectedNew(double t) const {
    return bgnbd_ ? BgnbdExpectedPurchasesNew(bg_, t) : ParetoNbdExpectedPurchasesNew(pareto_, t);
}

double PurchaseModel::ProbabilityAlive(double x, double t_x, double T) const {
    return bgnbd_ ? BgnbdProbabilityAlive(bg_, x, t_x, T)
                  : ParetoNbdProbabilityAlive(pareto_, x, t_x, T);
}

GammaGammaParams FitSpendModel(ExecContext &ctx, const SpendPoints &points) {
    const ModelFit fit = FitGammaGamma(ctx, points.Points());
    RequireConverged(fit, "gamma_gamma");
    return {fit.params[0], fit.params[1], fit.params[2]};
}

}  // namespace ca
