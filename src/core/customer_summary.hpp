// One customer's orders reduced to what the per-customer analytics read: RFM (rfm() and the
// rfm_summary aggregate) today, CLV (BG/NBD, Gamma-Gamma) and customer profiles next.
// Definitions (also in docs/architecture.md, "The per-customer summary"):
//
//   order            a usable order: it has a time and an amount (returns and zero amounts too)
//   purchase         an order with amount > 0 (PurchaseRule::PositiveAmount, docs/rfm.md), or every
//                    order (PurchaseRule::EveryOrder, R package rfm's row counting: method r_rfm)
//   orders           the number of orders
//   purchases        the number of purchases
//   first_purchase   the earliest purchase time; last_purchase the latest (0 without a purchase)
//   net_amount       the exact sum of every order's amount: returns lower it
//   decimals         the most decimal places among the amounts (how to show net_amount)
//   repeat_purchases purchases - 1 (0 without a purchase): BG/NBD's frequency x
//   purchase_span    last_purchase - first_purchase (0 with fewer than 2): BG/NBD's recency t_x
//   AgeAt(as_of)     as_of - first_purchase: BG/NBD's T
//   AverageAmount    net_amount / purchases (as a double): rfm's monetary => 'average', the
//                    Gamma-Gamma model's average transaction value
//
// Times are on any monotone scale (the glue passes microseconds). Counts are 32-bit: a customer
// (or an rfm_summary group) with 2^32 orders is a DataException.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "exec_context.hpp"
#include "money.hpp"
#include "orders.hpp"

namespace ca {

class ByteWriter;
class ByteReader;

enum class PurchaseRule : std::uint8_t {
    PositiveAmount,  // a purchase is an order with amount > 0
    EveryOrder,      // every order is a purchase (r_rfm)
};

// 48 bytes, 8-byte aligned (PackedMoney, not Money, which would force 16-byte alignment and 64).
class CustomerSummary {
  public:
    // Adds one order. Throws DataException when the net amount leaves Money's range or the order
    // count would reach 2^32; the summary is then unchanged.
    void Add(std::int64_t time, Money amount, int decimals,
             PurchaseRule rule = PurchaseRule::PositiveAmount);
    // As if every order added to `other` had been added here (same rule on both sides): Merge is
    // associative and commutative. Throws as Add does, leaving this summary unchanged.
    void Merge(const CustomerSummary &other);

    std::uint32_t orders() const { return orders_; }
    std::uint32_t purchases() const { return purchases_; }
    bool has_purchase() const { return purchases_ > 0; }
    std::int64_t first_purchase() const { return first_purchase_; }
    std::int64_t last_purchase() const { return last_purchase_; }
    Money net_amount() const { return net_.get(); }
    int decimals() const { return decimals_; }

    std::uint32_t repeat_purchases() const { return purchases_ > 0 ? purchases_ - 1 : 0; }
    // Throws DataException if the difference does not fit in 64 bits (times near both ends of the
    // scale); so does AgeAt.
    std::int64_t purchase_span() const;
    std::int64_t AgeAt(std::int64_t as_of) const;
    // Needs a purchase (without one: an infinity or NaN).
    double AverageAmount() const {
        return MoneyToDouble(net_amount()) / static_cast<double>(purchases_);
    }

    // The portable byte format (byte_format.hpp): version 1, then net_amount (16 bytes),
    // first_purchase, last_purchase (8 each), orders, purchases (4 each), decimals (1): 42 bytes.
    static constexpr std::size_t kSerializedSize = 42;
    void Serialize(std::string &out) const;
    // Throws DataException unless `data` is exactly one well-formed summary of this version whose
    // fields are consistent (purchases <= orders, first <= last, decimals <= 8, ...).
    static CustomerSummary Deserialize(const char *data, std::size_t size);

