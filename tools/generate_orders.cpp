// ca_generate_orders: writes synthetic e-commerce orders as CSV to stdout, for tests and benchmarks
// of the extension. Usage: ca_generate_orders --help.
//
// Model. The period [start, end) has a weight per day: month (November and December high), weekday
// (Sunday low), Black Friday .. Cyber Monday, Christmas. A customer who orders at all is acquired
// by a first order on a day drawn from those weights, times a linear growth term (twice as many
// new customers at the end of the period as at its start) for 70% of them and times a decay of 2%
// a day for the other 30% (the customer base that already existed, showing up early). 40% of
// customers are one-time buyers; the others get a Pareto(1.25) repeat rate capped at 32 times the
// minimum, so a few order very often and most once or twice. Each customer churns after an
// exponential lifetime (mean 540 days). Repeat orders form a Poisson process on the days after
// acquisition until churn, with intensity rate * day weight; one global factor scales the rates
// so that the expected number of purchases plus returns equals --orders. min(N, 0.6 * purchases)
// customers buy (when fewer than N, their ids are a random subset of 1..N). The time of day
// follows an hourly profile (evening peak). Amounts are lognormal: a per-customer level (sigma
// 0.4) times a per-order factor (sigma 0.65) around a median of 55.00, clamped to 1.00 .. 25000.00.
// 3% of purchases get a return: a row with its own order id, 1 to 46 days later (dropped if that is
// on or after --end), with minus all (60%) or part of the amount. Guest orders
// (--null-customers, empty customer_id) come on top, never have returns and are one line each in
// --lines mode, so exactly that many rows have no customer. Customer ids follow acquisition
// order; order ids follow output order (ordered_at, then creation order). --lines splits each
// order into 1 + geometric lines (mean 2.5) whose cents add up exactly to the order amount; the
// orders are the same as without --lines (the split uses its own random stream). --items N adds
// an item column: each line's item is drawn from 1..N with Zipf popularity (item k has weight
// 1/k), again from its own stream, so the other columns do not change.
//
// Determinism. The output depends only on the arguments. The random numbers come from
// xoshiro256** seeded through splitmix64 (one stream per purpose and per customer), and every
// distribution is computed here in integer fixed-point arithmetic (log2 from a table built by
// repeated squaring, 2^x, ln(1 + y) and sin/cos by series, integer square root; normals by
// Box-Muller, exponentials as -ln(u), Pareto as 2^(-log2(u) / alpha), uniform integers by
// rejection): no floating point, no <random> distributions, no libm, so the compiler, standard
// library, CPU, FMA contraction and locale cannot change a byte. All orders are held as 16-byte
// records and sorted once by (time, creation index), a strict total order, so std::sort's
// algorithm does not matter either.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "generator_common.hpp"

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;
using u32 = std::uint32_t;

// --- Model parameters (integers: permille, cents, days).
constexpr u32 kReturnPermille = 30;          // purchases that get a return row
constexpr u32 kFullRefundPermille = 600;     // returns refunding the whole amount
constexpr u32 kOneTimerPermille = 400;       // customers who never come back
constexpr u64 kParetoAlphaPermille = 1250;   // tail of the repeat rate
constexpr u32 kRateCapLog2 = 5;              // rate <= 2^5 * minimum rate
constexpr u32 kExistingPermille = 300;       // customers from before the period: acquired early
constexpr u64 kExistingDecayPermille = 980;  // their acquisition weight decays 2% a day
constexpr u64 kLifetimeMeanDays = 540;       // churn
constexpr u64 kMedianCents = 5500;
constexpr u64 kSigmaCustomerPermille = 400;
constexpr u64 kSigmaOrderPermille = 650;
constexpr u64 kMinCents = 100;
constexpr u64 kMaxCents = 2500000;
constexpr u64 kReturnDelayMeanDays = 5;  // delay = 1 + floor(exponential), at most 46 days
constexpr u64 kReturnDelayMaxDays = 46;
constexpr u32 kNextLinePermille = 600;  // lines = 1 + geometric: mean 1 / 0.4 = 2.5
constexpr int kMaxLines = 40;
constexpr int kMonthWeight[12] = {85, 85, 95, 95, 100, 95, 95, 95, 95, 105, 140, 160};
constexpr int kWeekdayWeight[7] = {70, 108, 106, 104, 104, 100, 88};  // Sunday first
constexpr int kHourWeight[24] = {12, 7,  4,  3,  3,  5,  10, 20, 32, 42, 48, 52,
                                 56, 54, 50, 48, 48, 52, 58, 66, 72, 68, 50, 28};

