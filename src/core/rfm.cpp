#include "rfm.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

namespace {

// Positions 0..n-1 ordered from the worst value to the best one, ties kept in input order (that
// order is NTILE's tie-break). std::sort with the position as second key gives the same order as
// a stable sort without the stable sort's uncounted temporary buffer.
BudgetVector<std::uint32_t> WorstToBest(ExecContext &ctx, const double *values, std::size_t n,
                                        bool higher_is_better) {
    auto order = MakeBudgetVector<std::uint32_t>(ctx);
    order.resize(n);
    std::iota(order.begin(), order.end(), 0u);
    ctx.CheckInterrupts();
    // The comparisons tick: a sort of 100 M customers takes seconds, and a cancel must not wait.
    if (higher_is_better) {
        std::sort(order.begin(), order.end(), [values, &ctx](std::uint32_t a, std::uint32_t b) {
            ctx.Tick();
            return values[a] < values[b] || (values[a] == values[b] && a < b);
        });
    } else {
        std::sort(order.begin(), order.end(), [values, &ctx](std::uint32_t a, std::uint32_t b) {
            ctx.Tick();
            return values[a] > values[b] || (values[a] == values[b] && a < b);
        });
    }
    ctx.CheckInterrupts();
    return order;
}

void CheckValuesFinite(ExecContext &ctx, const double *values, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        ctx.Tick();
        if (!std::isfinite(values[i]))
            throw DataException("rfm input value is not finite",
                                "Value: " + ShowNumber(values[i]) + ".");
    }
}

void ValidateBreaks(const std::vector<double> &breaks, const char *which) {
    if (breaks.empty())
        throw InvalidParameter(
            std::string("method \"fixed\" needs ") + which + " breaks",
            "No breaks were given for this dimension.",
            "Pass an ascending array, for example r_breaks => '{30,90,180,365}'.");
    if (breaks.size() > static_cast<std::size_t>(kMaxBins - 1))
        throw InvalidParameter(std::string("too many ") + which + " breaks",
                               std::to_string(breaks.size()) + " breaks were given.",
                               "Give at most " + std::to_string(kMaxBins - 1) + " breaks.");
    for (std::size_t i = 0; i < breaks.size(); ++i) {
        if (!std::isfinite(breaks[i]))
            throw InvalidParameter(
                std::string(which) + " breaks must be finite",
                "Break " + std::to_string(i + 1) + " is " + ShowNumber(breaks[i]) + ".");
        if (i > 0 && !(breaks[i] > breaks[i - 1]))
            throw InvalidParameter(std::string(which) + " breaks must be strictly ascending",
                                   "Break " + std::to_string(i + 1) + " (" + ShowNumber(breaks[i]) +
                                       ") does not exceed break " + std::to_string(i) + " (" +
                                       ShowNumber(breaks[i - 1]) + ").");
    }
}

// Bin index 1..breaks+1 of x: one plus the number of breaks that x reaches.
int BinOf(const std::vector<double> &breaks, double x) {
    return 1 + static_cast<int>(std::upper_bound(breaks.begin(), breaks.end(), x) - breaks.begin());
}

}  // namespace

RfmMethod ParseRfmMethod(const std::string &name) {
    if (name == "quantile") return RfmMethod::Quantile;
    if (name == "r_rfm") return RfmMethod::RRfm;
    if (name == "ntile") return RfmMethod::Ntile;
    if (name == "fixed") return RfmMethod::Fixed;
    throw InvalidParameter("unknown rfm method \"" + name + "\"", {},
                           "Valid methods are quantile, r_rfm, ntile and fixed.");
}

std::vector<SegmentRule> DefaultSegmentRules() {
    return {
        {"Champions", 5, 5, 5, 5, 5, 5},       {"Potential Loyalist", 3, 5, 3, 5, 2, 5},
        {"Loyal Customers", 2, 4, 2, 4, 2, 4}, {"Promising", 3, 4, 1, 3, 3, 5},
        {"New Customers", 4, 5, 1, 3, 1, 5},   {"Can't Lose Them", 1, 2, 3, 4, 4, 5},
        {"At Risk", 1, 2, 2, 5, 4, 5},         {"Need Attention", 1, 3, 3, 5, 3, 5},
        {"About To Sleep", 2, 3, 1, 3, 1, 4},  {"Lost", 1, 1, 1, 5, 1, 5},
    };
}

