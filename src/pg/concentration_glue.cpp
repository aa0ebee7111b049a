// SQL face of revenue concentration: revenue_concentration(), revenue_gini(), revenue_lorenz() and
// top_customers() (docs/concentration.md). The orders come through the shared reader as they are
// (order_id is not needed); src/core/concentration.* computes everything.
#include <memory>
#include <string>
#include <vector>

#include "args.hpp"
#include "concentration.hpp"
#include "customer_index.hpp"
#include "door.hpp"
#include "key_column.hpp"
#include "orders_reader.hpp"
#include "pg_money.hpp"
#include "srf.hpp"

namespace {

using ca::pg::SqlError;

// One read of orders_sql into one revenue per customer, with the skipped rows and the customers
// left out for a negative revenue reported in one NOTICE.
struct RevenueInput {
    ca::ExecContext ctx{ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook};
    ca::pg::OrdersSource source;
    std::unique_ptr<ca::CustomerIndex> index;
    ca::CustomerRevenues revenues{ctx};
    ca::RevenueBase base;

    // `described` runs once the columns are known, before the query's rows are read.
    template <typename Described>
    void Read(const char *function, const std::string &orders_sql, Described &&described) {
        ca::pg::SpiSession spi;
        source = ca::pg::DescribeOrders(orders_sql);
        described();
        index = std::make_unique<ca::CustomerIndex>(ctx, source.customer.IndexKind());
        ca::pg::ReadOrders(orders_sql, source, ca::pg::OrdersRead{}, *index, revenues);
        spi.Finish();
        base = ca::CollectRevenueBase(ctx, revenues);
        ca::pg::ReportSkippedRows(function, revenues.skips(), nullptr, base.negative,
                                  "had a negative net revenue");
    }
    void Read(const char *function, const std::string &orders_sql) {
        Read(function, orders_sql, [] {});
    }
};

// A share argument: NULL is 22004, outside (0, 1] 22023.
double ShareArg(FunctionCallInfo fcinfo, int n, const char *name) {
    const double share = ca::pg::RequiredFloat8Arg(fcinfo, n, name);
    ca::ValidateShare(share, name);
    return share;
}

}  // namespace

// revenue_concentration(orders_sql, shares)
CA_FUNCTION(ca_revenue_concentration) {
    const std::string orders_sql = ca::pg::RequiredTextArg(fcinfo, 0, "orders_sql");
    std::vector<double> shares;
    if (!ca::pg::Float8ArrayArg(fcinfo, 1, "shares", shares))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "shares must not be null");
    if (shares.empty())
        throw ca::InvalidParameter("shares must not be empty", {},
                                   "Give the top shares of customers to measure, such as "
                                   "'{0.01,0.05,0.2}'.");
    for (std::size_t i = 0; i < shares.size(); ++i)
        ca::ValidateShare(shares[i], ("shares[" + std::to_string(i + 1) + "]").c_str());

    RevenueInput in;
    in.Read("revenue_concentration", orders_sql);
    const std::vector<ca::ConcentrationRow> rows =
        ca::RevenueConcentration(in.ctx, in.revenues, in.base, shares);
    const int decimals = in.revenues.max_decimals();
    ca::pg::ResultWriter out(fcinfo);
    for (const ca::ConcentrationRow &row : rows) {
        const ca::ConcentrationRow r = row;
        out.Row<4>([&](Datum *values, bool *nulls) {
            values[0] = Float8GetDatum(r.top_share);
            values[1] = Int64GetDatum(static_cast<int64>(r.customers));
            values[2] = ca::pg::MoneyToNumeric(r.revenue, decimals);
            values[3] = Float8GetDatum(r.revenue_share);
            nulls[3] = !r.has_share;
        });
    }
    return (Datum)0;
}

// revenue_gini(orders_sql)
CA_FUNCTION(ca_revenue_gini) {
    const std::string orders_sql = ca::pg::RequiredTextArg(fcinfo, 0, "orders_sql");
    RevenueInput in;
    in.Read("revenue_gini", orders_sql);
    double gini = 0;
    if (!ca::RevenueGini(in.ctx, in.revenues, in.base, gini)) PG_RETURN_NULL();
    return Float8GetDatum(gini);
}

// revenue_lorenz(orders_sql, points)
CA_FUNCTION(ca_revenue_lorenz) {
    const std::string orders_sql = ca::pg::RequiredTextArg(fcinfo, 0, "orders_sql");
    if (PG_ARGISNULL(1)) throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "points must not be null");
    const int points = PG_GETARG_INT32(1);
    ca::ValidateLorenzPoints(points);

    RevenueInput in;
    in.Read("revenue_lorenz", orders_sql);
    ca::pg::ResultWriter out(fcinfo);
    ca::RevenueLorenz(in.ctx, in.revenues, in.base, points,
                      [&out](double customer_share, bool has_share, double revenue_share) {
                          out.Row<2>([&](Datum *values, bool *nulls) {
                              values[0] = Float8GetDatum(customer_share);
                              values[1] = Float8GetDatum(revenue_share);
                              nulls[1] = !has_share;
                          });
                      });
    return (Datum)0;
}

// top_customers(id_type, orders_sql, share). id_type (a NULL of any type) only decides
// customer_id's result type.
CA_FUNCTION(ca_top_customers) {
    const std::string orders_sql = ca::pg::RequiredTextArg(fcinfo, 1, "orders_sql");
    const double share = ShareArg(fcinfo, 2, "share");

    RevenueInput in;
    std::unique_ptr<ca::pg::KeyOutput> customer_out;
    in.Read("top_customers", orders_sql, [&] {
        // customer_id comes back in the type id_type resolved to; a pair it cannot give is
        // refused before the rows are read.
        customer_out = std::make_unique<ca::pg::KeyOutput>(
            in.source.customer, ca::pg::ResultColumnType(fcinfo, 1), "customer_id", "id_type");
    });
    ca::pg::ResultWriter out(fcinfo);
    const ca::CustomerIndex &index = *in.index;
    const ca::pg::KeyOutput &key_out = *customer_out;
    ca::TopCustomers(
        in.ctx, in.revenues, in.base, share,
        [&](ca::BudgetVector<std::uint32_t> &customers) {
            ca::pg::SortByKey(in.ctx, index, customers, in.source.customer);
        },
        [&](const ca::TopCustomer &t) {
            const int decimals = in.revenues.decimals(t.customer);
            out.Row<5>([&](Datum *values, bool *nulls) {
                values[0] = key_out.Make(index, t.customer);
                values[1] = Int64GetDatum(static_cast<int64>(t.rank));
                values[2] = ca::pg::MoneyToNumeric(t.revenue, decimals);
                values[3] = Float8GetDatum(t.revenue_share);
                values[4] = Float8GetDatum(t.cumulative_share);
                nulls[3] = nulls[4] = !t.has_share;
            });
        });
    return (Datum)0;
}