constexpr i64 kMaxDays = 36525;          // 100 years keeps seconds in 32 bits
constexpr u64 kMaxCustomers = 50000000;  // keeps the rate sums below 2^62
constexpr u64 kMaxItems = 10000000;      // keeps the Zipf weight sum below 2^63
constexpr u64 kMaxOrders = 1000000000;   // keeps record indexes in 32 bits

// --- Random numbers.

using ca_tools::Civil;
using ca_tools::CivilFromDays;
using ca_tools::DaysFromCivil;
using ca_tools::ParseDate;
using ca_tools::SplitMix64;
using ca_tools::Weekday;

class Rng : public ca_tools::Xoshiro256 {  // xoshiro256**
  public:
    // An independent stream for (seed, purpose, index).
    Rng(u64 seed, u64 purpose, u64 index) : Xoshiro256(StreamState(seed, purpose, index)) {}
    bool Permille(u32 p) { return Below(1000) < p; }

  private:
    static u64 StreamState(u64 seed, u64 purpose, u64 index) {
        u64 h = seed;
        h = SplitMix64(h) ^ (purpose * 0xD1B54A32D192ED03ULL);
        h = SplitMix64(h) ^ index;
        return SplitMix64(h);
    }
};

// --- Fixed-point arithmetic. Qn means value * 2^n.

int BitLength(u64 x) {
    int n = 0;
    for (int step = 32; step > 0; step /= 2) {
        if (x >> step) {
            x >>= step;
            n += step;
        }
    }
    return n + static_cast<int>(x);
}

// 64 x 64 -> 128 bit product, portable.
struct U128 {
    u64 hi, lo;
};
U128 Mul128(u64 a, u64 b) {
    const u64 a0 = a & 0xFFFFFFFFu, a1 = a >> 32, b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
    const u64 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    const u64 mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
    return {p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32), (mid << 32) | (p00 & 0xFFFFFFFFu)};
}
// (a * b) >> shift, 0 <= shift < 128; the caller guarantees the result fits.
u64 MulShr(u64 a, u64 b, int shift) {
    const U128 p = Mul128(a, b);
    if (shift == 0) return p.lo;
    if (shift >= 64) return p.hi >> (shift - 64);
    return (p.lo >> shift) | (p.hi << (64 - shift));
}
// floor((n << shift) / d) for n < 2^64, d < 2^63, bitlength(n) + shift <= 127 and a quotient
// below 2^64: plain long division.
u64 ShlDiv(u64 n, int shift, u64 d) {
    u64 r = 0, q = 0;
    for (int bit = 127; bit >= 0; --bit) {
        const int src = bit - shift;  // bit `bit` of n << shift is bit `src` of n
        const u64 b = (src >= 0 && src < 64) ? ((n >> src) & 1) : 0;
        r = (r << 1) | b;
        q <<= 1;
        if (r >= d) {
            r -= d;
            q |= 1;
        }
    }
    return q;
}

constexpr u64 kLn2Q24 = 11629080;       // ln 2
constexpr u64 kLn2Q32 = 2977044472;     // ln 2
constexpr u64 kHalfPiQ30 = 1686629713;  // pi / 2

// log2(x) in Q32 for x >= 1: integer part from the bit length, 32 fraction bits by squaring a
// 31-bit mantissa. Slow; used to build the table below.
u64 Log2Q32Slow(u64 x) {
    const int n = BitLength(x) - 1;
    u64 m = n >= 30 ? x >> (n - 30) : x << (30 - n);  // Q30 in [1, 2)
    u64 frac = 0;
    for (int i = 31; i >= 0; --i) {
        m = (m * m) >> 30;  // m < 2^31, so m * m < 2^62
        if (m >= (u64{1} << 31)) {
            m >>= 1;
            frac |= u64{1} << i;
        }
    }
    return (static_cast<u64>(n) << 32) | frac;
}

constexpr u64 kLog2EQ30 = 1549082005;  // 1 / ln 2

