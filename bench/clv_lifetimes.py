#!/usr/bin/env python3
"""Fits Python lifetimes' BG/NBD, Pareto/NBD and Gamma-Gamma models to a customer summary and
prints one line per model, for bench/clv.sh (the peer our SQL fitters race and are checked
against).

usage: PYTHONPATH=$LIFETIMES_DIR/lifetimes:$LIFETIMES_DIR/autograd python3 bench/clv_lifetimes.py \\
           SUMMARY.csv [--models bgnbd,pareto_nbd,gamma_gamma] [--repeat N] [--peak] [--seed S]
           [--pareto-tight] [--gg-positive]

SUMMARY.csv has the header customer_id,frequency,recency,t,monetary: frequency = repeat purchase
days, recency and t in weeks, monetary the mean of the repeat days' totals (empty when frequency is
0). Gamma-Gamma is fitted on the rows with frequency > 0 (lifetimes refuses the data when one of
them has monetary <= 0: --gg-positive leaves those out and counts them in the output's dropped=).

The calls are lifetimes' defaults with penalizer_coef=0 (lifetimes 0.11 at 4f2833f):
  BetaGeoFitter(penalizer_coef=0).fit(frequency, recency, t)
  ParetoNBDFitter(penalizer_coef=0).fit(frequency, recency, t)     Nelder-Mead, tol 1e-4,
      maxiter 2000, from a random start N(1, 0.05) per parameter: numpy's global generator is
      seeded with --seed (default 0) before every fit, so repeats and runs are identical;
      --pareto-tight adds xatol=1e-8, fatol=1e-8, maxiter=20000 (scipy options that override tol):
      the default stops within about 1e-4 relative of the maximum, too coarse to check against
  GammaGammaFitter(penalizer_coef=0).fit(frequency, monetary)      on frequency > 0
Each output line is "model key=value ...":
  params (r alpha a b | r alpha s beta | p q gamma, lifetimes' "v" is gamma);
  log_likelihood: the total over the customers, in the summary's units. lifetimes minimizes the
      mean negative log-likelihood for BG/NBD and Gamma-Gamma (sum / weights.sum()) and the total
      for Pareto/NBD (sum / weights.mean(), all weights 1), both time models on times divided by
      max(T); the figure here is lifetimes' own likelihood function evaluated at the fitted
      parameters on the unscaled data and multiplied back to a total;
  customers, seconds (the median over --repeat of the .fit() call alone, which includes
      lifetimes' Hessian and standard errors for BG/NBD and Gamma-Gamma), runs (every time);
  status: converged, not_converged (Pareto/NBD: lifetimes returns Nelder-Mead's point even when
      scipy reports failure, e.g. maxiter reached), ConvergenceError (BG/NBD, Gamma-Gamma: lifetimes
      raises it when BFGS fails), or error:<ExceptionType>; iterations and message from scipy;
  with --peak: peak_rss_kb (getrusage ru_maxrss of this process at the end) and fit_rise_kb (how
      far the resident peak rose during the fits: VmHWM, reset through
      /proc/self/clear_refs, less VmRSS before it; n/a where /proc does not allow it). Run one
      model per process for a clean peak.
"""
import argparse
import contextlib
import resource
import statistics
import sys
import time


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("summary")
    ap.add_argument("--models", default="bgnbd,pareto_nbd,gamma_gamma",
                    help="comma-separated: bgnbd, pareto_nbd, gamma_gamma")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--peak", action="store_true", help="report peak memory")
    ap.add_argument("--seed", type=int, default=0, help="numpy seed for Pareto/NBD's random start")
    ap.add_argument("--pareto-tight", action="store_true", help="Pareto/NBD to a tight tolerance")
    ap.add_argument("--gg-positive", action="store_true", help="Gamma-Gamma on monetary > 0 only")
    args = ap.parse_args()
    models = [m for m in args.models.split(",") if m]
    for m in models:
        if m not in ("bgnbd", "pareto_nbd", "gamma_gamma"):
            ap.error("unknown model %s" % m)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    args.models = models
    return args