void ValidateSegmentRules(const std::vector<SegmentRule> &rules) {
    if (rules.size() > kMaxSegmentRules)
        throw InvalidParameter("too many segment rules", std::to_string(rules.size()) + " rules.",
                               "Give at most " + std::to_string(kMaxSegmentRules) + " rules.");
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const SegmentRule &s = rules[i];
        const std::string where = "Rule " + std::to_string(i + 1) + " (\"" + s.name + "\")";
        if (s.name.empty())
            throw InvalidParameter("segment name must not be empty",
                                   "Rule " + std::to_string(i + 1) + " has an empty name.");
        if (s.r_lo > s.r_hi || s.f_lo > s.f_hi || s.m_lo > s.m_hi)
            throw InvalidParameter(
                "segment rule has a lower bound above its upper bound",
                where + " has an empty range.",
                "Each rule needs r_min <= r_max, f_min <= f_max and m_min <= m_max.");
    }
}

int SegmentOf(const std::vector<SegmentRule> &rules, int r, int f, int m) {
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const SegmentRule &s = rules[i];
        if (r >= s.r_lo && r <= s.r_hi && f >= s.f_lo && f <= s.f_hi && m >= s.m_lo && m <= s.m_hi)
            return static_cast<int>(i);
    }
    return -1;
}

void ValidateRfmOptions(const RfmOptions &o) {
    if (o.method == RfmMethod::Fixed) {
        ValidateBreaks(o.r_breaks, "recency");
        ValidateBreaks(o.f_breaks, "frequency");
        ValidateBreaks(o.m_breaks, "monetary");
    } else if (o.bins < 1 || o.bins > kMaxBins) {
        throw InvalidParameter("bins must be between 1 and " + std::to_string(kMaxBins),
                               "bins is " + std::to_string(o.bins) + ".",
                               "Use 5 for the usual 1..5 scores.");
    }
    ValidateSegmentRules(o.segments);
}

RfmScoreRange MaxScores(const RfmOptions &o) {
    if (o.method == RfmMethod::Fixed)
        return {static_cast<int>(o.r_breaks.size()) + 1, static_cast<int>(o.f_breaks.size()) + 1,
                static_cast<int>(o.m_breaks.size()) + 1};
    return {o.bins, o.bins, o.bins};
}

void FormatRfmCell(char (&out)[kRfmCellBuffer], int r, int f, int m,
                   const RfmScoreRange &max_scores) noexcept {
    if (max_scores.r <= 9 && max_scores.f <= 9 && max_scores.m <= 9)
        std::snprintf(out, sizeof out, "%d%d%d", r, f, m);
    else
        std::snprintf(out, sizeof out, "%d-%d-%d", r, f, m);
}

std::string RfmCell(int r, int f, int m, const RfmScoreRange &max_scores) {
    char cell[kRfmCellBuffer];
    FormatRfmCell(cell, r, f, m, max_scores);
    return cell;
}

void QuantileScores(ExecContext &ctx, const double *values, std::size_t n, int bins,
                    bool higher_is_better, std::uint8_t *out) {
    const auto order = WorstToBest(ctx, values, n, higher_is_better);
    // Walk groups of equal values; `worse` customers are strictly worse than the whole group.
    std::size_t group_start = 0;
    while (group_start < n) {
        std::size_t group_end = group_start + 1;
        const double v = values[order[group_start]];
        while (group_end < n && values[order[group_end]] == v) ++group_end;
        const auto worse = static_cast<std::uint64_t>(group_start);
        const auto score =
            static_cast<std::uint8_t>(1 + (static_cast<std::uint64_t>(bins) * worse) / n);
        for (std::size_t k = group_start; k < group_end; ++k) {
            ctx.Tick();
            out[order[k]] = score;
        }
        group_start = group_end;
    }
}

void NtileScores(ExecContext &ctx, const double *values, std::size_t n, int bins,
                 bool higher_is_better, std::uint8_t *out) {
    const auto order = WorstToBest(ctx, values, n, higher_is_better);
    // PostgreSQL's ntile(): buckets of n / bins rows, the first n % bins of them one row larger.
    const std::size_t per_bucket = n / static_cast<std::size_t>(bins);
    const std::size_t larger = n % static_cast<std::size_t>(bins);
    const std::size_t rows_in_larger = larger * (per_bucket + 1);
    for (std::size_t pos = 0; pos < n; ++pos) {
        ctx.Tick();
        std::size_t bucket;
        if (pos < rows_in_larger)
            bucket = pos / (per_bucket + 1);
        else
            bucket = larger + (pos - rows_in_larger) / per_bucket;
        out[order[pos]] = static_cast<std::uint8_t>(bucket + 1);
    }
}