// log2(x) in Q32 for x >= 1, fast: with the mantissa m = (1 + i / 1024) (1 + y), y < 2^-10,
// log2(m) = log2(1 + i / 1024) from a table plus (y - y^2 / 2 + y^3 / 3) / ln 2.
class Log2Table {
  public:
    Log2Table() {
        for (u64 i = 0; i < 1024; ++i) {
            log2_[i] = Log2Q32Slow(1024 + i) - (u64{10} << 32);
            inv_[i] = (u64{1} << 42) / (1024 + i);  // 1 / (1 + i / 1024), Q32
        }
    }
    u64 operator()(u64 x) const {
        const int n = BitLength(x) - 1;
        const u64 m = n >= 40 ? x >> (n - 40) : x << (40 - n);  // Q40 in [1, 2)
        const u64 i = (m >> 30) & 1023;
        const u64 y = ((m & ((u64{1} << 30) - 1)) * inv_[i]) >> 32;  // Q40, below 2^30
        const u64 y2 = (y * y) >> 40, y3 = (y2 * y) >> 40;
        const u64 ln = y - y2 / 2 + y3 / 3;  // ln(1 + y), Q40
        return (static_cast<u64>(n) << 32) + log2_[i] + ((ln * kLog2EQ30) >> 38);
    }

  private:
    u64 log2_[1024], inv_[1024];
};
const Log2Table Log2Q32;

// 2^(f / 2^32) in Q32, in [2^32, 2^33): e^(f ln 2) by its Taylor series.
u64 Pow2FracQ32(u64 f) {
    const u64 x = (f * kLn2Q32) >> 32;  // f < 2^32, kLn2Q32 < 2^32
    u64 sum = u64{1} << 32, term = u64{1} << 32;
    for (u64 k = 1; k <= 14 && term; ++k) {
        term = ((term * x) >> 32) / k;
        sum += term;
    }
    return sum;
}

// 2^(e / 2^32) for 0 <= e < 32 * 2^32, in Q(out_bits).
u64 Pow2(u64 e_q32, int out_bits) {
    const int k = static_cast<int>(e_q32 >> 32);
    const u64 p = Pow2FracQ32(e_q32 & 0xFFFFFFFFu);
    const int shift = 32 - out_bits - k;  // p << k is Q32
    return shift >= 0 ? p >> shift : p << -shift;
}

// -ln(u) in Q32 for u uniform in (0, 1): exponential with mean 1.
u64 ExponentialQ32(Rng &rng) {
    u64 x = rng.Next();
    if (x == 0) x = 1;
    const u64 minus_log2_u = (u64{64} << 32) - Log2Q32(x);  // < 2^38
    return (minus_log2_u * kLn2Q24) >> 24;
}

