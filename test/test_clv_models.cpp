// The CLV models (src/core/bgnbd.*, pareto_nbd.*, gamma_gamma.*, clv_data.hpp, clv_math.*):
// against the published CDNOW estimates (Fader, Hardie & Lee 2005; BTYD), each log-likelihood
// against an independent form computed in high precision (Boost.Multiprecision), the gradients
// against finite differences, and the fits' handling of cancellation and bad input.
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <cmath>
#include <random>

#include "bgnbd.hpp"
#include "clv_math.hpp"
#include "clv_test_data.hpp"
#include "gamma_gamma.hpp"
#include "pareto_nbd.hpp"

using namespace clv_test;
using Big = boost::multiprecision::cpp_bin_float_50;

namespace {

// The published CDNOW estimates (FHL 2005; BTYD's vignette).
const ca::BgnbdParams kCdnowBgnbd{0.2426, 4.4137, 0.7930, 2.4262};
const ca::ParetoNbdParams kCdnowPareto{0.5534, 10.5802, 0.6061, 11.6562};

ca::BudgetVector<ca::ClvCustomer> Sample(ca::ExecContext &ctx, bool &present) {
    auto customers = ca::MakeBudgetVector<ca::ClvCustomer>(ctx);
    present = LoadCdnow(ctx, "cdnow_sample.txt.gz", CdnowCalibrationEnd(), customers);
    return customers;
}

ca::SpendPoints Spend(const ca::BudgetVector<ca::ClvCustomer> &customers) {
    ca::SpendPoints spend;
    for (const auto &c : customers) {
        ca::SpendPoints::Key key;
        if (ca::SpendKey(static_cast<double>(c.frequency), c.monetary, key)) spend.Add(key);
    }
    return spend;
}

// 2F1(a, b; c; z) by its defining series, in 50 digits.
Big Hyp2F1Big(const Big &a, const Big &b, const Big &c, const Big &z) {
    Big sum = 1, term = 1;
    for (int k = 0; k < 400000; ++k) {
        term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
        sum += term;
        if (k > a + b + c && abs(term) < sum * Big("1e-45")) break;
    }
    return sum;
}

// BG/NBD's E[Y(t) | x, t_x, T] as FHL 2005 eq. 10 writes it, in 50 digits.
double BgnbdExpectedReference(const ca::BgnbdParams &p, double t, double x, double t_x, double T) {
    using boost::multiprecision::pow;
    const Big r = p.r, alpha = p.alpha, a = p.a, b = p.b, X = x, tx = t_x, TT = T, tt = t;
    const Big z = tt / (alpha + TT + tt);
    const Big numerator = (a + b + X - 1) / (a - 1) *
                          (1 - pow((alpha + TT) / (alpha + TT + tt), r + X) *
                                   Hyp2F1Big(r + X, b + X, a + b + X - 1, z));
    const Big denominator =
        1 + (x > 0 ? a / (b + X - 1) * pow((alpha + TT) / (alpha + tx), r + X) : 0);
    return static_cast<double>(numerator / denominator);
}

// BG/NBD's likelihood as FHL 2005 eq. 6 writes it, in 50 digits.
double BgnbdReference(const ca::BgnbdParams &p, double x, double t_x, double T) {
    using boost::multiprecision::exp;
    using boost::multiprecision::lgamma;
    using boost::multiprecision::log;
    const Big r = p.r, alpha = p.alpha, a = p.a, b = p.b, X = x, tx = t_x, TT = T;
    auto log_beta = [](const Big &u, const Big &v) {
        return lgamma(u) + lgamma(v) - lgamma(u + v);
    };
    const Big common = lgamma(r + X) - lgamma(r) + r * log(alpha);
    Big value = exp(log_beta(a, b + X) - log_beta(a, b) + common - (r + X) * log(alpha + TT));
    if (x > 0)
        value +=
            exp(log_beta(a + 1, b + X - 1) - log_beta(a, b) + common - (r + X) * log(alpha + tx));
    return static_cast<double>(log(value));
}

// Pareto/NBD's likelihood as the published form writes it (Fader & Hardie 2005 note, eq. 22:
// the difference of two 2F1 terms), in 50 digits.
double ParetoReference(const ca::ParetoNbdParams &p, double x, double t_x, double T) {
    using boost::multiprecision::lgamma;
    using boost::multiprecision::log;
    using boost::multiprecision::pow;
    const Big r = p.r, alpha = p.alpha, s = p.s, beta = p.beta, X = x, tx = t_x, TT = T;
    const Big m = r + s + X;
    Big a0;
    if (alpha >= beta) {
        a0 = Hyp2F1Big(m, s + 1, m + 1, (alpha - beta) / (alpha + tx)) / pow(alpha + tx, m) -
             Hyp2F1Big(m, s + 1, m + 1, (alpha - beta) / (alpha + TT)) / pow(alpha + TT, m);
    } else {
        a0 = Hyp2F1Big(m, r + X, m + 1, (beta - alpha) / (beta + tx)) / pow(beta + tx, m) -
             Hyp2F1Big(m, r + X, m + 1, (beta - alpha) / (beta + TT)) / pow(beta + TT, m);
    }
    const Big bracket = 1 / (pow(alpha + TT, r + X) * pow(beta + TT, s)) + s / m * a0;
    return static_cast<double>(lgamma(r + X) - lgamma(r) + r * log(alpha) + s * log(beta) +
                               log(bracket));
}

}  // namespace

