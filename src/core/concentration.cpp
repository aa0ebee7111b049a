#include "concentration.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

namespace {

Error RevenueOutOfRange(const char *what) {
    return DataException("revenue out of range",
                         std::string(what) + " is beyond 1.7 x 10^30 in absolute value.");
}

// The revenues of the customers of the analysis, in index order (16 bytes each, charged).
BudgetVector<Money> RevenuesInAnalysis(ExecContext &ctx, const CustomerRevenues &revenues,
                                       const RevenueBase &base) {
    auto values = MakeBudgetVector<Money>(ctx);
    values.reserve(base.customers);
    for (std::uint32_t c = 0; c < revenues.size(); ++c) {
        ctx.Tick();
        if (InAnalysis(revenues, c)) values.push_back(revenues.revenue(c));
    }
    return values;
}

void SortAscending(ExecContext &ctx, BudgetVector<Money> &values) {
    ctx.CheckInterrupts();
    std::sort(values.begin(), values.end(), [&ctx](Money a, Money b) {
        ctx.Tick();
        return a < b;
    });
    ctx.CheckInterrupts();
}

// An unsigned 192-bit integer, enough for the Gini numerator: N < 2^32 times T < 2^127.
struct U192 {
    std::uint64_t w[3] = {0, 0, 0};

    void Add(unsigned __int128 v) {
        const unsigned __int128 low = (static_cast<unsigned __int128>(w[1]) << 64) | w[0];
        const unsigned __int128 sum = low + v;
        if (sum < low) ++w[2];
        w[0] = static_cast<std::uint64_t>(sum);
        w[1] = static_cast<std::uint64_t>(sum >> 64);
    }
    static U192 Multiply(unsigned __int128 a, std::uint64_t b) {
        const unsigned __int128 lo =
            static_cast<unsigned __int128>(static_cast<std::uint64_t>(a)) * b;
        const unsigned __int128 hi =
            static_cast<unsigned __int128>(static_cast<std::uint64_t>(a >> 64)) * b;
        U192 out;
        out.w[0] = static_cast<std::uint64_t>(lo);
        const unsigned __int128 mid = (lo >> 64) + static_cast<std::uint64_t>(hi);
        out.w[1] = static_cast<std::uint64_t>(mid);
        out.w[2] = static_cast<std::uint64_t>(hi >> 64) + static_cast<std::uint64_t>(mid >> 64);
        return out;
    }
    // this - o; needs this >= o.
    U192 Minus(const U192 &o) const {
        U192 out;
        std::uint64_t borrow = 0;
        for (int i = 0; i < 3; ++i) {
            const std::uint64_t d = w[i] - o.w[i];
            const std::uint64_t b1 = w[i] < o.w[i];
            out.w[i] = d - borrow;
            borrow = b1 | (d < borrow);
        }
        return out;
    }
    bool operator<(const U192 &o) const {
        for (int i = 2; i >= 0; --i)
            if (w[i] != o.w[i]) return w[i] < o.w[i];
        return false;
    }
    long double ToLongDouble() const {
        const long double two64 = 18446744073709551616.0L;
        return (static_cast<long double>(w[2]) * two64 + static_cast<long double>(w[1])) * two64 +
               static_cast<long double>(w[0]);
    }
};

}  // namespace

CustomerRevenues::CustomerRevenues(ExecContext &ctx)
    : revenue_(MakeBudgetVector<PackedMoney>(ctx)),
      shown_decimals_(MakeBudgetVector<std::uint8_t>(ctx)) {}

void CustomerRevenues::Add(std::uint32_t customer, const Order &order) {
    if (customer >= revenue_.size()) {
        revenue_.resize(customer + 1);
        shown_decimals_.resize(customer + 1);
    }
    skips_.null_field_rows += order.bad_lines;
    skips_.after_bound_rows += order.after_lines;
    if (!order.has_time || !order.has_amount) return;
    Money sum;
    if (!AddMoney(revenue_[customer].get(), order.amount, sum))
        throw RevenueOutOfRange("A customer's net revenue");
    revenue_[customer].set(sum);
    const int shown = order.decimals + 1;
    if (shown > shown_decimals_[customer])
        shown_decimals_[customer] = static_cast<std::uint8_t>(shown);
    if (order.decimals > max_decimals_) max_decimals_ = order.decimals;
}

RevenueBase CollectRevenueBase(ExecContext &ctx, const CustomerRevenues &revenues) {
    RevenueBase base;
    for (std::uint32_t c = 0; c < revenues.size(); ++c) {
        ctx.Tick();
        if (!revenues.has_rows(c)) continue;
        const Money x = revenues.revenue(c);
        if (x < 0) {
            ++base.negative;
            continue;
        }
        ++base.customers;
        if (!AddMoney(base.total, x, base.total)) throw RevenueOutOfRange("The total revenue");
    }
    return base;
}