u64 Isqrt(u64 n) {
    u64 res = 0, bit = u64{1} << 62;
    while (bit > n) bit >>= 2;
    while (bit) {
        if (n >= res + bit) {
            n -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    return res;
}

// sin and cos of t in Q30, 0 <= t <= pi/2, by their Taylor series (to t^15 and t^16) in Horner
// form: each step is 1 - t^2 / d * inner, which stays positive.
template <u64 D>
u64 Horner(u64 t2, u64 inner) {
    return (u64{1} << 30) - ((t2 * inner) >> 30) / D;
}
i64 SinQ30(u64 t) {
    const u64 t2 = (t * t) >> 30;
    const u64 in = Horner<6>(
        t2,
        Horner<20>(
            t2, Horner<42>(
                    t2, Horner<72>(
                            t2, Horner<110>(t2, Horner<156>(t2, Horner<210>(t2, u64{1} << 30)))))));
    return static_cast<i64>((t * in) >> 30);
}
i64 CosQ30(u64 t) {
    const u64 t2 = (t * t) >> 30;
    const u64 in = Horner<12>(
        t2,
        Horner<30>(
            t2, Horner<56>(
                    t2, Horner<90>(
                            t2, Horner<132>(t2, Horner<182>(t2, Horner<240>(t2, u64{1} << 30)))))));
    return (i64{1} << 30) - static_cast<i64>(((t2 * in) >> 30) / 2);
}
// cos(2 pi a / 2^32) in Q30.
i64 CosTurnQ30(u32 a) {
    const u64 t = ((a & 0x3FFFFFFFu) * kHalfPiQ30) >> 30;
    switch (a >> 30) {
        case 0:
            return CosQ30(t);
        case 1:
            return -SinQ30(t);
        case 2:
            return -CosQ30(t);
        default:
            return SinQ30(t);
    }
}

// Standard normal in Q28 by Box-Muller: sqrt(-2 ln u1) * cos(2 pi u2).
i64 NormalQ28(Rng &rng) {
    u64 x = rng.Next();
    if (x == 0) x = 1;
    const u64 minus_log2_u = (u64{64} << 32) - Log2Q32(x);
    const u64 v_q32 = (minus_log2_u * kLn2Q24) >> 23;  // -2 ln u1, below 2^39
    const i64 r_q28 = static_cast<i64>(Isqrt(v_q32 << 24));
    const i64 c_q30 = CosTurnQ30(static_cast<u32>(rng.Next() >> 32));
    return r_q28 * c_q30 / (i64{1} << 30);
}

// sigma / ln 2 in Q16 for sigma in permille.
constexpr i64 SigmaLog2Q16(u64 sigma_permille) {
    return static_cast<i64>((sigma_permille << 40) / (1000 * kLn2Q24));
}

// --- Calendar: tools/generator_common.hpp.

// Relative order volume of a day, about 1000 on an average day.
i64 DayWeight(i64 days) {
    const Civil c = CivilFromDays(days);
    i64 w = i64{kMonthWeight[c.m - 1]} * kWeekdayWeight[Weekday(days)] / 10;
    if (c.m == 11) {
        const int first_thursday = 1 + (4 - Weekday(DaysFromCivil(c.y, 11, 1)) + 7) % 7;
        const int black_friday = first_thursday + 22;
        const int d = static_cast<int>(c.d);
        if (d == black_friday) w = w * 5 / 2;
        if (d == black_friday + 1 || d == black_friday + 2) w = w * 3 / 2;
        if (d == black_friday + 3) w = w * 2;  // Cyber Monday
    }
    if (c.m == 12 && (c.d == 24 || c.d == 31)) w = w * 6 / 10;
    if (c.m == 12 && c.d == 25) w = w * 4 / 10;
    if (c.m == 1 && c.d == 1) w = w / 2;
    return w;
}

// Index d with cum[d] <= r < cum[d + 1].
std::size_t Locate(const std::vector<i64> &cum, i64 r) {
    return static_cast<std::size_t>(std::upper_bound(cum.begin(), cum.end(), r) - cum.begin()) - 1;
}

// --- Orders.

struct Options {
    u64 customers = 2000, orders = 20000, seed = 42;
    i64 start = 0, end = 0;
    bool lines = false, header = false;
    u64 items = 0;  // --items: 0 = no item column
    bool null_given = false;
    u64 null_customers = 0;
};

struct Record {    // 16 bytes
    u64 key;       // seconds since start << 32 | creation index: a strict total order
    u32 customer;  // 0 = none
    std::int32_t cents;
};

struct Customer {
    u64 mu_q32;   // before scaling: rate * exposure; after: expected repeat orders, Q32
    u32 acq_sec;  // first order, seconds since start
    u32 repeat_from, repeat_to;  // repeat orders on days [from, to)
    std::int32_t level_q28;      // log2 of the customer's amount level
    u32 id;
};

class Model {
  public:
    explicit Model(const Options &o) : o_(o), days_(o.end - o.start) {
        cum_.assign(static_cast<std::size_t>(days_) + 1, 0);
        acq_cum_.assign(static_cast<std::size_t>(days_) + 1, 0);
        old_cum_.assign(static_cast<std::size_t>(days_) + 1, 0);
        i64 decay_q20 = i64{1} << 20;
        for (std::size_t d = 0; d < cum_.size() - 1; ++d) {
            const i64 day = static_cast<i64>(d);
            const i64 w = DayWeight(o.start + day);
            cum_[d + 1] = cum_[d] + w;
            acq_cum_[d + 1] = acq_cum_[d] + w * (days_ + day);  // growth: x2 over the period
            old_cum_[d + 1] = old_cum_[d] + w * decay_q20 + 1;
            decay_q20 = decay_q20 * static_cast<i64>(kExistingDecayPermille) / 1000;
        }
        hour_cum_.assign(25, 0);
        for (std::size_t h = 0; h < 24; ++h) hour_cum_[h + 1] = hour_cum_[h] + kHourWeight[h];
        log2_median_q28_ = static_cast<i64>(Log2Q32(kMedianCents) >> 4);
        log2_min_q28_ = static_cast<i64>(Log2Q32(kMinCents) >> 4);
        log2_max_q28_ = static_cast<i64>(Log2Q32(kMaxCents) >> 4);
    }

    u32 SecondOfDay(Rng &rng) const {
        const i64 h = static_cast<i64>(
            Locate(hour_cum_, static_cast<i64>(rng.Below(static_cast<u64>(hour_cum_[24])))));
        return static_cast<u32>(h * 3600 + static_cast<i64>(rng.Below(3600)));
    }
    static u32 Day(Rng &rng, const std::vector<i64> &cum) {
        return static_cast<u32>(
            Locate(cum, static_cast<i64>(rng.Below(static_cast<u64>(cum.back())))));
    }
    u32 AcquisitionDay(Rng &rng) const { return Day(rng, acq_cum_); }
    i64 Exposure(u32 from, u32 to) const { return from < to ? cum_[to] - cum_[from] : 0; }
    u32 RepeatDay(Rng &rng, u32 from, u32 to) const {
        return static_cast<u32>(Locate(
            cum_, cum_[from] + static_cast<i64>(rng.Below(static_cast<u64>(Exposure(from, to))))));
    }
    std::int32_t Cents(Rng &rng, i64 level_q28) const {
        i64 e = log2_median_q28_ + level_q28 +
                NormalQ28(rng) * SigmaLog2Q16(kSigmaOrderPermille) / 65536;
        e = std::min(std::max(e, log2_min_q28_), log2_max_q28_);
        const u64 p = Pow2(static_cast<u64>(e) << 4, 1);  // Q1, to round
        return static_cast<std::int32_t>((p + 1) >> 1);
    }

    void Run() {
        const u64 purchases_target =
            (o_.orders * 1000 + (1000 + kReturnPermille) / 2) / (1000 + kReturnPermille);
        const u64 buyers = std::min(o_.customers, (purchases_target * 3 + 4) / 5);
        MakeCustomers(buyers, purchases_target - buyers);
        records_.reserve(static_cast<std::size_t>(o_.orders + o_.orders / 50 + 1000 +
                                                  (o_.null_given ? o_.null_customers : 0)));
        for (u64 i = 0; i < buyers; ++i) CustomerOrders(i);
        customer_rows_ = records_.size();
        guests_ = o_.null_given ? o_.null_customers : (customer_rows_ + 999) / 1000;
        if (!o_.null_given && o_.orders > 0 && guests_ == 0) guests_ = 1;
        Rng rng(o_.seed, 3, 0);
        for (u64 g = 0; g < guests_; ++g) {
            const u32 day = AcquisitionDay(rng);
            const u32 sec = day * 86400 + SecondOfDay(rng);
            Push(sec, 0, Cents(rng, 0));
        }
        std::sort(records_.begin(), records_.end(),
                  [](const Record &a, const Record &b) { return a.key < b.key; });
        Write();
        Summary();
    }

  private:
    void Push(u32 sec, u32 customer, std::int32_t cents) {
        const u64 index = records_.size();
        records_.push_back({(u64{sec} << 32) | index, customer, cents});
    }

    // Pass 1: who the buyers are, when they start and stop, how often they order; then the one
    // factor that makes the expected repeat orders add up to `repeats`, and ids by acquisition.
    void MakeCustomers(u64 buyers, u64 repeats) {
        customers_.resize(static_cast<std::size_t>(buyers));
        const i64 level_sigma = SigmaLog2Q16(kSigmaCustomerPermille);
        const u64 inv_alpha_q16 = (u64{1000} << 16) / kParetoAlphaPermille;
        u64 total = 0;
        for (u64 i = 0; i < buyers; ++i) {
            Rng rng(o_.seed, 1, i);
            Customer &c = customers_[i];
            const bool existing = rng.Permille(kExistingPermille);
            const u32 day = Day(rng, existing ? old_cum_ : acq_cum_);
            c.acq_sec = day * 86400 + SecondOfDay(rng);
            const bool one_timer = rng.Permille(kOneTimerPermille);
            u64 x = rng.Next();
            if (x == 0) x = 1;
            // Pareto: rate = u^(-1/alpha) = 2^(-log2(u) / alpha), capped; Q16.
            u64 e = (((u64{64} << 32) - Log2Q32(x)) * inv_alpha_q16) >> 16;
            e = std::min(e, u64{kRateCapLog2} << 32);
            const u64 rate_q16 = one_timer ? 0 : Pow2(e, 16);
            const u64 life = (ExponentialQ32(rng) * kLifetimeMeanDays) >> 32;
            c.repeat_from = day + 1;
            c.repeat_to = static_cast<u32>(std::min<u64>(static_cast<u64>(days_), day + 1 + life));
            c.level_q28 = static_cast<std::int32_t>(NormalQ28(rng) * level_sigma / 65536);
            // rate <= 2^21 (Q16), exposure < 2^26 (100 years): the sum over at most
            // kMaxCustomers customers stays below 2^62.
            c.mu_q32 = (rate_q16 * static_cast<u64>(Exposure(c.repeat_from, c.repeat_to))) >> 16;
            total += c.mu_q32;
        }
        // mu = weight * repeats / total, in Q32: weight * floor(repeats * 2^s / total) >> (s - 32)
        // with s as large as keeps the factor below 2^62.
        if (total > 0 && repeats > 0) {
            int s = 61 - BitLength(repeats) + BitLength(total);
            s = std::max(32, std::min(s, 127 - BitLength(repeats)));
            const u64 factor = ShlDiv(repeats, s, total);
            for (Customer &c : customers_) c.mu_q32 = MulShr(c.mu_q32, factor, s - 32);
        } else {
            for (Customer &c : customers_) c.mu_q32 = 0;
        }
        // Ids in order of acquisition; when not every customer buys, the buyers' ids are a random
        // subset of 1..customers (selection sampling, ascending).
        std::vector<u32> order(static_cast<std::size_t>(buyers));
        for (u64 i = 0; i < buyers; ++i) order[i] = static_cast<u32>(i);
        std::sort(order.begin(), order.end(), [this](u32 a, u32 b) {
            const u32 sa = customers_[a].acq_sec, sb = customers_[b].acq_sec;
            return sa != sb ? sa < sb : a < b;
        });
        Rng pick(o_.seed, 5, 0);
        u64 next = 0;
        for (u64 id = 1; id <= o_.customers && next < buyers; ++id) {
            if (pick.Below(o_.customers - id + 1) < buyers - next)
                customers_[order[next++]].id = static_cast<u32>(id);
        }
    }

    // Pass 2: the customer's orders and returns.
    void CustomerOrders(u64 i) {
        const Customer &c = customers_[i];
        Rng rng(o_.seed, 2, i);
        Purchase(rng, c, c.acq_sec);
        // Poisson count by unit-rate arrivals below mu; the days are then iid by day weight.
        u64 repeats = 0;
        for (u64 t = ExponentialQ32(rng); t < c.mu_q32; t += ExponentialQ32(rng)) ++repeats;
        for (u64 k = 0; k < repeats; ++k) {
            const u32 day = RepeatDay(rng, c.repeat_from, c.repeat_to);
            Purchase(rng, c, day * 86400 + SecondOfDay(rng));
        }
        if (repeats == 0) ++single_;
    }

    void Purchase(Rng &rng, const Customer &c, u32 sec) {
        const std::int32_t cents = Cents(rng, c.level_q28);
        Push(sec, c.id, cents);
        ++purchases_;
        if (!rng.Permille(kReturnPermille)) return;
        const u64 delay =
            std::min(kReturnDelayMaxDays, 1 + ((ExponentialQ32(rng) * kReturnDelayMeanDays) >> 32));
        const bool full = rng.Permille(kFullRefundPermille);
        const std::int32_t refund =
            full ? cents
                 : std::max<std::int32_t>(
                       1, static_cast<std::int32_t>(i64{cents} *
                                                    (10 + static_cast<i64>(rng.Below(81))) / 100));
        const u32 time = SecondOfDay(rng);
        const u64 day = sec / 86400 + delay;
        if (day >= static_cast<u64>(days_)) return;  // after the period
        Push(static_cast<u32>(day * 86400 + time), c.id, -refund);
        ++returns_;
    }

    void Write() {
        std::vector<char> buf;
        buf.reserve(1 << 20);
        if (o_.header)
            Append(buf, o_.items ? "order_id,customer_id,ordered_at,amount,item\n"
                                 : "order_id,customer_id,ordered_at,amount\n");
        Rng line_rng(o_.seed, 4, 0);
        Rng item_rng(o_.seed, 6, 0);
        // Zipf weights in fixed point: item k (1-based) weighs 2^32 / k.
        std::vector<i64> item_cum(o_.items + 1, 0);
        for (u64 k = 1; k <= o_.items; ++k)
            item_cum[k] = item_cum[k - 1] + static_cast<i64>((u64{1} << 32) / k);
        u32 cached_day = ~u32{0};
        char date[32] = {};  // 11 used; the rest quiets -Wformat-truncation on the year
        std::int32_t parts[kMaxLines];
        u64 order_id = 0;
        for (const Record &r : records_) {
            ++order_id;
            const u32 sec = static_cast<u32>(r.key >> 32);
            if (sec / 86400 != cached_day) {
                cached_day = sec / 86400;
                const Civil c = CivilFromDays(o_.start + cached_day);
                std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(c.y), c.m, c.d);
            }
            int n = 1;
            parts[0] = r.cents;
            if (o_.lines && r.customer != 0) n = SplitLines(line_rng, r.cents, parts);
            for (int j = 0; j < n; ++j) {
                char line[96];
                char *p = line;
                p = AppendUint(p, order_id);
                *p++ = ',';
                if (r.customer != 0) p = AppendUint(p, r.customer);
                *p++ = ',';
                std::memcpy(p, date, 10);
                p += 10;
                const u32 s = sec % 86400;
                *p++ = ' ';
                p = Append2(p, s / 3600);
                *p++ = ':';
                p = Append2(p, s / 60 % 60);
                *p++ = ':';
                p = Append2(p, s % 60);
                *p++ = ',';
                const i64 cents = parts[j];
                if (cents < 0) *p++ = '-';
                const u64 abs_cents = static_cast<u64>(cents < 0 ? -cents : cents);
                p = AppendUint(p, abs_cents / 100);
                *p++ = '.';
                p = Append2(p, static_cast<u32>(abs_cents % 100));
                if (o_.items) {
                    *p++ = ',';
                    p = AppendUint(p,
                                   1 + Locate(item_cum, static_cast<i64>(item_rng.Below(
                                                            static_cast<u64>(item_cum.back())))));
                }
                *p++ = '\n';
                buf.insert(buf.end(), line, p);
                ++rows_;
            }
            if (buf.size() >= (1 << 20) - 256) Flush(buf);
        }
        Flush(buf);
        if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
            std::fprintf(stderr, "ca_generate_orders: write error\n");
            std::exit(1);
        }
    }

    // 1 + geometric lines; each gets at least one cent and the rest in proportion to random
    // weights, the remainder cent by cent from the first line.
    int SplitLines(Rng &rng, std::int32_t cents, std::int32_t *parts) {
        int n = 1;
        while (n < kMaxLines && rng.Permille(kNextLinePermille)) ++n;
        const i64 total = cents < 0 ? -i64{cents} : i64{cents};
        if (n > total) n = static_cast<int>(std::max<i64>(total, 1));
        i64 weights[kMaxLines], sum = 0;
        for (int j = 0; j < n; ++j) sum += weights[j] = 1 + static_cast<i64>(rng.Below(1000));
        const i64 rest = total - n;
        i64 given = 0;
        for (int j = 0; j < n; ++j) {
            parts[j] = static_cast<std::int32_t>(1 + rest * weights[j] / sum);
            given += parts[j];
        }
        for (int j = 0; given < total; j = (j + 1) % n, ++given) ++parts[j];
        if (cents < 0)
            for (int j = 0; j < n; ++j) parts[j] = -parts[j];
        return n;
    }

    static void Append(std::vector<char> &buf, const char *s) {
        buf.insert(buf.end(), s, s + std::strlen(s));
    }
    static char *Append2(char *p, u32 v) {
        *p++ = static_cast<char>('0' + v / 10);
        *p++ = static_cast<char>('0' + v % 10);
        return p;
    }
    static char *AppendUint(char *p, u64 v) {
        char tmp[24];
        int n = 0;
        do {
            tmp[n++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v);
        while (n) *p++ = tmp[--n];
        return p;
    }
    static void Flush(std::vector<char> &buf) {
        if (!buf.empty() && std::fwrite(buf.data(), 1, buf.size(), stdout) != buf.size()) {
            std::fprintf(stderr, "ca_generate_orders: write error\n");
            std::exit(1);
        }
        buf.clear();
    }

    static std::string Percent(u64 part, u64 whole) {  // one decimal, integer arithmetic
        const u64 permille = whole ? (part * 1000 + whole / 2) / whole : 0;
        return std::to_string(permille / 10) + "." + std::to_string(permille % 10) + "%";
    }

    void Summary() const {
        const Civil s = CivilFromDays(o_.start), e = CivilFromDays(o_.end);
        const u64 orders = records_.size(), buyers = customers_.size();
        std::fprintf(
            stderr,
            "ca_generate_orders: seed %llu, %04lld-%02u-%02u .. %04lld-%02u-%02u (%lld days)\n"
            "  rows                  %llu%s\n"
            "  orders                %llu (purchases %llu, returns %llu, guest orders %llu)\n"
            "  customers with orders %llu of %llu (single-order %llu = %s)\n"
            "  returns               %llu = %s of orders\n"
            "  null-customer rows    %llu\n",
            static_cast<unsigned long long>(o_.seed), static_cast<long long>(s.y), s.m, s.d,
            static_cast<long long>(e.y), e.m, e.d, static_cast<long long>(days_),
            static_cast<unsigned long long>(rows_), o_.lines ? " (order lines)" : "",
            static_cast<unsigned long long>(orders), static_cast<unsigned long long>(purchases_),
            static_cast<unsigned long long>(returns_), static_cast<unsigned long long>(guests_),
            static_cast<unsigned long long>(buyers), static_cast<unsigned long long>(o_.customers),
            static_cast<unsigned long long>(single_), Percent(single_, buyers).c_str(),
            static_cast<unsigned long long>(returns_), Percent(returns_, orders).c_str(),
            static_cast<unsigned long long>(guests_));
    }

    const Options &o_;
    const i64 days_;
    std::vector<i64> cum_, acq_cum_, old_cum_, hour_cum_;
    i64 log2_median_q28_, log2_min_q28_, log2_max_q28_;
    std::vector<Customer> customers_;
    std::vector<Record> records_;
    u64 customer_rows_ = 0, guests_ = 0, purchases_ = 0, returns_ = 0, single_ = 0, rows_ = 0;
};

void Usage(FILE *f) {
    std::fprintf(f,
                 "usage: ca_generate_orders [options] > orders.csv\n"
                 "  --customers N       customer ids 1..N (default 2000)\n"
                 "  --orders N          target number of orders, returns included (default 20000)\n"
                 "  --seed S            random seed (default 42)\n"
                 "  --start YYYY-MM-DD  first day (default 2022-01-01)\n"
                 "  --end YYYY-MM-DD    day after the last (default 2024-01-01)\n"
                 "  --lines             one row per order line (1..40 per order, mean 2.5)\n"
                 "  --null-customers K  guest orders with an empty customer_id\n"
                 "                      (default 0.1%% of the other orders, rounded up)\n"
                 "  --items N           an item column: 1..N, Zipf popularity (weight 1/k)\n"
                 "  --header            print a header line\n"
                 "CSV columns: order_id,customer_id,ordered_at,amount[,item]\n");
}

[[noreturn]] void Fail(const std::string &msg) {
    std::fprintf(stderr, "ca_generate_orders: %s\n", msg.c_str());
    Usage(stderr);
    std::exit(2);
}

u64 ParseUint(const char *name, const char *s, u64 max) {
    if (!*s) Fail(std::string(name) + ": expected a number");
    u64 v = 0;
    for (const char *p = s; *p; ++p) {
        if (*p < '0' || *p > '9') Fail(std::string(name) + ": not a number: " + s);
        const u64 digit = static_cast<u64>(*p - '0');
        if (v > (max - digit) / 10) Fail(std::string(name) + ": at most " + std::to_string(max));
        v = v * 10 + digit;
    }
    return v;
}

}  // namespace