TEST_CASE("BG/NBD on the CDNOW sample matches Fader, Hardie & Lee (2005)", "[clv][bgnbd]") {
    ca::ExecContext ctx;
    bool present = false;
    const auto customers = Sample(ctx, present);
    if (!present) return;
    REQUIRE(customers.size() == 2357);
    std::size_t repeat = 0;
    for (const auto &c : customers) repeat += c.frequency > 0;
    CHECK(repeat == 946);
    auto points = Triples(customers);
    CHECK(points.total() == 2357);
    const ca::ModelFit fit = ca::FitBgnbd(ctx, points.Points());
    INFO(fit.status << " after " << fit.evaluations << " evaluations");
    CHECK(fit.converged);
    CHECK(fit.customers == 2357);
    CHECK(fit.params[0] == Approx(kCdnowBgnbd.r).epsilon(1e-4));
    CHECK(fit.params[1] == Approx(kCdnowBgnbd.alpha).epsilon(1e-4));
    CHECK(fit.params[2] == Approx(kCdnowBgnbd.a).epsilon(1e-4));
    CHECK(fit.params[3] == Approx(kCdnowBgnbd.b).epsilon(2e-4));
    CHECK(fit.log_likelihood == Approx(-9582.43).margin(0.005));
}

TEST_CASE("BG/NBD predictions match the paper's worked customer", "[clv][bgnbd]") {
    // FHL 2005, section 5: x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in 39 weeks.
    CHECK(ca::BgnbdExpectedPurchases(kCdnowBgnbd, 39, 2, 30.43, 38.86) ==
          Approx(1.226).margin(0.0005));
    // Nothing in no time; a customer with no repeat purchase is alive.
    CHECK(ca::BgnbdExpectedPurchases(kCdnowBgnbd, 0, 2, 30.43, 38.86) == 0);
    CHECK(ca::BgnbdProbabilityAlive(kCdnowBgnbd, 0, 0, 38.86) == 1);
    // E[X(t)] is the limit of E[Y(t) | 0, 0, 0] (a customer just acquired).
    CHECK(ca::BgnbdExpectedPurchasesNew(kCdnowBgnbd, 39) ==
          Approx(ca::BgnbdExpectedPurchases(kCdnowBgnbd, 39, 0, 0, 0)).epsilon(1e-12));
    // Frequencies in the thousands stay finite (the published 2F1 overflows there).
    // Near a = 1, where the formula's quotient cancels, and at a = 1 itself.
    for (double a : {1 - 1e-15, 1.0, 1 + 1e-7, 1 + 5e-5, 1 - 9e-5}) {
        const ca::BgnbdParams p{kCdnowBgnbd.r, kCdnowBgnbd.alpha, a, kCdnowBgnbd.b};
        const ca::BgnbdParams q{kCdnowBgnbd.r, kCdnowBgnbd.alpha, a == 1 ? 1 + 1e-12 : a,
                                kCdnowBgnbd.b};
        INFO("a " << a);
        CHECK(ca::BgnbdExpectedPurchases(p, 39, 2, 5, 10) ==
              Approx(BgnbdExpectedReference(q, 39, 2, 5, 10)).epsilon(1e-7));
    }
    for (double x : {1.0, 7.0, 60.0, 900.0, 5000.0})
        for (double t : {1.0, 39.0, 300.0}) {
            INFO("x " << x << " t " << t);
            CHECK(ca::BgnbdExpectedPurchases(kCdnowBgnbd, t, x, 30.43, 38.86) ==
                  Approx(BgnbdExpectedReference(kCdnowBgnbd, t, x, 30.43, 38.86)).epsilon(1e-10));
        }
}

