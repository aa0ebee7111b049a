// The Gamma-Gamma spend model (Fader & Hardie 2013, "The Gamma-Gamma model of monetary value";
// Colombo & Jiang 1999): docs/clv.md, "Gamma-Gamma". A customer's purchases have values
// ~ Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers; the model reads each repeat customer's
// number of repeat purchases x and their mean value m.
#pragma once

#include "clv_data.hpp"
#include "clv_fit.hpp"
#include "exec_context.hpp"

namespace ca {

struct GammaGammaParams {
    double p, q, gamma;
};

// One customer's log-likelihood of the mean value m of x > 0 purchases (Fader & Hardie 2013, eq. 5,
// the density of m).
double GammaGammaLogLikelihood(const GammaGammaParams &g, double x, double m);

// The negative mean log-likelihood at log-parameters, with its gradient.
double GammaGammaObjective(ExecContext &ctx, const BudgetVector<SpendPoints::Point> &points,
                           const double theta[3], double *gradient);

// Maximum likelihood over the points (x, m) with counts. Throws DataException with fewer than two
// points (the model has three parameters; one distinct mean has no spread to fit).
ModelFit FitGammaGamma(ExecContext &ctx, const BudgetVector<SpendPoints::Point> &points);

// E[M | x, m]: the expected mean value of a customer's future purchases (eq. 7):
// (p (gamma + x m)) / (p x + q - 1), for m >= 0 (m = 0 too, though such customers cannot be
// fitted). For x = 0 it is the population mean p gamma / (q - 1), whatever m.
// Throws DataException when the expectation does not exist (p x + q <= 1).
double GammaGammaExpectedSpend(const GammaGammaParams &g, double x, double m);

void CheckGammaGammaParams(const GammaGammaParams &g);

}  // namespace ca
