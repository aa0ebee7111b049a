// What the CLV models are fitted on (docs/clv.md, "Fitting on distinct values"): the customers'
// summaries reduced to their distinct values with counts. BG/NBD and Pareto/NBD read the triples
// (x, t_x, T); Gamma-Gamma reads the pairs (x, mean spend) of customers with x > 0. Customers with
// equal values add to one point's count, so a fit over a million customers whose times are whole
// days runs over far fewer points, and aggregate states stay small and merge by adding counts.
//
// PointHistogram<N> is that multiset of N-double keys. It is the state of the fitting aggregates:
// Add and Merge in any order give the same Points(), so parallel plans fit the same model as a
// serial one. Its memory is charged to its own budget (the limit given at construction), since an
// aggregate state outlives any one call's ExecContext.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include "byte_format.hpp"
#include "errors.hpp"
#include "exec_context.hpp"

namespace ca {

template <std::size_t N>
class PointHistogram {
  public:
    using Key = std::array<double, N>;
    struct Point {
        Key key;
        std::uint64_t count;
    };

    explicit PointHistogram(std::size_t memory_limit = ExecContext::kUnlimited)
        : budget_(std::make_unique<ExecContext>(memory_limit)),
          points_(MakeBudgetVector<Point>(*budget_)) {}

    // Keys must be finite (the models' Add functions check their ranges first).
    void Add(const Key &key, std::uint64_t count = 1) {
        if (count == 0) return;
        if (count > UINT64_MAX - total_) throw TooMany();
        if (points_.size() - sorted_ >= std::max<std::size_t>(kMinTail, sorted_)) Compact();
        points_.push_back(Point{key, count});
        total_ += count;
    }

    void Merge(const PointHistogram &other) {
        if (other.total_ > UINT64_MAX - total_) throw TooMany();
        points_.reserve(points_.size() + other.points_.size());
        for (const Point &p : other.points_) points_.push_back(p);
        total_ += other.total_;
        Compact();
    }

    // The distinct keys in ascending order, each with the sum of its counts.
    const BudgetVector<Point> &Points() const {
        Compact();
        return points_;
    }
    // The number of values added (customers), counts included.
    std::uint64_t total() const { return total_; }
    std::size_t memory_peak() const { return budget_->peak(); }

    // Version 1, the number of points (U64), then each point: N keys (F64) and its count (U64).
    void Serialize(std::string &out) const {
        Compact();
        ByteWriter w(out);
        w.U8(kVersion);
        w.U64(points_.size());
        for (const Point &p : points_) {
            for (double k : p.key) w.F64(k);
            w.U64(p.count);
        }
    }
    // Throws DataException unless `data` is exactly one such histogram with finite keys, ascending
    // and distinct, and nonzero counts whose sum fits in 64 bits.
    static PointHistogram Deserialize(const char *data, std::size_t size, const char *what,
                                      std::size_t memory_limit = ExecContext::kUnlimited) {
        ByteReader r(data, size, what);
        r.Version(kVersion);
        const std::uint64_t n = r.U64();
        if (n > r.remaining() / (8 * (N + 1))) throw r.Malformed(std::to_string(n) + " points");
        PointHistogram h(memory_limit);
        h.points_.reserve(n);
        for (std::uint64_t i = 0; i < n; ++i) {
            Point p;
            for (double &k : p.key) {
                k = r.F64();
                if (!std::isfinite(k)) throw r.Malformed("a key that is not finite");
            }
            p.count = r.U64();
            if (p.count == 0) throw r.Malformed("a point with count 0");
            if (p.count > UINT64_MAX - h.total_) throw r.Malformed("counts beyond 2^64");
            if (i > 0 && !(h.points_.back().key < p.key))
                throw r.Malformed("points not in ascending order");
            h.points_.push_back(p);
            h.total_ += p.count;
        }
        r.End();
        h.sorted_ = h.points_.size();
        return h;
    }

  private:
    static constexpr std::uint8_t kVersion = 1;
    static constexpr std::size_t kMinTail = 4096;

    static Error TooMany() {
        return DataException("too many customers", "A fit counts at most 2^64 - 1 customers.");
    }

    // Sorts the points and adds up equal keys. The unsorted tail is at most as long as the
    // sorted part (or kMinTail), so adding n values costs O(n log n) in all.
    void Compact() const {
        if (sorted_ == points_.size()) return;
        std::sort(points_.begin(), points_.end(),
                  [](const Point &a, const Point &b) { return a.key < b.key; });
        std::size_t out = 0;
        for (std::size_t i = 0; i < points_.size(); ++i) {
            if (out > 0 && points_[out - 1].key == points_[i].key)
                points_[out - 1].count += points_[i].count;
            else
                points_[out++] = points_[i];
        }
        points_.resize(out);
        sorted_ = out;
    }

    std::unique_ptr<ExecContext> budget_;  // on the heap: points_'s allocator points at it
    // Mutable: compacting changes the representation, not the multiset it stands for.
    mutable BudgetVector<Point> points_;
    mutable std::size_t sorted_ = 0;  // points_[0, sorted_) are sorted and distinct
    std::uint64_t total_ = 0;
};

// The customers' (x, t_x, T) for BG/NBD and Pareto/NBD, and (x, mean spend) for Gamma-Gamma.
using CalibrationPoints = PointHistogram<3>;
using SpendPoints = PointHistogram<2>;

// The distinct times (t_x and T values) of calibration points, and each point's indices into them:
// a likelihood evaluation computes log(alpha + t) once per distinct time instead of twice per
// point (whole days give a few hundred distinct times for any number of customers).
struct TimeIndex {
    TimeIndex(ExecContext &ctx, const BudgetVector<CalibrationPoints::Point> &points);
    BudgetVector<double> times;           // distinct, ascending
    BudgetVector<std::uint32_t> recency;  // per point: index of its t_x
    BudgetVector<std::uint32_t> age;      // per point: index of its T
};

// Throws InvalidParameter unless x is a whole number in [0, 2^31).
void CheckFrequency(double x);

// One customer's (x, t_x, T) as a key. Throws InvalidParameter unless x is a whole number in
// [0, 2^31), 0 <= t_x <= T, T finite, and t_x = 0 when x = 0 (docs/clv.md, "Bad input").
CalibrationPoints::Key CalibrationKey(double x, double t_x, double T);
// One customer's (x, mean spend) as a key; false for x = 0 (not part of the Gamma-Gamma fit).
// Throws InvalidParameter unless x is a whole number in [0, 2^31) and, when x > 0, the spend is
// finite and > 0.
bool SpendKey(double x, double spend, SpendPoints::Key &key);

// The number of customers in `points`; throws DataException when none has x > 0 (BG/NBD's and
// Pareto/NBD's likelihood then grows without bound as the purchase rate goes to 0).
std::uint64_t RequireRepeatBuyers(const BudgetVector<CalibrationPoints::Point> &points);

// A prediction as returned: 0 for a rounding error just below 0; DataException when it is not
// finite, below 0 or above `upper` (the parameters are where the formulas cannot be evaluated in
// double precision: extreme magnitudes such as 1e300 or 1e-300).
double CheckPrediction(double value, const char *what, double upper = HUGE_VAL);

// Throws InvalidParameter unless the prediction horizon t is finite and >= 0.
void CheckHorizon(double t);

// Throws InvalidParameter "<model> parameters must be finite and greater than 0", listing them,
// unless each is.
void CheckPositiveParams(const char *model,
                         std::initializer_list<std::pair<const char *, double>> params);

}  // namespace ca
