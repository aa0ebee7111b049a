// Revenue concentration: each customer's exact net revenue (CustomerRevenues, the OrderConsumer the
// reader fills), the revenue of the top shares of customers, the Gini coefficient, the Lorenz curve
// and the top customers. Definitions: docs/concentration.md. Customers with a negative net revenue
// are left out of every measure; customers with revenue 0 stay in.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "exec_context.hpp"
#include "money.hpp"
#include "orders.hpp"

namespace ca {

// One exact net revenue per customer index (17 bytes a customer), and the rows skipped.
class CustomerRevenues final : public OrderConsumer {
  public:
    explicit CustomerRevenues(ExecContext &ctx);

    void AddNullCustomer(std::int64_t lines) override { skips_.null_customer_rows += lines; }
    void Prefetch(std::uint32_t customer) const override {
        if (customer < revenue_.size()) __builtin_prefetch(&revenue_[customer], 1);
    }
    // Throws DataException when the customer's revenue leaves Money's range.
    void Add(std::uint32_t customer, const Order &order) override;

    // Customer indices seen (some may have had no usable row).
    std::size_t size() const { return revenue_.size(); }
    bool has_rows(std::uint32_t customer) const { return shown_decimals_[customer] != 0; }
    Money revenue(std::uint32_t customer) const { return revenue_[customer].get(); }
    // Most decimal places among the customer's amounts, and among all amounts.
    int decimals(std::uint32_t customer) const { return shown_decimals_[customer] - 1; }
    int max_decimals() const { return max_decimals_; }
    const SkippedRows &skips() const { return skips_; }
    // Bytes held (all charged to the ExecContext).
    std::size_t bytes() const {
        return revenue_.capacity() * sizeof(PackedMoney) + shown_decimals_.capacity();
    }

  private:
    BudgetVector<PackedMoney> revenue_;
    BudgetVector<std::uint8_t> shown_decimals_;  // decimals + 1; 0: no usable row
    int max_decimals_ = 0;
    SkippedRows skips_;
};

// The customers of the analysis: those with a usable row and a revenue >= 0.
inline bool InAnalysis(const CustomerRevenues &revenues, std::uint32_t customer) {
    return revenues.has_rows(customer) && revenues.revenue(customer) >= 0;
}
struct RevenueBase {
    std::uint64_t customers = 0;  // N
    Money total = 0;              // T, their revenue
    std::int64_t negative = 0;    // customers left out for a negative revenue
};
// Throws DataException when T leaves Money's range.
RevenueBase CollectRevenueBase(ExecContext &ctx, const CustomerRevenues &revenues);

// Throws InvalidParameter unless 0 < share <= 1 (NaN included); `what` names it in the message.
void ValidateShare(double share, const char *what);
// k(s) = ceil(s::numeric * n): s as its 15-significant-digit decimal (PostgreSQL's float8 to
// numeric), so that 0.07 * 100 is 7. At least 1 when n > 0 (s > 0). Needs a valid share.
std::uint64_t TopCount(double share, std::uint64_t n);

// revenue / total as a double (correctly rounded operands, one division).
double RevenueShare(Money revenue, Money total);

struct ConcentrationRow {
    double top_share;
    std::uint64_t customers;
    Money revenue;
    bool has_share;  // false when T = 0
    double revenue_share;
};
// One row per share, in the order given; no rows when there is no customer. Shares must be
// valid (ValidateShare).
std::vector<ConcentrationRow> RevenueConcentration(ExecContext &ctx,
                                                   const CustomerRevenues &revenues,
                                                   const RevenueBase &base,
                                                   const std::vector<double> &shares);

// G = sum (2i - N - 1) x_(i) / (N T), ascending x; false when N = 0 or T = 0. Exact up to the
// final division.
bool RevenueGini(ExecContext &ctx, const CustomerRevenues &revenues, const RevenueBase &base,
                 double &gini);

constexpr int kMaxLorenzPoints = 1000000;
// Throws InvalidParameter unless 1 <= points <= kMaxLorenzPoints.
void ValidateLorenzPoints(std::int64_t points);
// Emits points + 1 pairs (j / points, L(j / points)), j = 0 .. points; nothing when N = 0.
// has_share is false when T = 0.
using LorenzEmit = std::function<void(double customer_share, bool has_share, double revenue_share)>;
void RevenueLorenz(ExecContext &ctx, const CustomerRevenues &revenues, const RevenueBase &base,
                   int points, const LorenzEmit &emit);

// Sorts customer indices ascending by customer id (the glue's order: integers by value, text in
// its collation).
using IdSort = std::function<void(BudgetVector<std::uint32_t> &customers)>;
// Emits the top k(share) customers, highest revenue first, equal revenues by id (IdSort), with
// their rank, the share of T of each and cumulated. Nothing when N = 0.
struct TopCustomer {
    std::uint32_t customer;
    std::uint64_t rank;
    Money revenue;
    bool has_share;  // false when T = 0
    double revenue_share;
    double cumulative_share;
};
using TopCustomerEmit = std::function<void(const TopCustomer &)>;
void TopCustomers(ExecContext &ctx, const CustomerRevenues &revenues, const RevenueBase &base,
                  double share, const IdSort &sort_by_id, const TopCustomerEmit &emit);

}  // namespace ca
