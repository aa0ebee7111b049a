#include "clv_fit.hpp"

#include <nlopt.h>

#include <cmath>
#include <exception>
#include <memory>
#include <stdexcept>

#include "errors.hpp"
#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

namespace {

constexpr double kLogBound = 30;      // parameters within e^-30 .. e^30
constexpr double kBoundMargin = 0.5;  // a log-parameter this close to a bound is degenerate
// Largest gradient component (of the mean log-likelihood, per log-parameter) still taken as an
// optimum. The mean log-likelihood is O(1), so this is a relative measure.
constexpr double kGradientTolerance = 1e-6;

struct Call {
    nlopt_opt opt;
    ExecContext *ctx;
    const Objective *objective;
    std::vector<double> theta;
    int evaluations = 0;
    std::exception_ptr error;
};

double Evaluate(unsigned n, const double *x, double *grad, void *data) {
    auto *call = static_cast<Call *>(data);
    if (call->error) return HUGE_VAL;
    try {
        call->ctx->CheckInterrupts();
        call->theta.assign(x, x + n);
        ++call->evaluations;
        const double value = (*call->objective)(call->theta, grad);
        // A step into a region where the likelihood is not finite: tell the optimiser it is
        // worse than anything, which line searches and BOBYQA back away from.
        if (!std::isfinite(value)) return HUGE_VAL;
        return value;
    } catch (...) {
        call->error = std::current_exception();
        nlopt_force_stop(call->opt);
        return HUGE_VAL;
    }
}

struct OptDeleter {
    void operator()(nlopt_opt o) const { nlopt_destroy(o); }
};

}  // namespace

std::vector<double> NumericGradient(const Objective &objective, const std::vector<double> &theta,
                                    double step) {
    std::vector<double> g(theta.size()), t = theta;
    for (std::size_t i = 0; i < theta.size(); ++i) {
        t[i] = theta[i] + step;
        const double up = objective(t, nullptr);
        t[i] = theta[i] - step;
        const double down = objective(t, nullptr);
        t[i] = theta[i];
        g[i] = (up - down) / (2 * step);
    }
    return g;
}

ModelFit Minimize(ExecContext &ctx, const Objective &objective, const FitOptions &options,
                  std::uint64_t customers) {
    const unsigned n = static_cast<unsigned>(options.start.size());
    std::unique_ptr<nlopt_opt_s, OptDeleter> opt(
        nlopt_create(options.has_gradient ? NLOPT_LD_LBFGS : NLOPT_LN_BOBYQA, n));
    if (!opt) throw std::bad_alloc();
    Call call{opt.get(), &ctx, &objective, {}, 0, nullptr};
    std::vector<double> lower(n, -kLogBound), upper(n, kLogBound);
    nlopt_set_lower_bounds(opt.get(), lower.data());
    nlopt_set_upper_bounds(opt.get(), upper.data());
    nlopt_set_min_objective(opt.get(), Evaluate, &call);
    nlopt_set_xtol_rel(opt.get(), 1e-10);
    nlopt_set_ftol_rel(opt.get(), 1e-15);
    nlopt_set_maxeval(opt.get(), options.max_evaluations);
    if (!options.has_gradient) {
        const std::vector<double> step(n, 0.5);
        nlopt_set_initial_step(opt.get(), step.data());
    }
    std::vector<double> theta = options.start;
    double minimum = 0;
    const nlopt_result result = nlopt_optimize(opt.get(), theta.data(), &minimum);
    if (call.error) std::rethrow_exception(call.error);
    if (result == NLOPT_OUT_OF_MEMORY) throw std::bad_alloc();
    if (result == NLOPT_INVALID_ARGS) throw std::logic_error("NLopt refused the fit's settings");

    ModelFit fit;
    fit.customers = customers;
    fit.evaluations = call.evaluations;
    for (double t : theta) fit.params.push_back(std::exp(t));
    // Evaluate once more at the end point: NLopt's minimum may come from an earlier point when
    // the last step failed, and theta is the point returned.
    std::vector<double> gradient(n);
    const double at_end = objective(theta, options.has_gradient ? gradient.data() : nullptr);
    if (!options.has_gradient) gradient = NumericGradient(objective, theta);
    fit.log_likelihood = -at_end * static_cast<double>(customers);

    for (unsigned i = 0; i < n; ++i) {
        if (theta[i] > kLogBound - kBoundMargin || theta[i] < -kLogBound + kBoundMargin) {
            const std::string name = i < options.names.size() ? options.names[i] : "?";
            fit.status =
                "parameter at a bound: " + name + (theta[i] > 0 ? " -> infinity" : " -> 0");
            return fit;
        }
    }
    if (!std::isfinite(at_end)) {
        fit.status = "log-likelihood not finite";
        return fit;
    }
    if (result == NLOPT_FAILURE) {
        // L-BFGS's line search found no better point: a fit no better than where it stopped.
        fit.status = "the optimiser failed (NLopt code -1)";
        return fit;
    }
    if (result == NLOPT_MAXEVAL_REACHED) {
        fit.status = "evaluation limit reached";
        return fit;
    }
    double largest = 0;
    for (double g : gradient) largest = std::max(largest, std::fabs(g));
    if (!(largest < kGradientTolerance)) {
        fit.status = "stopped away from the optimum (gradient " + ShowNumber(largest) + ")";
        return fit;
    }
    fit.converged = true;
    fit.status = "converged";
    return fit;
}

}  // namespace ca