int main(int argc, char **argv) {
    Options o;
    ParseDate("2022-01-01", o.start);
    ParseDate("2024-01-01", o.end);
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> const char * {
            if (i + 1 >= argc) Fail(a + ": missing value");
            return argv[++i];
        };
        if (a == "--customers") {
            o.customers = ParseUint("--customers", value(), kMaxCustomers);
        } else if (a == "--orders") {
            o.orders = ParseUint("--orders", value(), kMaxOrders);
        } else if (a == "--seed") {
            o.seed = ParseUint("--seed", value(), ~u64{0});
        } else if (a == "--start" || a == "--end") {
            const char *v = value();
            if (!ParseDate(v, a == "--start" ? o.start : o.end))
                Fail(a + ": not a date YYYY-MM-DD: " + v);
        } else if (a == "--null-customers") {
            o.null_customers = ParseUint("--null-customers", value(), kMaxOrders);
            o.null_given = true;
        } else if (a == "--lines") {
            o.lines = true;
        } else if (a == "--items") {
            o.items = ParseUint("--items", value(), kMaxItems);
        } else if (a == "--header") {
            o.header = true;
        } else if (a == "--help" || a == "-h") {
            Usage(stdout);
            return 0;
        } else {
            Fail("unknown option: " + a);
        }
    }
    if (o.end <= o.start) Fail("--end must be after --start");
    if (o.end - o.start > kMaxDays) Fail("the period is limited to 36525 days");
    if (o.customers == 0 && o.orders > 0) Fail("--customers must be at least 1");
    Model model(o);
    model.Run();
    return 0;
}
