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
//
// Also here: the purchase model of the one-call functions (customer_lifetime_value, clv_holdout,
// clv_tracking), BG/NBD or Pareto/NBD fitted on their customers' summaries, and those summaries
// as the models' points.
#pragma once

#include <functional>
#include <string>

#include "bgnbd.hpp"
#include "clv_data.hpp"
#include "clv_summary.hpp"
#include "gamma_gamma.hpp"
#include "pareto_nbd.hpp"

namespace ca {

struct ClvHorizon {
    int periods;           // 1 .. kMaxClvPeriods
    double period_length;  // in the model's time unit, > 0
    double discount_rate;  // per period, > -1
};

constexpr int kMaxClvPeriods = 100000;

// Throws InvalidParameter unless the horizon is as documented above.
void CheckClvHorizon(const ClvHorizon &h);

// `expected(t)` gives E(t); called periods + 1 times (E(0) included), with a cancellation check
// before each. `at_end`, when given, receives E(periods L), the undiscounted purchases.
double DiscountedValue(ExecContext &ctx, const std::function<double(double)> &expected,
                       double spend, const ClvHorizon &h, double *at_end = nullptr);

// The customers' (x, t_x, T) as points (memory charged to a budget of `memory_limit`).
CalibrationPoints CalibrationPointsOf(ExecContext &ctx, const BudgetVector<ClvCustomer> &customers);
// The customers' (x, monetary) for Gamma-Gamma: repeat customers with monetary > 0;
// `zero_spend` receives the number of repeat customers left out because their monetary is 0.
SpendPoints SpendPointsOf(ExecContext &ctx, const BudgetVector<ClvCustomer> &customers,
                          std::int64_t &zero_spend);

// BG/NBD or Pareto/NBD ("bgnbd", "pareto_nbd"), fitted; its predictions.
class PurchaseModel {
  public:
    // Throws InvalidParameter for another name.
    static bool IsBgnbd(const std::string &name);
    // Fits; throws DataException (with the status) when the fit does not converge.
    PurchaseModel(ExecContext &ctx, const std::string &name, const CalibrationPoints &points);

    double Expected(double t, double x, double t_x, double T) const;
    double ExpectedNew(double t) const;
    double ProbabilityAlive(double x, double t_x, double T) const;
    const ModelFit &fit() const { return fit_; }

  private:
    bool bgnbd_;
    ModelFit fit_;
    BgnbdParams bg_{};
    ParetoNbdParams pareto_{};
};

// Gamma-Gamma fitted on `points`; throws DataException when the fit does not converge.
GammaGammaParams FitSpendModel(ExecContext &ctx, const SpendPoints &points);

}  // namespace ca
