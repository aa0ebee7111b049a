// SQL face of the buyer profiles: favourite_items() and shopping_times(). Definitions live in
// src/core/profiles.* (docs/profiles.md); this file reads the arguments, reads the lines or orders
// through the shared readers and writes rows.
#include <string>

#include "args.hpp"
#include "customer_index.hpp"
#include "door.hpp"
#include "key_column.hpp"
#include "orders_reader.hpp"
#include "pg_money.hpp"
#include "profiles.hpp"
#include "srf.hpp"
#include "transactions_reader.hpp"

namespace {

using ca::pg::SqlError;

constexpr const char *kFavouriteExample =
    "SELECT customer_id, order_id, item [, quantity, amount] FROM order_items";

// 42703 when the measure `by` ranks on has no column in items_sql.
void RequireMeasure(bool present, const char *column, const char *by) {
    if (present) return;
    throw SqlError(ERRCODE_UNDEFINED_COLUMN, std::string("items_sql has no column ") + column,
                   std::string("by => '") + by + "' ranks the items by their " + by + ".",
                   std::string("Return ") + column +
                       " too, or rank by orders. For example: " + kFavouriteExample);
}

}  // namespace

// favourite_items(id_type, item_type, items_sql, top_n, by)
//   RETURNS TABLE (customer_id anycompatible, rank integer, item anyelement, orders bigint,
//                  quantity numeric, spend numeric)
CA_FUNCTION(ca_favourite_items) {
    const std::string items_sql = ca::pg::RequiredTextArg(fcinfo, 2, "items_sql");
    if (PG_ARGISNULL(3))
        throw ca::InvalidParameter("top_n must not be null", {},
                                   "Pass how many items to list per customer, for example 3.");
    const std::int64_t top_n = PG_GETARG_INT32(3);
    ca::ValidateTopN(top_n);
    const ca::FavouriteRanking by =
        ca::ParseFavouriteRanking(ca::pg::RequiredTextArg(fcinfo, 4, "by"));

    ca::ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    ca::pg::SpiSession spi;
    const ca::pg::TransactionsSource source = ca::pg::DescribeTransactions(items_sql, "items_sql");
    if (!source.has_customer)
        throw SqlError(ERRCODE_UNDEFINED_COLUMN, "items_sql has no column customer_id",
                       "favourite_items ranks the items of each customer.",
                       std::string("Return customer_id too, for example: ") + kFavouriteExample);
    if (by == ca::FavouriteRanking::Quantity)
        RequireMeasure(source.has_quantity, "quantity", "quantity");
    if (by == ca::FavouriteRanking::Spend) RequireMeasure(source.has_amount, "amount", "spend");
    // The types id_type and item_type resolved to; checked before anything is read.
    const ca::pg::KeyOutput customer_out(source.customer, ca::pg::ResultColumnType(fcinfo, 1),
                                         "customer_id", "id_type");
    const ca::pg::KeyOutput item_out(source.item, ca::pg::ResultColumnType(fcinfo, 3), "item",
                                     "item_type");

    ca::CustomerIndex orders(ctx, source.order.IndexKind());
    ca::CustomerIndex items(ctx, source.item.IndexKind());
    ca::CustomerIndex customers(ctx, source.customer.IndexKind());
    ca::FavouriteItems favourites(ctx, source.has_quantity, source.has_amount);
    ca::SkippedRows skips;
    ca::pg::ReadTransactions(items_sql, "items_sql", source, ca::pg::TransactionKey::Order, orders,
                             items, favourites, skips, nullptr, &customers);
    spi.Finish();
    skips.null_field_rows += favourites.skips().null_field_rows;
    ca::pg::LineSkipReasons reasons;
    reasons.quantity = false;  // returns and corrections stay: they lower the net sums
    ca::pg::ReportSkippedLines("favourite_items", skips, reasons);

    const ca::BudgetVector<std::uint32_t> customer_rank =
        ca::pg::KeyRanks(ctx, customers, source.customer);
    const ca::BudgetVector<std::uint32_t> item_rank = ca::pg::KeyRanks(ctx, items, source.item);
    const bool has_quantity = source.has_quantity, has_amount = source.has_amount;
    ca::pg::ResultWriter out(fcinfo);
    favourites.Emit(by, top_n, customer_rank, item_rank, [&](const ca::FavouriteItem &r) {
        out.Row<6>([&](Datum *values, bool *nulls) {
            values[0] = customer_out.Make(customers, r.customer);
            values[1] = Int32GetDatum(r.rank);
            values[2] = item_out.Make(items, r.item);
            values[3] = Int64GetDatum(static_cast<int64>(r.orders));
            if (has_quantity)
                values[4] = ca::pg::MoneyToNumeric(r.quantity, r.quantity_decimals);
            else
                nulls[4] = true;
            if (has_amount)
                values[5] = ca::pg::MoneyToNumeric(r.spend, r.spend_decimals);
            else
                nulls[5] = true;
        });
    });
    return (Datum)0;
}