def status_kb(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class OptimizerLog:
    """Wraps scipy.optimize.minimize where lifetimes' fitters look it up and keeps the last
    result, so that the iterations and scipy's success flag can be reported (lifetimes keeps
    neither); the optimization itself is unchanged."""

    def __init__(self, *modules):
        self.last = None
        for module in modules:
            original = module.minimize

            def wrapped(*a, _original=original, **k):
                self.last = _original(*a, **k)
                return self.last

            module.minimize = wrapped


def fmt(x):
    return "%.10g" % x


def main():
    args = parse_args()
    import numpy as np
    import pandas as pd
    import lifetimes.fitters as base_fitters
    import lifetimes.fitters.pareto_nbd_fitter as pareto_module
    from lifetimes import BetaGeoFitter, ParetoNBDFitter, GammaGammaFitter
    from lifetimes.utils import ConvergenceError

    log = OptimizerLog(base_fitters, pareto_module)
    df = pd.read_csv(args.summary, dtype={"frequency": np.int64, "recency": np.float64,
                                          "t": np.float64, "monetary": np.float64})
    freq = df["frequency"].to_numpy()
    rec = df["recency"].to_numpy()
    T = df["t"].to_numpy()
    repeat = df["frequency"] > 0
    dropped = 0
    if args.gg_positive:
        dropped = int((repeat & ~(df["monetary"] > 0)).sum())
        repeat &= df["monetary"] > 0
    gg_freq = df.loc[repeat, "frequency"].to_numpy()
    gg_mon = df.loc[repeat, "monetary"].to_numpy()

    def total_ll(model, fitter):
        # lifetimes' own likelihood at the fitted parameters, unscaled data, as a total.
        p = fitter.params_
        if model == "bgnbd":
            w = np.ones_like(rec, dtype=int)
            nll = BetaGeoFitter._negative_log_likelihood(
                np.log([p["r"], p["alpha"], p["a"], p["b"]]), freq, rec, T, w, 0.0)
            return -float(nll) * w.sum()
        if model == "pareto_nbd":
            w = np.ones(rec.shape[0], dtype=np.int64)
            nll = ParetoNBDFitter._negative_log_likelihood(
                [p["r"], p["alpha"], p["s"], p["beta"]], freq, rec, T, w, 0.0)
            return -float(nll) * w.mean()
        w = np.ones_like(gg_freq, dtype=int)
        nll = GammaGammaFitter._negative_log_likelihood(
            np.log([p["p"], p["q"], p["v"]]), gg_freq.astype(float), gg_mon, w, 0.0)
        return -float(nll) * w.sum()

    for model in args.models:
        rss_before = status_kb("VmRSS")
        can_reset = args.peak and reset_peak()
        runs, fitter, status, error = [], None, "converged", None
        for _ in range(args.repeat):
            np.random.seed(args.seed)
            log.last = None
            if model == "bgnbd":
                fitter, fit = BetaGeoFitter(penalizer_coef=0.0), lambda f: f.fit(freq, rec, T)
            elif model == "pareto_nbd":
                options = dict(xatol=1e-8, fatol=1e-8, maxiter=20000) if args.pareto_tight else {}
                fitter, fit = ParetoNBDFitter(penalizer_coef=0.0), lambda f: f.fit(freq, rec, T, **options)
            else:
                fitter, fit = GammaGammaFitter(penalizer_coef=0.0), lambda f: f.fit(gg_freq, gg_mon)
            t0 = time.perf_counter()
            try:
                # lifetimes prints scipy's result on stdout before raising ConvergenceError.
                with contextlib.redirect_stdout(sys.stderr):
                    fit(fitter)
            except ConvergenceError:
                error = "ConvergenceError"
            except Exception as e:  # report, do not die: the bench reads the line
                error = "error:" + type(e).__name__
                print("%s: %s: %s" % (model, type(e).__name__, e), file=sys.stderr)
            runs.append(time.perf_counter() - t0)
            if error:
                break
        hwm = status_kb("VmHWM") if can_reset else None
        result = log.last
        if error:
            status = error
        elif result is not None and not result.success:
            status = "not_converged"
        n = len(gg_freq) if model == "gamma_gamma" else len(freq)
        fields = [model]
        if not error:
            p = fitter.params_
            names = {"bgnbd": ["r", "alpha", "a", "b"], "pareto_nbd": ["r", "alpha", "s", "beta"],
                     "gamma_gamma": ["p", "q", "v"]}[model]
            for name in names:
                fields.append("%s=%s" % ("gamma" if name == "v" else name, fmt(p[name])))
            fields.append("log_likelihood=%s" % fmt(total_ll(model, fitter)))
        fields.append("customers=%d" % n)
        if model == "gamma_gamma" and args.gg_positive:
            fields.append("dropped=%d" % dropped)
        if model == "pareto_nbd":
            fields.append("options=%s" % ("tight" if args.pareto_tight else "default"))
        fields.append("seconds=%.6f" % statistics.median(runs))
        fields.append("runs=%s" % ",".join("%.6f" % r for r in runs))
        fields.append("status=%s" % status)
        if result is not None:
            fields.append("iterations=%s" % getattr(result, "nit", "n/a"))
            fields.append("message=%s" % str(getattr(result, "message", "")).replace(" ", "_"))
        if args.peak:
            fields.append("peak_rss_kb=%d" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            rise = hwm - rss_before if hwm is not None and rss_before is not None else None
            fields.append("fit_rise_kb=%s" % (rise if rise is not None else "n/a"))
        print(" ".join(fields), flush=True)


if __name__ == "__main__":
    main()
