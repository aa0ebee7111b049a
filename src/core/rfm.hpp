// RFM scoring: recency, frequency and monetary values per customer turned into 1..bins scores,
// a cell such as "545" and a named segment. Definitions: docs/rfm.md. The caller (the SQL glue, or
// a test) has already reduced orders to one summary per customer (customer_summary.hpp); this
// file only scores.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "exec_context.hpp"

namespace ca {

enum class RfmMethod {
    Quantile,  // ours: score = 1 + floor(bins * #(strictly worse) / n); ties share a score
    RRfm,      // R package rfm 0.3.0, rfm_table_order(): type-7 quantile breaks + 1, [lower, upper)
    Ntile,     // NTILE(bins) over the sorted values, ties broken by input order
    Fixed,     // user-given ascending breaks; a value equal to a break goes to the upper bin
};

// Parses "quantile", "r_rfm", "ntile" or "fixed"; throws InvalidParameter otherwise.
RfmMethod ParseRfmMethod(const std::string &name);

// One row of a segment map: a customer whose scores lie in all three closed ranges belongs to the
// segment, the first matching rule in order wins, and no match means "Others".
struct SegmentRule {
    std::string name;
    int r_lo, r_hi, f_lo, f_hi, m_lo, m_hi;
};

// R package rfm's documented map (Champions ... Lost), in its order.
std::vector<SegmentRule> DefaultSegmentRules();
constexpr std::size_t kMaxSegmentRules = 32767;
// Throws InvalidParameter for an empty name, a range with lo > hi, or more than kMaxSegmentRules.
void ValidateSegmentRules(const std::vector<SegmentRule> &rules);
// Index into `rules` of the first rule matching, or -1 for "Others".
int SegmentOf(const std::vector<SegmentRule> &rules, int r, int f, int m);

struct RfmOptions {
    RfmMethod method = RfmMethod::Quantile;
    int bins = 5;                  // 1..kMaxBins; ignored by Fixed
    std::vector<double> r_breaks;  // Fixed only: strictly ascending, up to kMaxBins - 1 each
    std::vector<double> f_breaks;
    std::vector<double> m_breaks;
    std::vector<SegmentRule> segments = DefaultSegmentRules();
};
constexpr int kMaxBins = 100;

// Throws InvalidParameter when the options cannot be used (bins out of range, breaks missing,
// not ascending or not finite, bad segment rules).
void ValidateRfmOptions(const RfmOptions &options);

// Highest score each dimension can get under `options` (bins, or breaks + 1 for Fixed).
struct RfmScoreRange {
    int r, f, m;
};
RfmScoreRange MaxScores(const RfmOptions &options);

struct RfmScores {
    explicit RfmScores(ExecContext &ctx)
        : r(MakeBudgetVector<std::uint8_t>(ctx)),
          f(MakeBudgetVector<std::uint8_t>(ctx)),
          m(MakeBudgetVector<std::uint8_t>(ctx)),
          segment(MakeBudgetVector<std::int16_t>(ctx)) {}
    BudgetVector<std::uint8_t> r, f, m;
    BudgetVector<std::int16_t> segment;  // index into the options' rules, -1 = Others
};

// Scores n customers. recency: days since the last order (lower is better); frequency, monetary:
// higher is better. All three arrays have n entries.
void ScoreRfm(ExecContext &ctx, const RfmOptions &options, const double *recency,
              const double *frequency, const double *monetary, std::size_t n, RfmScores &out);

// "545" when every score is a single digit, else the three scores joined by '-' ("10-3-5").
std::string RfmCell(int r, int f, int m, const RfmScoreRange &max_scores);
// The same into a caller's buffer, without allocating (for loops that must not throw).
constexpr std::size_t kRfmCellBuffer = 16;
void FormatRfmCell(char (&out)[kRfmCellBuffer], int r, int f, int m,
                   const RfmScoreRange &max_scores) noexcept;

// --- The scoring rules, one dimension at a time (exposed for tests). `higher_is_better` is false
// for recency, where the smallest value gets the highest score.

void QuantileScores(ExecContext &ctx, const double *values, std::size_t n, int bins,
                    bool higher_is_better, std::uint8_t *out);
void NtileScores(ExecContext &ctx, const double *values, std::size_t n, int bins,
                 bool higher_is_better, std::uint8_t *out);
void RRfmScores(ExecContext &ctx, const double *values, std::size_t n, int bins,
                bool higher_is_better, std::uint8_t *out);
void FixedScores(ExecContext &ctx, const double *values, std::size_t n,
                 const std::vector<double> &breaks, bool higher_is_better, std::uint8_t *out);

// R's quantile(x, p, type = 7) on ascending `sorted`, with R's own floating-point steps.
double RQuantileType7(const double *sorted, std::size_t n, double p);
// The breaks rfm_table_order() uses for `bins` bins: type-7 quantiles at k/bins, k = 1..bins-1,
// each plus 1.
std::vector<double> RRfmBreaks(const double *sorted, std::size_t n, int bins);

// --- From orders to per-customer values: CustomerSummaries (customer_summary.hpp), with
// PurchaseRule::EveryOrder for r_rfm, which counts every row as a purchase (docs/rfm.md, "Orders
// and purchases"). The rfm_summary aggregate's state is a SummaryAsOf.

}  // namespace ca