void ValidateShare(double share, const char *what) {
    if (!(share > 0 && share <= 1))
        throw InvalidParameter(std::string(what) + " must be greater than 0 and at most 1",
                               std::string(what) + " was " + ShowNumber(share) + ".",
                               "Give a share of customers such as 0.01 for the top 1 %.");
}

std::uint64_t TopCount(double share, std::uint64_t n) {
    if (n == 0) return 0;
    // d.dddddddddddddde±XX: the 15 significant digits PostgreSQL's float8 -> numeric keeps.
    char text[40];
    std::snprintf(text, sizeof text, "%.14e", share);
    std::uint64_t mantissa = 0;
    const char *p = text;
    for (; *p != 'e'; ++p)
        if (*p >= '0' && *p <= '9') mantissa = mantissa * 10 + static_cast<std::uint64_t>(*p - '0');
    const int exponent = std::atoi(p + 1);
    // share = mantissa * 10^(exponent - 14), exponent <= 0; k = ceil(mantissa * n / 10^scale).
    const int scale = 14 - exponent;
    const unsigned __int128 product = static_cast<unsigned __int128>(mantissa) * n;  // < 2^114
    if (scale > 38) return 1;  // 10^scale > 2^114 > product > 0
    unsigned __int128 divisor = 1;
    for (int i = 0; i < scale; ++i) divisor *= 10;
    return static_cast<std::uint64_t>((product + divisor - 1) / divisor);
}

double RevenueShare(Money revenue, Money total) {
    return static_cast<double>(revenue) / static_cast<double>(total);
}

std::vector<ConcentrationRow> RevenueConcentration(ExecContext &ctx,
                                                   const CustomerRevenues &revenues,
                                                   const RevenueBase &base,
                                                   const std::vector<double> &shares) {
    std::vector<ConcentrationRow> rows;
    if (base.customers == 0) return rows;
    std::uint64_t most = 0;
    for (double s : shares) most = std::max(most, TopCount(s, base.customers));
    // Only the largest `most` revenues matter: select them in linear time, sort only them.
    BudgetVector<Money> values = RevenuesInAnalysis(ctx, revenues, base);
    auto higher = [&ctx](Money a, Money b) {
        ctx.Tick();
        return a > b;
    };
    ctx.CheckInterrupts();
    if (most < values.size())
        std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(most - 1),
                         values.end(), higher);
    ctx.CheckInterrupts();
    std::sort(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(most), higher);
    ctx.CheckInterrupts();
    // values[0 .. most) now descending: their running sums, in place.
    for (std::uint64_t i = 1; i < most; ++i) {
        ctx.Tick();
        values[i] += values[i - 1];  // <= T: no overflow
    }
    for (double s : shares) {
        const std::uint64_t k = TopCount(s, base.customers);
        ConcentrationRow row{s, k, values[k - 1], base.total != 0, 0.0};
        if (row.has_share) row.revenue_share = RevenueShare(row.revenue, base.total);
        rows.push_back(row);
    }
    return rows;
}

bool RevenueGini(ExecContext &ctx, const CustomerRevenues &revenues, const RevenueBase &base,
                 double &gini) {
    if (base.customers == 0 || base.total == 0) return false;
    BudgetVector<Money> x = RevenuesInAnalysis(ctx, revenues, base);
    SortAscending(ctx, x);
    // sum_i (2i - N - 1) x_(i) = (N - 1) T - 2 sum_{i=1..N-1} S_i, with S_i = x_(1) + ... + x_(i):
    // every term non-negative and exact.
    const std::uint64_t n = x.size();
    U192 prefix_sums;
    unsigned __int128 s = 0;
    for (std::uint64_t i = 0; i + 1 < n; ++i) {
        ctx.Tick();
        s += static_cast<unsigned __int128>(x[i]);
        prefix_sums.Add(s);
        prefix_sums.Add(s);
    }
    const U192 total_part = U192::Multiply(static_cast<unsigned __int128>(base.total), n - 1);
    if (total_part < prefix_sums) throw std::logic_error("gini numerator is negative");
    const long double numerator = total_part.Minus(prefix_sums).ToLongDouble();
    gini = static_cast<double>(
        numerator / (static_cast<long double>(n) * static_cast<long double>(base.total)));
    return true;
}

