// The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way"):
// definitions and formulas in docs/clv.md, "BG/NBD". While alive a customer buys at a Poisson
// rate lambda ~ Gamma(r, alpha); after each purchase they drop out with probability p ~ Beta(a, b).
// x repeat purchases, the last at t_x, observed over (0, T].
#pragma once

#include <cstdint>

#include "clv_data.hpp"
#include "clv_fit.hpp"
#include "exec_context.hpp"

namespace ca {

struct BgnbdParams {
    double r, alpha, a, b;
};

// One customer's log-likelihood (FHL 2005, eq. 6), with the last term computed as a softplus.
double BgnbdLogLikelihood(const BgnbdParams &p, double x, double t_x, double T);

// Maximum likelihood over the points (x, t_x, T) with counts. Throws DataException when no
// customer has a repeat purchase (the likelihood then grows without bound as lambda -> 0).
ModelFit FitBgnbd(ExecContext &ctx, const BudgetVector<CalibrationPoints::Point> &points);

// The negative mean log-likelihood at log-parameters, with its gradient (for the fit and tests).
double BgnbdObjective(ExecContext &ctx, const BudgetVector<CalibrationPoints::Point> &points,
                      const double theta[4], double *gradient);

// E[X(t)], the expected purchases of a new customer in (0, t] (eq. 9).
double BgnbdExpectedPurchasesNew(const BgnbdParams &p, double t);
// E[Y(t) | x, t_x, T], the expected purchases in (T, T + t] of a customer with that history (eq.
// 10).
double BgnbdExpectedPurchases(const BgnbdParams &p, double t, double x, double t_x, double T);
// P(alive at T | x, t_x, T) (FHL 2008 note, "Computing P(alive) using the BG/NBD model").
double BgnbdProbabilityAlive(const BgnbdParams &p, double x, double t_x, double T);

// Throws InvalidParameter unless every parameter is finite and > 0.
void CheckBgnbdParams(const BgnbdParams &p);

}  // namespace ca
