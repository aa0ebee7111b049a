// ca_simulate_bgnbd: simulates customers' purchases under the BG/NBD model (Fader, Hardie and Lee
// 2005, "Counting your customers the easy way") with Gamma-Gamma spend per purchase (Fader, Hardie
// and Lee 2005, "RFM and CLV"), and writes them as CSV to stdout: customer_id,ordered_at,amount
// (no header). It gives the customer-lifetime-value fitters data whose true parameters are known,
// at any size (bench/clv.sh fits one million customers). Usage: ca_simulate_bgnbd --help.
//
// Model, per customer (time in weeks; defaults are the published CDNOW estimates):
//   lambda ~ Gamma(shape r, rate alpha)            purchase rate while active
//   p      ~ Beta(a, b)                            dropout probability
//   nu     ~ Gamma(shape q, rate gamma)            spend scale
// The first purchase falls at a uniform instant of a day drawn uniformly from the first
// --acquisition-weeks weeks from --start. While active, the next purchase follows after
// Exp(lambda) weeks; right after each repeat purchase the customer becomes inactive with
// probability p. That is BG/NBD: the first (trial) purchase is never followed by a dropout, so a
// customer without repeat purchases was alive all along (the model's likelihood for x = 0 is
// (alpha / (alpha + T))^r), as in lifetimes' own generator. --dropout-after-first also lets the
// customer drop out right after the first purchase (the MBG/NBD variant of Batislam et al. 2007;
// a BG/NBD fit of such data is biased). Purchases are observed up to the end of --end. Each
// purchase's amount ~ Gamma(shape p, rate nu), rounded to cents, at least 0.01. Several purchases
// of a customer can fall on one day: each is its own row (summaries merge them per day).
//
// Determinism. The output depends only on the arguments: each customer draws from its own
// xoshiro256** stream, seeded through splitmix64 from (seed, customer id), and every
// distribution is computed here (no <random> distributions, whose algorithms differ between
// standard libraries): uniforms from the top 53 bits, normals by Marsaglia's polar method,
// gammas by Marsaglia and Tsang (2000) with the U^(1/k) boost for shapes below 1, all in log
// space so that tiny shapes cannot underflow, beta as X / (X + Y) of two gammas, exponentials as
// -ln(u). Only sqrt (exact in IEEE 754) and glibc's log and exp are used; the build turns off
// floating-point contraction (Makefile).
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "generator_common.hpp"

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;

constexpr u64 kMaxCustomers = 1000000000;

using ca_tools::CivilFromDays;
using ca_tools::ParseDate;
using ca_tools::SplitMix64;

class Rng : public ca_tools::Xoshiro256 {  // one xoshiro256** stream per (seed, customer)
  public:
    Rng(u64 seed, u64 customer) : Xoshiro256(SplitMix64(seed) ^ customer) {}
    // Uniform in (0, 1): never 0, so its log is finite.
    double Open01() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }
    // Standard normal, Marsaglia's polar method (one of the pair; the other is dropped so that a
    // draw's value does not depend on what was drawn before it).
    double Normal() {
        for (;;) {
            const double u = 2.0 * Open01() - 1.0, v = 2.0 * Open01() - 1.0;
            const double s = u * u + v * v;
            if (s < 1.0 && s > 0.0) return u * std::sqrt(-2.0 * std::log(s) / s);
        }
    }
    // log of a Gamma(shape, rate 1) variate, shape > 0: Marsaglia and Tsang, with
    // Gamma(k) = Gamma(k + 1) U^(1/k) for k < 1.
    double LogGamma(double shape) {
        if (shape < 1.0) return LogGamma(shape + 1.0) + std::log(Open01()) / shape;
        const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
        for (;;) {
            const double x = Normal();
            const double w = 1.0 + c * x;
            if (w <= 0.0) continue;
            const double v = w * w * w;
            if (std::log(Open01()) < 0.5 * x * x + d - d * v + d * std::log(v))
                return std::log(d) + std::log(v);
        }
    }
    // Beta(a, b) as X / (X + Y), X ~ Gamma(a), Y ~ Gamma(b), from the logs.
    double Beta(double a, double b) {
        const double lx = LogGamma(a), ly = LogGamma(b);
        return 1.0 / (1.0 + std::exp(ly - lx));
    }
};