TEST_CASE("each BG/NBD log-likelihood term equals eq. 6 computed in 50 digits", "[clv][bgnbd]") {
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(0.05, 5);
    for (int i = 0; i < 300; ++i) {
        const ca::BgnbdParams p{u(rng), u(rng) * 4, u(rng), u(rng)};
        const double T = u(rng) * 20, t_x = T * u(rng) / 5;
        const double x = i % 4 == 0 ? 0 : std::floor(u(rng) * (i % 3 == 0 ? 800 : 10)) + 1;
        INFO("r " << p.r << " alpha " << p.alpha << " a " << p.a << " b " << p.b << " x " << x);
        CHECK(ca::BgnbdLogLikelihood(p, x, x == 0 ? 0 : t_x, T) ==
              Approx(BgnbdReference(p, x, x == 0 ? 0 : t_x, T)).epsilon(1e-11));
    }
}

TEST_CASE("each Pareto/NBD log-likelihood term equals the published form in 50 digits",
          "[clv][pareto]") {
    std::mt19937_64 rng(12);
    std::uniform_real_distribution<double> u(0.05, 5);
    for (int i = 0; i < 300; ++i) {
        // Both branches (alpha >= beta and below), the quadrature region (beta << alpha and the
        // reverse), and frequencies in the thousands.
        ca::ParetoNbdParams p{u(rng), u(rng) * 4, u(rng), u(rng) * 4};
        if (i % 10 == 0) p.beta = p.alpha / 60;
        if (i % 10 == 1) p.alpha = p.beta / 60;
        const double T = u(rng) * 20, t_x = T * u(rng) / 5;
        const double x = i % 4 == 0 ? 0 : std::floor(u(rng) * (i % 3 == 0 ? 2000 : 10)) + 1;
        const double tx = x == 0 ? 0 : t_x;
        INFO("r " << p.r << " alpha " << p.alpha << " s " << p.s << " beta " << p.beta << " x " << x
                  << " t_x " << tx << " T " << T);
        const double ours = ca::ParetoNbdLogLikelihood(p, x, tx, T);
        REQUIRE(std::isfinite(ours));
        CHECK(ours == Approx(ParetoReference(p, x, tx, T)).epsilon(1e-10));
    }
}

TEST_CASE("Pareto/NBD stays finite at extreme scales", "[clv][pareto]") {
    // alpha at the top of the double range (the quadrature interval underflows) and both scales
    // at the ends of the range.
    const ca::ParetoNbdParams huge{0.55, 1.7976931348623157e308, 0.61, 11.67};
    const double p = ca::ParetoNbdProbabilityAlive(huge, 3, 0.9999999999999999, 54.66);
    CHECK((p >= 0 && p <= 1));
    CHECK(std::isfinite(ca::ParetoNbdLogLikelihood(huge, 3, 0.9999999999999999, 54.66)));
    const ca::ParetoNbdParams ends{0.55, 1e300, 0.61, 1e-300};
    const double q = ca::ParetoNbdProbabilityAlive(ends, 3, 1e-300, 1e-299);
    CHECK((q >= 0 && q <= 1));
}

