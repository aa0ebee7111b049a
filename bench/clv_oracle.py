#!/usr/bin/env python3
"""Reference numbers for the customer-lifetime-value models from Python lifetimes, on CDNOW or on
any orders CSV: the summary, the three fits, the predictions for one customer, customer lifetime
value, and a holdout check. They are the oracle the extension's fitters are checked against.

usage: PYTHONPATH=$LIFETIMES_DIR/lifetimes:$LIFETIMES_DIR/autograd python3 bench/clv_oracle.py \\
           {cdnow_sample|cdnow_master|orders} FILE [--calibration-end D] [--observation-end D]
           [--write-summary CSV [--summary-only]]
  cdnow_sample  FILE is cdnow_sample.txt.gz: master id, sample id, YYYYMMDD, cds, dollars
  cdnow_master  FILE is cdnow_master.txt.gz: id, YYYYMMDD, cds, dollars
  orders        FILE is customer_id,ordered_at,amount without header (tools/ca_simulate_bgnbd)
--calibration-end (default 1997-09-30) is the as-of day of the summary (purchases on it count);
--observation-end (default 1998-06-30) ends the holdout period that follows it, when later.
--write-summary writes the calibration summary as bench/clv_lifetimes.py reads it (and bench/clv.sh
compares with ours); --summary-only stops there.

The lifetimes calls (0.11 at 4f2833f), time unit weeks = days / 7:
  summary_data_from_transaction_data(tx, "id", "date", monetary_value_col="dollars",
      observation_period_end=CAL_END, freq="D", freq_multiplier=7)
    merges each customer's purchases per day (amounts summed); frequency = days with a purchase
    after the first one; recency = (last day - first day) / 7; T = (CAL_END - first day) / 7;
    monetary_value = mean of the repeat days' totals (0 when frequency = 0)
  BetaGeoFitter(penalizer_coef=0).fit(frequency, recency, T)
  ParetoNBDFitter(penalizer_coef=0).fit(frequency, recency, T) after numpy.random.seed(0) (its
    Nelder-Mead starts at random), and once more with xatol=1e-8, fatol=1e-8, maxiter=20000
    ("tight": scipy options that override tol; tol=1e-12 alone cannot be met on a large total and
    runs to maxiter)
  GammaGammaFitter(penalizer_coef=0).fit(frequency, monetary_value) on frequency > 0
  bgf.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86)
  bgf.conditional_probability_alive(2, 30.43, 38.86); likewise for ParetoNBDFitter
  bgf.expected_number_of_purchases_up_to_time(39); likewise for ParetoNBDFitter
  ggf.conditional_expected_average_profit(2, 50) and (0, 0)
  ggf.customer_lifetime_value(model, 2, 30.43, 38.86, 50, time=12, discount_rate=0.01, freq="W")
  calibration_and_holdout_data(tx, "id", "date", calibration_period_end=CAL_END,
      observation_period_end=OBS_END, freq="D", freq_multiplier=7): actual holdout purchase days
    against bgf.predict(duration_holdout, frequency_cal, recency_cal, T_cal), summed
Log-likelihoods are totals over the customers in weeks (see bench/clv_lifetimes.py for
lifetimes' own conventions). BG/NBD and Gamma-Gamma are also polished by Newton steps on
lifetimes' likelihood (autograd's exact gradient and Hessian) to show how close lifetimes'
default stopping point is to the maximum.
"""
import argparse
import sys
import time

import numpy as onp
import pandas as pd
import autograd.numpy as anp
from autograd import grad, hessian

from lifetimes import BetaGeoFitter, ParetoNBDFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data, calibration_and_holdout_data

CUSTOMER = dict(frequency=2, recency=30.43, T=38.86)


def g(x):
    return "%.10g" % float(x)


def load(kind, path):
    if kind == "cdnow_sample":
        names = ["id", "sample_id", "date", "cds", "dollars"]
    elif kind == "cdnow_master":
        names = ["id", "date", "cds", "dollars"]
    else:
        tx = pd.read_csv(path, header=None, names=["id", "date", "dollars"])
        tx["date"] = pd.to_datetime(tx["date"], format="%Y-%m-%d")
        return tx
    tx = pd.read_csv(path, sep=r"\s+", header=None, names=names, dtype={"date": str})
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    return tx[["id", "date", "dollars"]]


def newton_polish(nll, log_params, steps=8):
    """Newton steps on a total negative log-likelihood of log parameters."""
    x = onp.array(log_params, dtype=float)
    for _ in range(steps):
        gr = grad(nll)(x)
        if onp.abs(gr).max() < 1e-10:
            break
        x = x - onp.linalg.solve(hessian(nll)(x), gr)
    return onp.exp(x), -nll(x), onp.abs(grad(nll)(x)).max()


