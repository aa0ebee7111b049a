#include "customer_summary.hpp"

#include "byte_format.hpp"
#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

namespace {

constexpr std::uint8_t kSummaryVersion = 1;
constexpr std::uint8_t kSummaryAsOfVersion = 1;

Error MonetaryOutOfRange() {
    return DataException("monetary total out of range",
                         "A customer's net amount is beyond 1.7 x 10^30 in absolute value.");
}

Error OrdersOutOfRange() {
    return DataException("order count out of range", "A customer has 2^32 orders or more.");
}

Error SpanOutOfRange() {
    return DataException("time span out of range",
                         "The difference of two times does not fit in 64 bits.");
}

std::int64_t Difference(std::int64_t later, std::int64_t earlier) {
    std::int64_t d;
    if (__builtin_sub_overflow(later, earlier, &d)) throw SpanOutOfRange();
    return d;
}

}  // namespace

void CustomerSummary::Add(std::int64_t time, Money amount, int decimals, PurchaseRule rule) {
    Money net;
    if (!AddMoney(net_amount(), amount, net)) throw MonetaryOutOfRange();
    if (orders_ == UINT32_MAX) throw OrdersOutOfRange();
    net_.set(net);
    ++orders_;
    if (decimals > decimals_) decimals_ = static_cast<std::uint8_t>(decimals);
    if (rule == PurchaseRule::EveryOrder || amount > 0) {
        if (purchases_ == 0 || time < first_purchase_) first_purchase_ = time;
        if (purchases_ == 0 || time > last_purchase_) last_purchase_ = time;
        ++purchases_;
    }
}

void CustomerSummary::Merge(const CustomerSummary &other) {
    Money net;
    if (!AddMoney(net_amount(), other.net_amount(), net)) throw MonetaryOutOfRange();
    if (other.orders_ > UINT32_MAX - orders_) throw OrdersOutOfRange();
    net_.set(net);
    orders_ += other.orders_;
    if (other.decimals_ > decimals_) decimals_ = other.decimals_;
    if (other.purchases_ > 0) {
        if (purchases_ == 0 || other.first_purchase_ < first_purchase_)
            first_purchase_ = other.first_purchase_;
        if (purchases_ == 0 || other.last_purchase_ > last_purchase_)
            last_purchase_ = other.last_purchase_;
        purchases_ += other.purchases_;  // <= orders_, so no overflow
    }
}

std::int64_t CustomerSummary::purchase_span() const {
    return purchases_ > 1 ? Difference(last_purchase_, first_purchase_) : 0;
}

std::int64_t CustomerSummary::AgeAt(std::int64_t as_of) const {
    return Difference(as_of, first_purchase_);
}

void CustomerSummary::WriteTo(ByteWriter &w) const {
    w.U8(kSummaryVersion);
    w.Money128(net_amount());
    w.I64(first_purchase_);
    w.I64(last_purchase_);
    w.U32(orders_);
    w.U32(purchases_);
    w.U8(decimals_);
}

CustomerSummary CustomerSummary::ReadFrom(ByteReader &r) {
    r.Version(kSummaryVersion);
    CustomerSummary s;
    s.net_.set(r.Money128());
    s.first_purchase_ = r.I64();
    s.last_purchase_ = r.I64();
    s.orders_ = r.U32();
    s.purchases_ = r.U32();
    s.decimals_ = r.U8();
    // Only what Add and Merge can produce.
    if (s.decimals_ > kMoneyScale)
        throw r.Malformed("decimals " + std::to_string(s.decimals_) + " above " +
                          std::to_string(kMoneyScale));
    if (s.purchases_ > s.orders_)
        throw r.Malformed(std::to_string(s.purchases_) + " purchases of " +
                          std::to_string(s.orders_) + " orders");
    if (s.orders_ == 0 && (s.net_amount() != 0 || s.decimals_ != 0))
        throw r.Malformed("an amount without orders");
    if (s.purchases_ == 0 && (s.first_purchase_ != 0 || s.last_purchase_ != 0))
        throw r.Malformed("purchase times without purchases");
    if (s.first_purchase_ > s.last_purchase_)
        throw r.Malformed("first purchase after the last one");
    if (s.purchases_ == 1 && s.first_purchase_ != s.last_purchase_)
        throw r.Malformed("one purchase at two times");
    return s;
}

void CustomerSummary::Serialize(std::string &out) const {
    ByteWriter w(out);
    WriteTo(w);
}

CustomerSummary CustomerSummary::Deserialize(const char *data, std::size_t size) {
    ByteReader r(data, size, "customer summary");
    CustomerSummary s = ReadFrom(r);
    r.End();
    return s;
}

CustomerSummaries::CustomerSummaries(ExecContext &ctx, PurchaseRule rule, bool has_bound,
                                     std::int64_t bound)
    : rule_(rule),
      has_bound_(has_bound),
      bound_(bound),
      customers_(MakeBudgetVector<CustomerSummary>(ctx)) {}

void CustomerSummaries::Add(std::uint32_t customer, const Order &order) {
    if (customer >= customers_.size()) customers_.resize(customer + 1);
    skips_.null_field_rows += order.bad_lines;
    skips_.after_bound_rows += order.after_lines;
    if (!order.has_time || !order.has_amount) return;
    if (has_bound_ && order.time > bound_) {
        skips_.after_bound_rows += order.lines - order.bad_lines - order.after_lines;
        return;
    }
    customers_[customer].Add(order.time, order.amount, order.decimals, rule_);
    if (!has_latest_ || order.time > latest_) {
        latest_ = order.time;
        has_latest_ = true;
    }
}

BudgetVector<std::uint32_t> CustomerSummaries::WithPurchase(ExecContext &ctx) const {
    auto out = MakeBudgetVector<std::uint32_t>(ctx);
    for (std::uint32_t i = 0; i < customers_.size(); ++i) {
        ctx.Tick();
        if (customers_[i].has_purchase()) out.push_back(i);
    }
    return out;
}

void SummaryAsOf::Add(std::int64_t time, Money amount, int decimals, bool has_as_of,
                      std::int64_t as_of) {
    if (!has_as_of_ && has_as_of) {
        has_as_of_ = true;
        as_of_ = as_of;
    }
    if (has_as_of_ && time > as_of_) return;
    summary_.Add(time, amount, decimals, PurchaseRule::PositiveAmount);
}

void SummaryAsOf::Merge(const SummaryAsOf &other) {
    summary_.Merge(other.summary_);  // first: it may throw
    if (!has_as_of_ && other.has_as_of_) {
        has_as_of_ = true;
        as_of_ = other.as_of_;
    }
}

void SummaryAsOf::Serialize(std::string &out) const {
    ByteWriter w(out);
    w.U8(kSummaryAsOfVersion);
    w.U8(has_as_of_ ? 1 : 0);
    w.I64(as_of_);
    summary_.WriteTo(w);
}

SummaryAsOf SummaryAsOf::Deserialize(const char *data, std::size_t size) {
    ByteReader r(data, size, "rfm_summary state");
    r.Version(kSummaryAsOfVersion);
    SummaryAsOf s;
    const std::uint8_t flag = r.U8();
    if (flag > 1) throw r.Malformed("as_of flag " + std::to_string(flag));
    s.has_as_of_ = flag == 1;
    s.as_of_ = r.I64();
    if (!s.has_as_of_ && s.as_of_ != 0) throw r.Malformed("an as_of without its flag");
    s.summary_ = CustomerSummary::ReadFrom(r);
    r.End();
    return s;
}

}  // namespace ca