struct Options {
    u64 customers = 1000000;
    u64 seed = 42;
    double r = 0.2426, alpha = 4.4137, a = 0.7930, b = 2.4262;  // BG/NBD, per week
    double p = 6.25, q = 3.74, gamma = 15.44;                   // Gamma-Gamma
    i64 start = 0, end = 0;                                     // days since 1970-01-01
    u64 acquisition_weeks = 12;
    bool dropout_after_first = false;
};

void Usage(FILE *f) {
    std::fprintf(
        f,
        "usage: ca_simulate_bgnbd [options] > orders.csv\n"
        "  --customers N           customer ids 1..N (default 1000000)\n"
        "  --seed S                random seed (default 42)\n"
        "  --r X --alpha X         purchase rate ~ Gamma(r, rate alpha), per week\n"
        "                          (default 0.2426, 4.4137)\n"
        "  --a X --b X             dropout probability ~ Beta(a, b) (default 0.7930, 2.4262)\n"
        "  --p X --q X --gamma X   Gamma-Gamma spend: amount ~ Gamma(p, rate nu),\n"
        "                          nu ~ Gamma(q, rate gamma) (default 6.25, 3.74, 15.44)\n"
        "  --start YYYY-MM-DD      first day of the acquisition period (default 1997-01-01)\n"
        "  --acquisition-weeks N   first purchases fall in the first N weeks (default 12)\n"
        "  --end YYYY-MM-DD        last day observed (default 1998-06-30)\n"
        "  --dropout-after-first   the customer may also drop out right after the first\n"
        "                          purchase (MBG/NBD; plain BG/NBD by default)\n"
        "CSV columns, no header: customer_id,ordered_at,amount\n");
}

[[noreturn]] void Fail(const std::string &msg) {
    std::fprintf(stderr, "ca_simulate_bgnbd: %s\n", msg.c_str());
    Usage(stderr);
    std::exit(2);
}

u64 ParseUint(const std::string &name, const char *s, u64 max) {
    char *endp = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(s, &endp, 10);
    if (!*s || *endp || *s == '-' || errno != 0) Fail(name + ": not a number: " + s);
    if (v > max) Fail(name + ": at most " + std::to_string(max));
    return v;
}

double ParsePositive(const std::string &name, const char *s) {
    char *endp = nullptr;
    const double v = std::strtod(s, &endp);
    if (!*s || *endp || !(v > 0.0) || !std::isfinite(v)) Fail(name + ": needs a positive number");
    return v;
}

class Writer {  // buffered CSV rows
  public:
    ~Writer() { Flush(); }
    void Row(u64 customer, i64 day, i64 cents) {
        if (len_ + 64 > sizeof buf_) Flush();
        const ca_tools::Civil c = CivilFromDays(day);
        len_ += static_cast<size_t>(std::snprintf(
            buf_ + len_, sizeof buf_ - len_, "%llu,%04lld-%02u-%02u,%lld.%02lld\n",
            static_cast<unsigned long long>(customer), static_cast<long long>(c.y), c.m, c.d,
            static_cast<long long>(cents / 100), static_cast<long long>(cents % 100)));
        ++rows_;
    }
    void Flush() {
        if (len_ && std::fwrite(buf_, 1, len_, stdout) != len_) {
            std::perror("ca_simulate_bgnbd: write");
            std::exit(1);
        }
        len_ = 0;
    }
    u64 rows() const { return rows_; }

  private:
    char buf_[1 << 16];
    size_t len_ = 0;
    u64 rows_ = 0;
};