TEST_CASE("Pareto/NBD beyond the double range is a data exception, not Boost's", "[clv][pareto]") {
    // Found by the fuzzer: alpha 1e-300 and beta 1e300 put the quadrature's upper bound at
    // infinity, where Boost's tanh-sinh raised its own evaluation error (an internal error).
    const ca::ParetoNbdParams apart{0.55, 1e-300, 1e300, 1e300};
    CHECK(KindOf([&] { ca::ParetoNbdExpectedPurchases(apart, 1e15, 0, 0, 2147483648.0); }) ==
          ca::ErrorKind::DataException);
    CHECK(KindOf([&] { ca::ParetoNbdProbabilityAlive(apart, 0, 0, 2147483648.0); }) ==
          ca::ErrorKind::DataException);
    CHECK(KindOf([&] { ca::ParetoNbdLogLikelihood(apart, 0, 0, 2147483648.0); }) ==
          ca::ErrorKind::DataException);
}

TEST_CASE("Pareto/NBD on the CDNOW sample reaches the published optimum", "[clv][pareto]") {
    ca::ExecContext ctx;
    bool present = false;
    const auto customers = Sample(ctx, present);
    if (!present) return;
    auto points = Triples(customers);
    const ca::ModelFit fit = ca::FitParetoNbd(ctx, points.Points());
    INFO(fit.status << " after " << fit.evaluations << " evaluations");
    CHECK(fit.converged);
    // BTYD's published estimates, r = 0.5534, alpha = 10.5802, s = 0.6061, beta = 11.6562,
    // LL = -9594.976: the likelihood is flat along s and beta, and BTYD's optimiser stops a
    // little short; our maximum is at least as high and within 0.2 % of its parameters.
    CHECK(fit.params[0] == Approx(kCdnowPareto.r).epsilon(1e-3));
    CHECK(fit.params[1] == Approx(kCdnowPareto.alpha).epsilon(1e-3));
    CHECK(fit.params[2] == Approx(kCdnowPareto.s).epsilon(2e-3));
    CHECK(fit.params[3] == Approx(kCdnowPareto.beta).epsilon(2e-3));
    CHECK(fit.log_likelihood == Approx(-9594.976).margin(0.001));
    const double published[4] = {std::log(kCdnowPareto.r), std::log(kCdnowPareto.alpha),
                                 std::log(kCdnowPareto.s), std::log(kCdnowPareto.beta)};
    CHECK(fit.log_likelihood >= -ca::ParetoNbdObjective(ctx, points.Points(), published) * 2357);
}

TEST_CASE("Gamma-Gamma on the CDNOW sample's repeat customers matches Fader & Hardie (2013)",
          "[clv][gamma]") {
    ca::ExecContext ctx;
    bool present = false;
    const auto customers = Sample(ctx, present);
    if (!present) return;
    auto spend = Spend(customers);
    const ca::ModelFit fit = ca::FitGammaGamma(ctx, spend.Points());
    INFO(fit.status << " after " << fit.evaluations << " evaluations");
    CHECK(fit.converged);
    CHECK(fit.customers == 946);
    // p = 6.25, q = 3.74, gamma = 15.44 (the note's section 4).
    CHECK(fit.params[0] == Approx(6.25).margin(0.005));
    CHECK(fit.params[1] == Approx(3.74).margin(0.005));
    CHECK(fit.params[2] == Approx(15.44).margin(0.005));
    const ca::GammaGammaParams g{fit.params[0], fit.params[1], fit.params[2]};
    // The expectation weighs the population mean and the customer's own.
    const double population = g.p * g.gamma / (g.q - 1);
    const double own = 50, weight = g.p * 2 / (g.p * 2 + g.q - 1);
    CHECK(ca::GammaGammaExpectedSpend(g, 2, own) ==
          Approx(weight * own + (1 - weight) * population).epsilon(1e-12));
    CHECK(ca::GammaGammaExpectedSpend(g, 0, 0) == Approx(population).epsilon(1e-12));
}