// shopping_times(id_type, orders_sql, time_zone, per_customer)
//   RETURNS TABLE (customer_id anyelement, weekday integer, hour integer, orders bigint,
//                  revenue numeric)
CA_FUNCTION(ca_shopping_times) {
    const std::string orders_sql = ca::pg::RequiredTextArg(fcinfo, 1, "orders_sql");
    std::string zone;
    const bool has_zone = ca::pg::TimeZoneArg(fcinfo, 2, zone);  // 22023 when unknown
    if (PG_ARGISNULL(3))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "per_customer must not be null");
    const bool per_customer = PG_GETARG_BOOL(3);

    ca::ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    ca::pg::SpiSession spi;
    const ca::pg::OrdersSource source = ca::pg::DescribeOrders(orders_sql);
    if (source.time_type == DATEOID)
        throw SqlError(ERRCODE_DATATYPE_MISMATCH,
                       "shopping_times needs the time of day of each order",
                       "ordered_at is of type date, which has no hour.",
                       "Return ordered_at as a timestamp or timestamptz.");
    ca::pg::OrdersRead read;
    // Order lines with order_id: one order per (customer_id, order_id), at its latest line, as
    // rfm() counts orders.
    read.grouped = source.has_order_id;
    if (source.time_type == TIMESTAMPTZOID) {
        read.time = has_zone ? ca::pg::OrderTime::ZoneLocal : ca::pg::OrderTime::SessionLocal;
        read.zone = zone;
    }
    const ca::pg::KeyOutput customer_out(source.customer, ca::pg::ResultColumnType(fcinfo, 1),
                                         "customer_id", "id_type");
    ca::CustomerIndex customers(ctx, source.customer.IndexKind());
    ca::ShoppingTimes times(ctx, per_customer);
    ca::pg::ReadOrders(orders_sql, source, read, customers, times);
    spi.Finish();
    ca::pg::ReportSkippedRows("shopping_times", times.skips(), nullptr);

    const ca::BudgetVector<std::uint32_t> customer_rank =
        per_customer ? ca::pg::KeyRanks(ctx, customers, source.customer)
                     : ca::MakeBudgetVector<std::uint32_t>(ctx);
    ca::pg::ResultWriter out(fcinfo);
    times.Emit(customer_rank, [&](const ca::ShoppingCell &c) {
        out.Row<5>([&](Datum *values, bool *nulls) {
            if (c.has_customer)
                values[0] = customer_out.Make(customers, c.customer);
            else
                nulls[0] = true;
            values[1] = Int32GetDatum(c.weekday);
            values[2] = Int32GetDatum(c.hour);
            values[3] = Int64GetDatum(static_cast<int64>(c.orders));
            values[4] = ca::pg::MoneyToNumeric(c.revenue, c.decimals);
        });
    });
    return (Datum)0;
}
