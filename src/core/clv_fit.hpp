// Maximum-likelihood fitting shared by the CLV models (docs/clv.md, "Fitting"): NLopt minimises the
// negative mean log-likelihood over the logarithms of the (positive) parameters, so every step
// stays in the parameters' domain. Models with an analytic gradient use L-BFGS; the others
// BOBYQA, without derivatives. Every evaluation checks for cancellation, and an exception thrown
// by an evaluation (cancel, memory limit) stops NLopt and is rethrown once NLopt has returned.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "exec_context.hpp"

namespace ca {

// A fitted model: the parameters in the model's order, and how the fit went.
struct ModelFit {
    std::vector<double> params;
    double log_likelihood = 0;  // the total over all customers
    std::uint64_t customers = 0;
    int evaluations = 0;  // of the log-likelihood
    bool converged = false;
    // "converged", or why not: "evaluation limit reached", "parameter at a bound: b -> infinity",
    // "roundoff limited away from the optimum", ...
    std::string status;
};

// The negative mean log-likelihood at log-parameters `theta`; when `gradient` is not null it
// receives the derivatives with respect to theta too.
using Objective = std::function<double(const std::vector<double> &theta, double *gradient)>;

struct FitOptions {
    std::vector<std::string> names;  // of the parameters, for the status text
    std::vector<double> start;       // log-parameters to start from
    bool has_gradient = false;
    int max_evaluations = 5000;
};

// Minimises `objective`; the result's params are exp(theta) and log_likelihood is -n times the
// minimum. Parameters whose logarithm ends within 0.5 of the bounds (+-30) are reported as a
// degenerate fit (converged false), as is a fit whose gradient is not near zero at the end.
ModelFit Minimize(ExecContext &ctx, const Objective &objective, const FitOptions &options,
                  std::uint64_t customers);

// The gradient of `objective` by central differences (for the convergence check of models without
// an analytic gradient, and for the tests of those with one).
std::vector<double> NumericGradient(const Objective &objective, const std::vector<double> &theta,
                                    double step = 1e-6);

}  // namespace ca
