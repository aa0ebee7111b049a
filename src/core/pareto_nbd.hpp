// The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987; likelihood as in Fader & Hardie 2005,
// "A note on deriving the Pareto/NBD model and related expressions"): docs/clv.md, "Pareto/NBD".
// While alive a customer buys at a Poisson rate lambda ~ Gamma(r, alpha) and lives an exponential
// time with rate mu ~ Gamma(s, beta).
#pragma once

#include "clv_data.hpp"
#include "clv_fit.hpp"
#include "exec_context.hpp"

namespace ca {

struct ParetoNbdParams {
    double r, alpha, s, beta;
};

// One customer's log-likelihood. The published form has a difference of two 2F1 terms that
// overflows for frequencies in the hundreds; this one (docs/clv.md, "Numerics") adds only
// non-negative terms, each at most 1 after scaling, and is finite for any x.
double ParetoNbdLogLikelihood(const ParetoNbdParams &p, double x, double t_x, double T);

double ParetoNbdObjective(ExecContext &ctx, const BudgetVector<CalibrationPoints::Point> &points,
                          const double theta[4]);

// Maximum likelihood over the points (x, t_x, T) with counts (BOBYQA, no gradient). Throws
// DataException when no customer has a repeat purchase.
ModelFit FitParetoNbd(ExecContext &ctx, const BudgetVector<CalibrationPoints::Point> &points);

// E[X(t)] of a new customer; E[Y(t) | x, t_x, T]; P(alive at T | x, t_x, T).
double ParetoNbdExpectedPurchasesNew(const ParetoNbdParams &p, double t);
double ParetoNbdExpectedPurchases(const ParetoNbdParams &p, double t, double x, double t_x,
                                  double T);
double ParetoNbdProbabilityAlive(const ParetoNbdParams &p, double x, double t_x, double T);

void CheckParetoNbdParams(const ParetoNbdParams &p);

}  // namespace ca