TEST_CASE("analytic gradients equal finite differences", "[clv]") {
    ca::ExecContext ctx;
    std::mt19937_64 rng(13);
    std::uniform_real_distribution<double> u(0.1, 3);
    ca::CalibrationPoints triples;
    ca::SpendPoints spend;
    for (int i = 0; i < 400; ++i) {
        const double x = std::floor(u(rng) * 3), T = u(rng) * 10 + 1;
        triples.Add(ca::CalibrationKey(x, x == 0 ? 0 : T * u(rng) / 3, T), 1 + i % 3);
        ca::SpendPoints::Key key;
        if (ca::SpendKey(x + 1, u(rng) * 40, key)) spend.Add(key);
    }
    for (int trial = 0; trial < 20; ++trial) {
        const std::vector<double> theta4 = {std::log(u(rng)), std::log(u(rng)), std::log(u(rng)),
                                            std::log(u(rng))};
        double g[4];
        ca::BgnbdObjective(ctx, triples.Points(), theta4.data(), g);
        const auto numeric = ca::NumericGradient(
            [&](const std::vector<double> &t, double *) {
                return ca::BgnbdObjective(ctx, triples.Points(), t.data(), nullptr);
            },
            theta4);
        for (int i = 0; i < 4; ++i) CHECK(g[i] == Approx(numeric[i]).margin(1e-7));
        const std::vector<double> theta3(theta4.begin(), theta4.begin() + 3);
        double h[3];
        ca::GammaGammaObjective(ctx, spend.Points(), theta3.data(), h);
        const auto numeric3 = ca::NumericGradient(
            [&](const std::vector<double> &t, double *) {
                return ca::GammaGammaObjective(ctx, spend.Points(), t.data(), nullptr);
            },
            theta3);
        for (int i = 0; i < 3; ++i) CHECK(h[i] == Approx(numeric3[i]).margin(1e-7));
    }
}

TEST_CASE("Hyp2F1 agrees with Boost.Math's pFq and fails clearly near z = 1", "[clv]") {
    const double cases[][4] = {
        {1, 2.5, 4.2, 0.3}, {0.7, -0.2, 3.1, 0.9}, {2.3, 0.8, 500.5, 0.99}, {-1.5, 0.3, 0.7, 0.5}};
    for (const auto &c : cases)
        CHECK(ca::Hyp2F1(c[0], c[1], c[2], c[3]) ==
              Approx(boost::math::hypergeometric_pFq({c[0], c[1]}, {c[2]}, c[3])).epsilon(1e-12));
    CHECK(KindOf([] { ca::Hyp2F1(0.5, 0.5, 0.2, 1 - 1e-9); }) == ca::ErrorKind::DataException);
    CHECK(KindOf([] { ca::Hyp2F1(0.5, 0.5, -2, 0.5); }) == ca::ErrorKind::InvalidParameter);
}

TEST_CASE("a fit stops at cancellation, through the optimiser", "[clv]") {
    std::mt19937_64 rng(14);
    std::uniform_real_distribution<double> u(0.1, 3);
    ca::CalibrationPoints triples;
    for (int i = 0; i < 20000; ++i) {
        const double x = std::floor(u(rng) * 3), T = u(rng) * 10 + 1;
        triples.Add(ca::CalibrationKey(x, x == 0 ? 0 : T * u(rng) / 3, T));
    }
    for (int which = 0; which < 2; ++which) {
        HookState hook;
        hook.throw_at = 5;
        ca::ExecContext ctx(ca::ExecContext::kUnlimited, CountingHook, &hook);
        CHECK(KindOf([&] {
                  if (which == 0)
                      ca::FitBgnbd(ctx, triples.Points());
                  else
                      ca::FitParetoNbd(ctx, triples.Points());
              }) == ca::ErrorKind::Cancelled);
        CHECK(hook.calls == 5);
    }
}