void ValidateLorenzPoints(std::int64_t points) {
    if (points < 1 || points > kMaxLorenzPoints)
        throw InvalidParameter("points must be between 1 and " + std::to_string(kMaxLorenzPoints),
                               "points was " + std::to_string(points) + ".",
                               "Give the number of intervals of the curve, such as 100.");
}

void RevenueLorenz(ExecContext &ctx, const CustomerRevenues &revenues, const RevenueBase &base,
                   int points, const LorenzEmit &emit) {
    if (base.customers == 0) return;
    BudgetVector<Money> x = RevenuesInAnalysis(ctx, revenues, base);
    SortAscending(ctx, x);
    const std::uint64_t n = x.size();
    const bool has_share = base.total != 0;
    const long double total = static_cast<long double>(base.total);
    std::uint64_t taken = 0;  // x_(1) .. x_(taken) are in `sum`
    Money sum = 0;
    double previous = 0;
    for (std::uint64_t j = 0; j <= static_cast<std::uint64_t>(points); ++j) {
        ctx.Tick();
        // p * N = j * N / points = i + r / points.
        const std::uint64_t position = j * n;  // < 2^20 * 2^32
        const std::uint64_t i = position / static_cast<std::uint64_t>(points);
        const std::uint64_t r = position % static_cast<std::uint64_t>(points);
        for (; taken < i; ++taken) {
            ctx.Tick();
            sum += x[taken];
        }
        double share = 0;
        if (has_share) {
            long double part = static_cast<long double>(sum);
            if (r != 0)
                part += static_cast<long double>(x[i]) * static_cast<long double>(r) /
                        static_cast<long double>(points);
            share = static_cast<double>(part / total);
            // Rounding must not make the curve decrease or pass 1.
            share = std::min(1.0, std::max(previous, share));
            previous = share;
        }
        emit(static_cast<double>(j) / points, has_share, share);
    }
}

void TopCustomers(ExecContext &ctx, const CustomerRevenues &revenues, const RevenueBase &base,
                  double share, const IdSort &sort_by_id, const TopCustomerEmit &emit) {
    if (base.customers == 0) return;
    const std::uint64_t k = TopCount(share, base.customers);
    auto order = MakeBudgetVector<std::uint32_t>(ctx);
    order.reserve(base.customers);
    for (std::uint32_t c = 0; c < revenues.size(); ++c) {
        ctx.Tick();
        if (InAnalysis(revenues, c)) order.push_back(c);
    }
    // The k highest, in linear time, then the customers beyond them tied with the k-th: the only
    // ones whose order by id can matter.
    auto higher = [&](std::uint32_t a, std::uint32_t b) {
        ctx.Tick();
        return revenues.revenue(a) > revenues.revenue(b);
    };
    std::size_t candidates = order.size();
    ctx.CheckInterrupts();
    if (k < order.size()) {
        std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k - 1),
                         order.end(), higher);
        const Money cut = revenues.revenue(order[k - 1]);
        auto tied_end = std::partition(order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                                       [&](std::uint32_t c) {
                                           ctx.Tick();
                                           return revenues.revenue(c) == cut;
                                       });
        candidates = static_cast<std::size_t>(tied_end - order.begin());
    }
    ctx.CheckInterrupts();
    order.resize(candidates);
    order.shrink_to_fit();
    sort_by_id(order);
    // Then by revenue, highest first, equal revenues in id order (their position now).
    struct Ranked {
        Money revenue;
        std::uint32_t by_id;
        std::uint32_t customer;
    };
    auto ranked = MakeBudgetVector<Ranked>(ctx);
    ranked.reserve(candidates);
    for (std::size_t i = 0; i < candidates; ++i) {
        ctx.Tick();
        ranked.push_back({revenues.revenue(order[i]), static_cast<std::uint32_t>(i), order[i]});
    }
    ctx.CheckInterrupts();
    std::sort(ranked.begin(), ranked.end(), [&ctx](const Ranked &a, const Ranked &b) {
        ctx.Tick();
        return a.revenue != b.revenue ? a.revenue > b.revenue : a.by_id < b.by_id;
    });
    ctx.CheckInterrupts();
    const bool has_share = base.total != 0;
    Money cumulative = 0;
    for (std::uint64_t r = 0; r < k; ++r) {
        ctx.Tick();
        const Ranked &c = ranked[r];
        cumulative += c.revenue;  // <= T
        TopCustomer row{c.customer, r + 1, c.revenue, has_share, 0.0, 0.0};
        if (has_share) {
            row.revenue_share = RevenueShare(c.revenue, base.total);
            row.cumulative_share = RevenueShare(cumulative, base.total);
        }
        emit(row);
    }
}

}  // namespace ca