void Simulate(const Options &o) {
    Writer out;
    const double observed_until = static_cast<double>(o.end + 1);  // the end day in full
    const u64 acquisition_days = 7 * o.acquisition_weeks;
    u64 repeaters = 0, dropped = 0;
    for (u64 id = 1; id <= o.customers; ++id) {
        Rng rng(o.seed, id);
        const double lambda = std::exp(rng.LogGamma(o.r)) / o.alpha;  // per week
        const double dropout = rng.Beta(o.a, o.b);
        const double nu = std::exp(rng.LogGamma(o.q)) / o.gamma;
        auto amount_cents = [&]() {
            const double amount = std::exp(rng.LogGamma(o.p)) / nu;
            const double cents = std::round(amount * 100.0);
            return cents < 1.0    ? i64{1}
                   : cents > 1e15 ? i64{1000000000000000}
                                  : static_cast<i64>(cents);
        };
        // Time in days since 1970-01-01, continuous; a purchase's day is its floor.
        double t = static_cast<double>(o.start + static_cast<i64>(rng.Below(acquisition_days))) +
                   rng.Open01();
        out.Row(id, static_cast<i64>(std::floor(t)), amount_cents());
        bool alive = !(o.dropout_after_first && rng.Open01() < dropout);
        u64 repeats = 0;
        while (alive) {
            t += 7.0 * -std::log(rng.Open01()) / lambda;  // lambda == 0 gives +inf: no more
            if (!(t < observed_until)) break;
            out.Row(id, static_cast<i64>(std::floor(t)), amount_cents());
            ++repeats;
            alive = !(rng.Open01() < dropout);
        }
        repeaters += repeats > 0;
        dropped += !alive;
    }
    out.Flush();
    std::fprintf(
        stderr,
        "ca_simulate_bgnbd: %llu customers, %llu purchases, %llu with a repeat purchase, "
        "%llu dropped out within the period\n",
        static_cast<unsigned long long>(o.customers), static_cast<unsigned long long>(out.rows()),
        static_cast<unsigned long long>(repeaters), static_cast<unsigned long long>(dropped));
}

}  // namespace

int main(int argc, char **argv) {
    Options o;
    ParseDate("1997-01-01", o.start);
    ParseDate("1998-06-30", o.end);
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> const char * {
            if (i + 1 >= argc) Fail(arg + ": missing value");
            return argv[++i];
        };
        if (arg == "--customers") {
            o.customers = ParseUint(arg, value(), kMaxCustomers);
        } else if (arg == "--seed") {
            o.seed = ParseUint(arg, value(), ~u64{0});
        } else if (arg == "--acquisition-weeks") {
            o.acquisition_weeks = ParseUint(arg, value(), 5200);
            if (o.acquisition_weeks == 0) Fail("--acquisition-weeks must be at least 1");
        } else if (arg == "--r" || arg == "--alpha" || arg == "--a" || arg == "--b" ||
                   arg == "--p" || arg == "--q" || arg == "--gamma") {
            const double v = ParsePositive(arg, value());
            double *target = arg == "--r"       ? &o.r
                             : arg == "--alpha" ? &o.alpha
                             : arg == "--a"     ? &o.a
                             : arg == "--b"     ? &o.b
                             : arg == "--p"     ? &o.p
                             : arg == "--q"     ? &o.q
                                                : &o.gamma;
            *target = v;
        } else if (arg == "--start" || arg == "--end") {
            const char *v = value();
            if (!ParseDate(v, arg == "--start" ? o.start : o.end))
                Fail(arg + ": not a date YYYY-MM-DD: " + v);
        } else if (arg == "--dropout-after-first") {
            o.dropout_after_first = true;
        } else if (arg == "--help" || arg == "-h") {
            Usage(stdout);
            return 0;
        } else {
            Fail("unknown option: " + arg);
        }
    }
    if (o.end < o.start + static_cast<i64>(7 * o.acquisition_weeks) - 1)
        Fail("--end must not fall inside the acquisition period");
    Simulate(o);
    return 0;
}