double RQuantileType7(const double *sorted, std::size_t n, double p) {
    // stats::quantile.default, type 7: index <- 1 + (n - 1) * p; lo <- floor(index);
    // hi <- ceiling(index); qs <- x[lo]; where index > lo and x[hi] != qs,
    // qs <- (1 - h) * qs + h * x[hi] with h = index - lo. Same operations, same rounding.
    if (n == 0) return std::nan("");
    const double index = 1.0 + static_cast<double>(n - 1) * p;
    const double lo = std::floor(index);
    const double hi = std::ceil(index);
    const double x_lo = sorted[static_cast<std::size_t>(lo) - 1];
    const double x_hi = sorted[static_cast<std::size_t>(hi) - 1];
    if (index > lo && x_hi != x_lo) {
        const double h = index - lo;
        return (1.0 - h) * x_lo + h * x_hi;
    }
    return x_lo;
}

std::vector<double> RRfmBreaks(const double *sorted, std::size_t n, int bins) {
    // probs = seq(0, 1, length.out = bins + 1), whose inner values R computes as k * (1 / bins).
    std::vector<double> breaks;
    const double step = 1.0 / static_cast<double>(bins);
    for (int k = 1; k < bins; ++k)
        breaks.push_back(RQuantileType7(sorted, n, static_cast<double>(k) * step) + 1.0);
    return breaks;
}

void RRfmScores(ExecContext &ctx, const double *values, std::size_t n, int bins,
                bool higher_is_better, std::uint8_t *out) {
    if (n == 0) return;
    auto sorted = MakeBudgetVector<double>(ctx);
    sorted.assign(values, values + n);
    ctx.CheckInterrupts();
    std::sort(sorted.begin(), sorted.end(), [&ctx](double a, double b) {
        ctx.Tick();
        return a < b;
    });
    ctx.CheckInterrupts();
    const std::vector<double> breaks = RRfmBreaks(sorted.data(), n, bins);
    // Bins are [lower, upper) with lower = (min, breaks...), upper = (breaks..., max + 1), so every
    // value falls in bin 1 + #(breaks <= value); recency is scored in reverse.
    for (std::size_t i = 0; i < n; ++i) {
        ctx.Tick();
        const int bin = BinOf(breaks, values[i]);
        out[i] = static_cast<std::uint8_t>(higher_is_better ? bin : bins + 1 - bin);
    }
}

void FixedScores(ExecContext &ctx, const double *values, std::size_t n,
                 const std::vector<double> &breaks, bool higher_is_better, std::uint8_t *out) {
    const int top = static_cast<int>(breaks.size()) + 1;
    for (std::size_t i = 0; i < n; ++i) {
        ctx.Tick();
        const int bin = BinOf(breaks, values[i]);
        out[i] = static_cast<std::uint8_t>(higher_is_better ? bin : top + 1 - bin);
    }
}

void ScoreRfm(ExecContext &ctx, const RfmOptions &o, const double *recency, const double *frequency,
              const double *monetary, std::size_t n, RfmScores &out) {
    ValidateRfmOptions(o);
    if (n > UINT32_MAX)
        throw InvalidParameter("too many customers", std::to_string(n) + " customers.",
                               "Split the input, for example by region.");
    CheckValuesFinite(ctx, recency, n);
    CheckValuesFinite(ctx, frequency, n);
    CheckValuesFinite(ctx, monetary, n);
    out.r.resize(n);
    out.f.resize(n);
    out.m.resize(n);
    out.segment.resize(n);

    struct Dimension {
        const double *values;
        std::uint8_t *scores;
        bool higher_is_better;
        const std::vector<double> *breaks;
    };
    const Dimension dims[3] = {{recency, out.r.data(), false, &o.r_breaks},
                               {frequency, out.f.data(), true, &o.f_breaks},
                               {monetary, out.m.data(), true, &o.m_breaks}};
    for (const Dimension &d : dims) {
        switch (o.method) {
            case RfmMethod::Quantile:
                QuantileScores(ctx, d.values, n, o.bins, d.higher_is_better, d.scores);
                break;
            case RfmMethod::Ntile:
                NtileScores(ctx, d.values, n, o.bins, d.higher_is_better, d.scores);
                break;
            case RfmMethod::RRfm:
                RRfmScores(ctx, d.values, n, o.bins, d.higher_is_better, d.scores);
                break;
            case RfmMethod::Fixed:
                FixedScores(ctx, d.values, n, *d.breaks, d.higher_is_better, d.scores);
                break;
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        ctx.Tick();
        out.segment[i] =
            static_cast<std::int16_t>(SegmentOf(o.segments, out.r[i], out.f[i], out.m[i]));
    }
}

}  // namespace ca