TEST_CASE("bad input to the models: a documented error", "[clv]") {
    ca::ExecContext ctx;
    CHECK(KindOf([] { ca::CalibrationKey(1.5, 1, 2); }) == ca::ErrorKind::InvalidParameter);
    CHECK(KindOf([] { ca::CalibrationKey(-1, 0, 2); }) == ca::ErrorKind::InvalidParameter);
    CHECK(KindOf([] { ca::CalibrationKey(1, 3, 2); }) == ca::ErrorKind::InvalidParameter);
    CHECK(KindOf([] { ca::CalibrationKey(0, 1, 2); }) == ca::ErrorKind::InvalidParameter);
    CHECK(KindOf([] { ca::CalibrationKey(1, 1, INFINITY); }) == ca::ErrorKind::InvalidParameter);
    CHECK(KindOf([] { ca::CalibrationKey(NAN, 0, 1); }) == ca::ErrorKind::InvalidParameter);
    ca::SpendPoints::Key key;
    CHECK_FALSE(ca::SpendKey(0, -5, key));
    CHECK(KindOf([&] { ca::SpendKey(2, 0, key); }) == ca::ErrorKind::InvalidParameter);
    // Nobody came back: no fit.
    ca::CalibrationPoints once;
    once.Add(ca::CalibrationKey(0, 0, 10), 100);
    CHECK(KindOf([&] { ca::FitBgnbd(ctx, once.Points()); }) == ca::ErrorKind::DataException);
    CHECK(KindOf([&] { ca::FitParetoNbd(ctx, once.Points()); }) == ca::ErrorKind::DataException);
    ca::SpendPoints one;
    one.Add({2, 30}, 50);
    CHECK(KindOf([&] { ca::FitGammaGamma(ctx, one.Points()); }) == ca::ErrorKind::DataException);
    CHECK(KindOf([] {
              ca::BgnbdExpectedPurchases({1, 1, 1, 0}, 1, 0, 0, 1);
          }) == ca::ErrorKind::InvalidParameter);
    CHECK(KindOf([] {
              ca::BgnbdExpectedPurchases({1, 1, 0.5, 1}, -1, 0, 0, 1);
          }) == ca::ErrorKind::InvalidParameter);
    CHECK(KindOf([] {
              ca::GammaGammaExpectedSpend({1, 0.5, 1}, 0, 0);
          }) == ca::ErrorKind::DataException);
}

TEST_CASE("points merge in any order and survive their byte format", "[clv]") {
    std::mt19937_64 rng(15);
    std::uniform_int_distribution<int> d(0, 30);
    ca::CalibrationPoints all, left, right;
    for (int i = 0; i < 30000; ++i) {
        const double x = d(rng) % 4, T = d(rng) + 1, t_x = x == 0 ? 0 : std::min<double>(d(rng), T);
        const auto key = ca::CalibrationKey(x, t_x, T);
        all.Add(key);
        (i % 3 == 0 ? left : right).Add(key);
    }
    right.Merge(left);
    REQUIRE(right.Points().size() == all.Points().size());
    for (std::size_t i = 0; i < all.Points().size(); ++i) {
        CHECK(right.Points()[i].key == all.Points()[i].key);
        CHECK(right.Points()[i].count == all.Points()[i].count);
    }
    std::string bytes;
    all.Serialize(bytes);
    auto back = ca::CalibrationPoints::Deserialize(bytes.data(), bytes.size(), "state");
    CHECK(back.total() == 30000);
    CHECK(back.Points().size() == all.Points().size());
    // Every truncation and a flipped order are refused.
    for (std::size_t cut = 0; cut < 40; ++cut)
        CHECK(KindOf([&] { ca::CalibrationPoints::Deserialize(bytes.data(), cut, "state"); }) ==
              ca::ErrorKind::DataException);
    std::string swapped = bytes;
    std::swap_ranges(swapped.begin() + 9, swapped.begin() + 41, swapped.begin() + 41);
    CHECK(KindOf([&] {
              ca::CalibrationPoints::Deserialize(swapped.data(), swapped.size(), "state");
          }) == ca::ErrorKind::DataException);
    // A limit: the state's memory is charged.
    ca::CalibrationPoints small(1000);
    CHECK(KindOf([&] {
              for (int i = 0; i < 100; ++i) small.Add(ca::CalibrationKey(0, 0, i));
          }) == ca::ErrorKind::MemoryLimit);
}