def report_params(label, names, values, ll, extra=""):
    print("%s: %s log_likelihood=%s%s" % (label, " ".join("%s=%s" % (n, g(v)) for n, v in zip(names, values)),
                                          g(ll), extra))


def clv_by_hand(model, ggf, x, t_x, T, m, months, rate, weeks_per_month):
    """lifetimes.utils._customer_lifetime_value written out, to check the description below."""
    m_adj = ggf.conditional_expected_average_profit(x, m)
    total = 0.0
    for k in range(1, months + 1):
        step = model.predict(k * weeks_per_month, x, t_x, T) - model.predict((k - 1) * weeks_per_month, x, t_x, T)
        total += m_adj * step / (1 + rate) ** k
    return float(total)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=["cdnow_sample", "cdnow_master", "orders"])
    ap.add_argument("file")
    ap.add_argument("--calibration-end", default="1997-09-30")
    ap.add_argument("--observation-end", default="1998-06-30")
    ap.add_argument("--write-summary")
    ap.add_argument("--summary-only", action="store_true", help="write the summary, fit nothing")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    tx = load(args.kind, args.file)
    t0 = time.perf_counter()
    s = summary_data_from_transaction_data(tx, "id", "date", monetary_value_col="dollars",
                                           observation_period_end=args.calibration_end, freq="D",
                                           freq_multiplier=7)
    summary_seconds = time.perf_counter() - t0
    f, r, T = s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy()
    rep = s[s["frequency"] > 0]
    print("data: %s, %d rows, %d customers, calibration end %s; summary in %.3f s: %d customers, "
          "%d with frequency > 0 (%d of them with monetary <= 0), sum frequency %d"
          % (args.kind, len(tx), tx["id"].nunique(), args.calibration_end, summary_seconds, len(s), len(rep),
             (rep["monetary_value"] <= 0).sum(), f.sum()))
    if args.write_summary:
        out = pd.DataFrame({"customer_id": s.index, "frequency": f.astype(onp.int64), "recency": r, "t": T,
                            "monetary": onp.where(f > 0, s["monetary_value"], onp.nan)})
        out.to_csv(args.write_summary, index=False, float_format="%.17g")
    if args.summary_only:
        return 0

    w = onp.ones(len(f), dtype=int)
    # ---- BG/NBD
    bgf = BetaGeoFitter(penalizer_coef=0.0)
    t0 = time.perf_counter()
    bgf.fit(f, r, T)
    sec = time.perf_counter() - t0
    bg = bgf.params_
    bg_ll = -BetaGeoFitter._negative_log_likelihood(onp.log(bg.values), f, r, T, w, 0.0) * w.sum()
    report_params("bgnbd", ["r", "alpha", "a", "b"], bg.values, bg_ll,
                  " seconds=%.3f (lifetimes' own figure: mean NLL on times / max(T) = %s)"
                  % (sec, g(bgf._negative_log_likelihood_)))
    exact, ll, gmax = newton_polish(lambda lp: BetaGeoFitter._negative_log_likelihood(lp, f, r, T, w, 0.0) * w.sum(),
                                    onp.log(bg.values))
    report_params("bgnbd polished", ["r", "alpha", "a", "b"], exact, ll,
                  " |gradient|=%.1e max relative difference from lifetimes %.1e"
                  % (gmax, onp.abs(exact / bg.values - 1).max()))

    # ---- Pareto/NBD
    pnf = None
    for label, kw in (("pareto_nbd", {}), ("pareto_nbd tight", dict(xatol=1e-8, fatol=1e-8, maxiter=20000))):
        onp.random.seed(0)
        fitter = ParetoNBDFitter(penalizer_coef=0.0)
        t0 = time.perf_counter()
        fitter.fit(f, r, T, **kw)
        sec = time.perf_counter() - t0
        pp = fitter.params_
        ll = -ParetoNBDFitter._negative_log_likelihood(pp.values, f, r, T, w, 0.0) * w.mean()
        report_params(label, ["r", "alpha", "s", "beta"], pp.values, ll, " seconds=%.3f" % sec)
        if pnf is None:
            pnf = fitter
        else:
            print("pareto_nbd: max relative difference default/tight %.1e"
                  % onp.abs(pnf.params_.values / pp.values - 1).max())

    # ---- Gamma-Gamma, on frequency > 0; lifetimes refuses a mean spend <= 0 (a repeat customer whose
    # repeat purchases were all $0), so those are left out, and said so.
    ggf = GammaGammaFitter(penalizer_coef=0.0)
    nonpositive = int((rep["monetary_value"] <= 0).sum())
    if nonpositive:
        try:
            GammaGammaFitter(penalizer_coef=0.0).fit(rep["frequency"], rep["monetary_value"])
        except ValueError as e:
            print("gamma_gamma: lifetimes refuses the %d repeat customers (%s); fitted on the %d with "
                  "monetary > 0" % (len(rep), e, len(rep) - nonpositive))
        rep = rep[rep["monetary_value"] > 0]
    gf, gm = rep["frequency"].to_numpy().astype(float), rep["monetary_value"].to_numpy()
    gw = onp.ones(len(gf), dtype=int)
    t0 = time.perf_counter()
    ggf.fit(gf, gm)
    sec = time.perf_counter() - t0
    gp = ggf.params_
    gg_ll = -GammaGammaFitter._negative_log_likelihood(onp.log(gp.values), gf, gm, gw, 0.0) * gw.sum()
    report_params("gamma_gamma", ["p", "q", "gamma"], gp.values, gg_ll, " customers=%d seconds=%.3f" % (len(gf), sec))
    exact, ll, gmax = newton_polish(
        lambda lp: GammaGammaFitter._negative_log_likelihood(lp, gf, gm, gw, 0.0) * gw.sum(), onp.log(gp.values))
    report_params("gamma_gamma polished", ["p", "q", "gamma"], exact, ll,
                  " |gradient|=%.1e max relative difference from lifetimes %.1e"
                  % (gmax, onp.abs(exact / gp.values - 1).max()))

    # ---- one customer, a new customer
    x, t_x, TT = CUSTOMER["frequency"], CUSTOMER["recency"], CUSTOMER["T"]
    for label, model in (("bgnbd", bgf), ("pareto_nbd", pnf)):
        print("%s customer x=%d t_x=%s T=%s: expected purchases in 39 weeks %s, P(alive) %s; "
              "new customer: expected purchases in 39 weeks %s"
              % (label, x, t_x, TT, g(model.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, TT)),
                 g(onp.ravel(model.conditional_probability_alive(x, t_x, TT))[0]),
                 g(model.expected_number_of_purchases_up_to_time(39))))
    print("gamma_gamma conditional_expected_average_profit: x=2 m=50: %s; x=0: %s (the population mean "
          "p gamma / (q - 1))" % (g(ggf.conditional_expected_average_profit(2, 50)),
                                   g(ggf.conditional_expected_average_profit(0, 0))))
    # lifetimes.utils._customer_lifetime_value: for k = 1 .. time months, the expected purchases in
    # ((k - 1) f, k f] weeks (f = 4.345 weeks a month for freq "W"), times the Gamma-Gamma adjusted
    # spend, discounted by (1 + discount_rate)^k; summed.
    for label, model in (("bgnbd", bgf), ("pareto_nbd", pnf)):
        clv = ggf.customer_lifetime_value(model, onp.array([x]), onp.array([t_x]), onp.array([TT]),
                                          onp.array([50.0]), time=12, discount_rate=0.01, freq="W")
        hand = clv_by_hand(model, ggf, x, t_x, TT, 50.0, 12, 0.01, 4.345)
        print("customer_lifetime_value with %s, x=2 t_x=30.43 T=38.86 m=50, time=12 discount_rate=0.01 "
              "freq=W: %s (by hand %s)" % (label, g(clv.iloc[0]), g(hand)))

    # ---- holdout
    if pd.Timestamp(args.observation_end) > pd.Timestamp(args.calibration_end):
        h = calibration_and_holdout_data(tx, "id", "date", calibration_period_end=args.calibration_end,
                                         observation_period_end=args.observation_end, freq="D", freq_multiplier=7)
        same = onp.allclose(h["frequency_cal"].to_numpy(), f) and onp.allclose(h["T_cal"].to_numpy(), T)
        duration = h["duration_holdout"].iloc[0]
        for label, model in (("bgnbd", bgf), ("pareto_nbd", pnf)):
            pred = model.predict(duration, h["frequency_cal"].to_numpy(), h["recency_cal"].to_numpy(),
                                 h["T_cal"].to_numpy())
            print("holdout %s .. %s (%s weeks), %s: actual repeat purchase days %d, predicted %s "
                  "(predicted/actual %.4f)%s"
                  % (args.calibration_end, args.observation_end, g(duration), label, h["frequency_holdout"].sum(),
                     g(onp.sum(pred)), onp.sum(pred) / h["frequency_holdout"].sum(),
                     "" if same else " [calibration summary differs from the one fitted]"))


if __name__ == "__main__":
    sys.exit(main())