    friend bool operator==(const CustomerSummary &a, const CustomerSummary &b) {
        return a.net_amount() == b.net_amount() && a.first_purchase_ == b.first_purchase_ &&
               a.last_purchase_ == b.last_purchase_ && a.orders_ == b.orders_ &&
               a.purchases_ == b.purchases_ && a.decimals_ == b.decimals_;
    }
    friend bool operator!=(const CustomerSummary &a, const CustomerSummary &b) { return !(a == b); }

  private:
    friend class SummaryAsOf;
    void WriteTo(ByteWriter &w) const;
    static CustomerSummary ReadFrom(ByteReader &r);

    PackedMoney net_;
    std::int64_t first_purchase_ =
        0;  // both 0 without a purchase, so equal summaries compare equal
    std::int64_t last_purchase_ = 0;
    std::uint32_t orders_ = 0;
    std::uint32_t purchases_ = 0;
    std::uint8_t decimals_ = 0;
};
static_assert(sizeof(CustomerSummary) == 48 && alignof(CustomerSummary) == 8,
              "a compact per-customer state: see docs/performance.md before growing it");

// The summaries of all customers of one read of the orders (customer indices from a CustomerIndex:
// 0, 1, 2, ...), with the rows it left out. Orders after the inclusive bound (rfm's as_of), when
// there is one, are left out and counted as such.
class CustomerSummaries final : public OrderConsumer {
  public:
    CustomerSummaries(ExecContext &ctx, PurchaseRule rule, bool has_bound, std::int64_t bound);

    void AddNullCustomer(std::int64_t lines) override { skips_.null_customer_rows += lines; }
    void Prefetch(std::uint32_t customer) const override {
        if (customer < customers_.size()) {
            // A summary may straddle two cache lines: fetch both.
            const char *p = reinterpret_cast<const char *>(&customers_[customer]);
            __builtin_prefetch(p, 1);
            __builtin_prefetch(p + sizeof(CustomerSummary) - 1, 1);
        }
    }
    void Add(std::uint32_t customer, const Order &order) override;

    const BudgetVector<CustomerSummary> &customers() const { return customers_; }
    const SkippedRows &skips() const { return skips_; }
    // Latest time of any counted order (for a default as_of); false when there was none.
    bool has_latest() const { return has_latest_; }
    std::int64_t latest() const { return latest_; }
    // The customers with a purchase, in index order (charged to ctx).
    BudgetVector<std::uint32_t> WithPurchase(ExecContext &ctx) const;

  private:
    PurchaseRule rule_;
    bool has_bound_;
    std::int64_t bound_;
    BudgetVector<CustomerSummary> customers_;
    SkippedRows skips_;
    bool has_latest_ = false;
    std::int64_t latest_ = 0;
};

// The state of a per-group aggregate over orders (rfm_summary): a CustomerSummary of the orders at
// or before as_of (PurchaseRule::PositiveAmount), as_of being the first non-NULL one it was given.
// Orders added before any as_of was given are all counted.
class SummaryAsOf {
  public:
    // has_as_of false: this row gave no as_of.
    void Add(std::int64_t time, Money amount, int decimals, bool has_as_of, std::int64_t as_of);
    void Merge(const SummaryAsOf &other);

    const CustomerSummary &summary() const { return summary_; }
    bool has_as_of() const { return has_as_of_; }
    std::int64_t as_of() const { return as_of_; }

    // Version 1, has_as_of (1 byte, 0 or 1), as_of (8 bytes, 0 without), then the summary's own
    // bytes (CustomerSummary::Serialize): 52 bytes.
    static constexpr std::size_t kSerializedSize = 10 + CustomerSummary::kSerializedSize;
    void Serialize(std::string &out) const;
    static SummaryAsOf Deserialize(const char *data, std::size_t size);

    friend bool operator==(const SummaryAsOf &a, const SummaryAsOf &b) {
        return a.summary_ == b.summary_ && a.has_as_of_ == b.has_as_of_ && a.as_of_ == b.as_of_;
    }

  private:
    CustomerSummary summary_;
    bool has_as_of_ = false;
    std::int64_t as_of_ = 0;
};

}  // namespace ca