TEST_CASE("the customer summary merges days, leaves out returns and orders after as_of",
          "[clv][summary]") {
    ca::ExecContext ctx;
    ca::ClvSummaries s(ctx, true, 15);
    auto add = [&](std::uint32_t customer, std::int32_t day, double dollars) {
        ca::Order o;
        o.has_time = o.has_amount = true;
        o.time = day * ca::kUsecsPerDay + 3600LL * 1000000 * (customer + 1);  // not midnight
        o.amount = static_cast<ca::Money>(std::llround(dollars * 100)) * (ca::kMoneyUnit / 100);
        s.Add(customer, o);
    };
    add(0, 10, 0);  // a free item: a purchase
    add(0, 3, 20);  // out of order on purpose
    add(0, 0, 10);
    add(0, 0, 5);     // same day as the first: one purchase
    add(0, 3, -5);    // a return: not a purchase, not in monetary
    add(0, 20, 100);  // after as_of
    add(1, 2, -30);   // only a return: no summary
    add(2, 16, 40);   // first purchase after as_of: no summary
    add(3, 15, 7);    // on as_of's day: counted, T = 0
    ca::Order bad;    // no time
    bad.has_amount = true;
    s.Add(3, bad);
    const auto out = s.Finish(ctx, ca::ParseTimeUnit("week"));
    REQUIRE(out.size() == 2);
    CHECK(out[0].customer == 0);
    CHECK(out[0].frequency == 2);
    CHECK(out[0].recency == Approx(10.0 / 7));
    CHECK(out[0].T == Approx(15.0 / 7));
    CHECK(out[0].has_monetary);
    CHECK(out[0].monetary == Approx(10));  // (20 + 0) / 2
    CHECK(out[1].customer == 3);
    CHECK(out[1].frequency == 0);
    CHECK(out[1].T == 0);
    CHECK_FALSE(out[1].has_monetary);
    CHECK(s.skips().after_bound_rows == 2);
    CHECK(s.skips().null_field_rows == 0);  // the reader counts bad lines; here has_time is false
    CHECK(KindOf([] { ca::ParseTimeUnit("fortnight"); }) == ca::ErrorKind::InvalidParameter);
    // Without as_of: the latest purchase day.
    ca::ClvSummaries latest(ctx, false, 0);
    ca::Order o;
    o.has_time = o.has_amount = true;
    o.amount = ca::MoneyFromInt(1);
    o.time = 4 * ca::kUsecsPerDay;
    latest.Add(0, o);
    o.time = 9 * ca::kUsecsPerDay;
    latest.Add(1, o);
    const auto out2 = latest.Finish(ctx, 1);
    REQUIRE(out2.size() == 2);
    CHECK(out2[0].T == 5);
    CHECK(out2[1].T == 0);
}

TEST_CASE("holdout counts and the tracking table on the CDNOW sample", "[clv][summary]") {
    ca::ExecContext ctx;
    std::string text;
    auto customers = ca::MakeBudgetVector<ca::ClvCustomer>(ctx);
    // Calibration to 1997-09-30, holdout to 1998-06-30 (weeks 40-78).
    ca::ClvSummaries summaries(ctx, true, CdnowCalibrationEnd(), true,
                               ca::DaysFromCivil(1998, 6, 30));
    if (!LoadCdnowInto(ctx, "cdnow_sample.txt.gz", summaries)) return;
    customers = summaries.Finish(ctx, 7);
    REQUIRE(customers.size() == 2357);
    std::int64_t calibration = 0, holdout = 0;
    for (const auto &c : customers) {
        calibration += c.frequency;
        holdout += c.holdout_purchases;
    }
    CHECK(calibration == 2457);
    const auto fit = ca::FitBgnbd(ctx, Triples(customers).Points());
    const ca::BgnbdParams p{fit.params[0], fit.params[1], fit.params[2], fit.params[3]};
    const auto periods =
        summaries.Track(ctx, 7, [&](double t) { return ca::BgnbdExpectedPurchasesNew(p, t); });
    REQUIRE(periods.size() == 78);
    std::int64_t actual = 0;
    double expected = 0;
    for (const auto &period : periods) {
        actual += period.actual;
        expected += period.expected;
        CHECK(period.holdout == (period.period > 39));
    }
    CHECK(actual == calibration + holdout);
    // The expected cumulative count at week 78 is the sum over customers of E[X(t)] from each
    // one's first purchase to the end of week 78.
    const double end = ca::DaysFromCivil(1997, 1, 1) + 78 * 7;
    double direct = 0;
    for (const auto &c : customers)
        direct += ca::BgnbdExpectedPurchasesNew(p, (end - c.first_day) / 7);
    CHECK(expected == Approx(direct).epsilon(1e-12));
}
