// Buyer profiles (src/core/profiles.*): the weekday and hour of local times, favourite_items'
// counts and ranking and shopping_times' histograms, against hand-worked cases and brute-force
// recomputations of docs/profiles.md's definitions.
#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include "periods.hpp"
#include "profiles.hpp"
#include "test_support.hpp"

namespace {

constexpr std::int64_t kHour = 3600000000LL;

// Local microseconds of y-m-d h:mi.
std::int64_t At(int y, unsigned m, unsigned d, int h, int mi = 0) {
    return std::int64_t{ca::DaysFromCivil(y, m, d)} * ca::kUsecsPerDay + h * kHour +
           std::int64_t{mi} * 60000000LL;
}

// ISO weekday by Sakamoto's method on the civil date (independent of day numbers): 0 = Sunday.
int SakamotoIso(int y, unsigned m, unsigned d) {
    static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    if (m < 3) y -= 1;
    // Floor divisions, so that years before 0 work too.
    auto fdiv = [](long a, long b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); };
    const long w = (y + fdiv(y, 4) - fdiv(y, 100) + fdiv(y, 400) + t[m - 1] + d) % 7;
    const long s = (w + 7) % 7;
    return s == 0 ? 7 : static_cast<int>(s);
}

ca::BudgetVector<std::uint32_t> Identity(ca::ExecContext &ctx, std::size_t n) {
    auto v = ca::MakeBudgetVector<std::uint32_t>(ctx);
    for (std::uint32_t i = 0; i < n; ++i) v.push_back(i);
    return v;
}

ca::Line MakeLine(std::uint32_t customer, std::int64_t quantity, std::int64_t amount) {
    ca::Line l;
    l.customer = customer;
    l.has_quantity = true;
    l.quantity = ca::MoneyFromInt(quantity);
    l.has_amount = true;
    l.amount = ca::MoneyFromInt(amount);
    return l;
}

std::vector<ca::FavouriteItem> RunFavourites(ca::FavouriteItems &f, ca::FavouriteRanking by,
                                             std::int64_t top_n,
                                             const ca::BudgetVector<std::uint32_t> &customer_rank,
                                             const ca::BudgetVector<std::uint32_t> &item_rank) {
    std::vector<ca::FavouriteItem> rows;
    f.Emit(by, top_n, customer_rank, item_rank,
           [&](const ca::FavouriteItem &r) { rows.push_back(r); });
    return rows;
}

ca::Order MakeOrder(std::int64_t time, std::int64_t amount) {
    ca::Order o;
    o.has_time = true;
    o.time = time;
    o.has_amount = true;
    o.amount = ca::MoneyFromInt(amount);
    return o;
}

}  // namespace

TEST_CASE("WeekHourOf: ISO weekday and hour of local times, before 2000 too", "[profiles]") {
    // 2000-01-01 was a Saturday.
    CHECK(ca::WeekHourOf(0).weekday == 6);
    CHECK(ca::WeekHourOf(0).hour == 0);
    // One microsecond earlier: Friday 1999-12-31 23:59:59.999999.
    CHECK(ca::WeekHourOf(-1).weekday == 5);
    CHECK(ca::WeekHourOf(-1).hour == 23);
    // 1970-01-01 00:30 was a Thursday; 1969-12-31 23:30 a Wednesday.
    CHECK(ca::WeekHourOf(At(1970, 1, 1, 0, 30)).weekday == 4);
    CHECK(ca::WeekHourOf(At(1969, 12, 31, 23, 30)).weekday == 3);
    CHECK(ca::WeekHourOf(At(1969, 12, 31, 23, 30)).hour == 23);
    // 2024-03-31 (Sunday, the day Europe's clocks spring forward), 03:15 local.
    CHECK(ca::WeekHourOf(At(2024, 3, 31, 3, 15)).weekday == 7);
    CHECK(ca::WeekHourOf(At(2024, 3, 31, 3, 15)).hour == 3);
    // 2024-04-01 was a Monday: cell 0 at midnight, cell 23 at 23:59.
    CHECK(ca::WeekHourCell(At(2024, 4, 1, 0)) == 0);
    CHECK(ca::WeekHourCell(At(2024, 4, 1, 23, 59)) == 23);
    CHECK(ca::WeekHourCell(At(2024, 4, 7, 23, 59)) == 167);
    // 4713 BC (year -4712) and the far future stay in range.
    for (std::int64_t t :
         {INT64_MIN, INT64_MIN + 1, INT64_MAX, std::int64_t{-1}, At(-4712, 1, 1, 12)}) {
        const ca::WeekHour w = ca::WeekHourOf(t);
        CHECK(w.weekday >= 1);
        CHECK(w.weekday <= 7);
        CHECK(w.hour >= 0);
        CHECK(w.hour <= 23);
    }
}

TEST_CASE("WeekHourOf agrees with Sakamoto's weekday on random dates", "[profiles]") {
    std::mt19937_64 rng(11);
    std::uniform_int_distribution<int> year(-4712, 99999);
    std::uniform_int_distribution<int> month(1, 12), day(1, 28), hour(0, 23), minute(0, 59);
    for (int i = 0; i < 20000; ++i) {
        const int y = year(rng);
        const unsigned m = static_cast<unsigned>(month(rng)), d = static_cast<unsigned>(day(rng));
        const int h = hour(rng);
        const ca::WeekHour w = ca::WeekHourOf(At(y, m, d, h, minute(rng)));
        INFO(y << "-" << m << "-" << d << " " << h);
        REQUIRE(w.weekday == SakamotoIso(y, m, d));
        REQUIRE(w.hour == h);
    }
}

TEST_CASE("favourite_items: a hand-worked example with ties and returns", "[profiles]") {
    ca::ExecContext ctx;
    ca::FavouriteItems f(ctx, true, true);
    // Customer 0: item 0 in orders 0 and 1 (qty 2 + 1, spend 10 + 5); item 1 in order 0 (qty 1,
    // spend 5) and order 0 again (a second line: still one order; qty 2, spend 6 in all); item 2
    // in order 1 (qty 3, spend 9), returned in order 2 (qty -1, spend -3: not an order of it);
    // item 3 only returned (no buying line: not ranked).
    f.Add(0, 0, MakeLine(0, 2, 10));
    f.Add(0, 1, MakeLine(0, 1, 5));
    f.Add(0, 1, MakeLine(0, 1, 1));
    f.Add(1, 0, MakeLine(0, 1, 5));
    f.Add(1, 2, MakeLine(0, 3, 9));
    f.Add(2, 2, MakeLine(0, -1, -3));
    f.Add(2, 3, MakeLine(0, -1, -2));
    // Customer 1: items 0 and 1 tie on every measure: the item order decides.
    f.Add(3, 1, MakeLine(1, 1, 1));
    f.Add(3, 0, MakeLine(1, 1, 1));
    // A line with a zero quantity does not buy; a zero amount does.
    f.Add(4, 2, MakeLine(1, 0, 4));
    f.Add(5, 3, MakeLine(1, 2, 0));

    const auto customers = Identity(ctx, 2);
    auto items = Identity(ctx, 4);
    SECTION(
        "by orders: item 0 (2 orders), then item 2 and item 1 tie at 1 order: quantity 2 each, "
        "spend 6 each: item order") {
        const auto rows = RunFavourites(f, ca::FavouriteRanking::Orders, 3, customers, items);
        REQUIRE(rows.size() == 6);
        CHECK(rows[0].item == 0);
        CHECK(rows[0].orders == 2);
        CHECK(rows[0].quantity == ca::MoneyFromInt(3));
        CHECK(rows[0].spend == ca::MoneyFromInt(15));
        CHECK(rows[1].item == 1);
        CHECK(rows[1].orders == 1);
        CHECK(rows[1].quantity == ca::MoneyFromInt(2));
        CHECK(rows[1].spend == ca::MoneyFromInt(6));
        CHECK(rows[2].item == 2);
        CHECK(rows[2].quantity == ca::MoneyFromInt(2));
        CHECK(rows[2].spend == ca::MoneyFromInt(6));
        for (int r = 0; r < 3; ++r) CHECK(rows[r].rank == r + 1);
        // Customer 1: item 3 (1 order, qty 2) before items 0 and 1 (qty 1), item 2 not bought.
        CHECK(rows[3].customer == 1);
        CHECK(rows[3].item == 3);
        CHECK(rows[4].item == 0);
        CHECK(rows[5].item == 1);
        CHECK(rows[5].rank == 3);
    }
    SECTION("the item order is the caller's: reversed, item 1 comes before item 0") {
        for (std::uint32_t i = 0; i < 4; ++i) items[i] = 3 - i;
        const auto rows = RunFavourites(f, ca::FavouriteRanking::Orders, 3, customers, items);
        CHECK(rows[1].item == 2);
        CHECK(rows[2].item == 1);
        CHECK(rows[4].item == 1);
        CHECK(rows[5].item == 0);
    }
    SECTION("by spend, top 1") {
        const auto rows = RunFavourites(f, ca::FavouriteRanking::Spend, 1, customers, items);
        REQUIRE(rows.size() == 2);
        CHECK(rows[0].item == 0);
        // Customer 1: spend 1, 1 and 0 among the bought ones: items 0 and 1 tie on spend, orders
        // and quantity; item 0 first.
        CHECK(rows[1].item == 0);
    }
    SECTION("customers in the caller's order") {
        auto reversed = Identity(ctx, 2);
        reversed[0] = 1;
        reversed[1] = 0;
        const auto rows = RunFavourites(f, ca::FavouriteRanking::Quantity, 1, reversed, items);
        REQUIRE(rows.size() == 2);
        CHECK(rows[0].customer == 1);
        CHECK(rows[0].item == 3);
        CHECK(rows[1].customer == 0);
        CHECK(rows[1].item == 0);  // quantity 3 against 2 and 2
    }
}

TEST_CASE("favourite_items: empty input, a single customer, bad arguments", "[profiles]") {
    ca::ExecContext ctx;
    {
        ca::FavouriteItems f(ctx, false, false);
        const auto none = Identity(ctx, 0);
        CHECK(RunFavourites(f, ca::FavouriteRanking::Orders, 3, none, none).empty());
    }
    {
        // Without quantity and amount, only orders rank; NULL lines would be skipped with them.
        ca::FavouriteItems f(ctx, false, false);
        ca::Line l;
        f.Add(0, 4, l);
        f.Add(1, 4, l);
        f.Add(1, 2, l);
        f.Add(2, 0, l);
        const auto customers = Identity(ctx, 1);
        const auto items = Identity(ctx, 5);
        const auto rows = RunFavourites(f, ca::FavouriteRanking::Orders, 10, customers, items);
        REQUIRE(rows.size() == 3);
        CHECK(rows[0].item == 4);
        CHECK(rows[0].orders == 2);
        CHECK(rows[1].item == 0);
        CHECK(rows[2].item == 2);
    }
    {
        ca::FavouriteItems f(ctx, true, true);
        ca::Line l = MakeLine(0, 1, 1);
        l.has_amount = false;  // a NULL amount: skipped and counted
        f.Add(0, 0, l);
        CHECK(f.skips().null_field_rows == 1);
        const auto one = Identity(ctx, 1);
        CHECK(RunFavourites(f, ca::FavouriteRanking::Orders, 1, one, one).empty());
    }
    CHECK(KindOf([] { ca::ValidateTopN(0); }) == ca::ErrorKind::InvalidParameter);
    CHECK(KindOf([] { ca::ValidateTopN(-5); }) == ca::ErrorKind::InvalidParameter);
    CHECK(KindOf([] { ca::ParseFavouriteRanking("amount"); }) == ca::ErrorKind::InvalidParameter);
    CHECK(ca::ParseFavouriteRanking("spend") == ca::FavouriteRanking::Spend);
}

TEST_CASE("favourite_items equals a brute-force ranking on random lines", "[profiles]") {
    std::mt19937_64 rng(5);
    for (int round = 0; round < 300; ++round) {
        const int customers = 1 + static_cast<int>(rng() % 5),
                  items = 1 + static_cast<int>(rng() % 6),
                  orders = 1 + static_cast<int>(rng() % 12), lines = static_cast<int>(rng() % 60);
        const bool has_q = rng() % 4 != 0, has_a = rng() % 4 != 0;
        const auto by = static_cast<ca::FavouriteRanking>(
            has_q && has_a ? rng() % 3 : (has_q ? rng() % 2 : (has_a ? 2 * (rng() % 2) : 0)));
        const std::int64_t top_n = 1 + static_cast<std::int64_t>(rng() % 4);
        ca::ExecContext ctx;
        ca::FavouriteItems f(ctx, has_q, has_a);
        // Brute force: per (customer, item) the set of buying orders and the sums.
        std::map<std::pair<int, int>, std::tuple<std::set<int>, std::int64_t, std::int64_t>> truth;
        for (int l = 0; l < lines; ++l) {
            const int c = static_cast<int>(rng() % customers), i = static_cast<int>(rng() % items),
                      o = static_cast<int>(rng() % orders);
            const std::int64_t q = static_cast<std::int64_t>(rng() % 6) - 2,
                               a = static_cast<std::int64_t>(rng() % 9) - 3;
            ca::Line line = MakeLine(static_cast<std::uint32_t>(c), q, a);
            line.has_quantity = has_q;
            line.has_amount = has_a;
            f.Add(static_cast<std::uint32_t>(o), static_cast<std::uint32_t>(i), line);
            auto &t = truth[{c, i}];
            if ((!has_q || q > 0) && (!has_a || a >= 0)) std::get<0>(t).insert(o);
            std::get<1>(t) += q;
            std::get<2>(t) += a;
        }
        // Random customer and item orders.
        std::vector<std::uint32_t> cperm(customers), iperm(items);
        for (int k = 0; k < customers; ++k) cperm[k] = static_cast<std::uint32_t>(k);
        for (int k = 0; k < items; ++k) iperm[k] = static_cast<std::uint32_t>(k);
        std::shuffle(cperm.begin(), cperm.end(), rng);
        std::shuffle(iperm.begin(), iperm.end(), rng);
        auto crank = ca::MakeBudgetVector<std::uint32_t>(ctx),
             irank = ca::MakeBudgetVector<std::uint32_t>(ctx);
        crank.assign(cperm.begin(), cperm.end());
        irank.assign(iperm.begin(), iperm.end());
        const auto rows = RunFavourites(f, by, top_n, crank, irank);

        // Expected: customers by rank; each customer's bought items sorted by the key tuple.
        std::vector<int> corder(customers);
        for (int k = 0; k < customers; ++k) corder[crank[k]] = k;
        std::vector<std::tuple<int, int, int, std::int64_t, std::int64_t>>
            expected;  // c, rank, item, q, a
        for (const int c : corder) {
            std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, int>>
                keys;
            for (const auto &[ci, t] : truth) {
                if (ci.first != c || std::get<0>(t).empty()) continue;
                const std::int64_t n = static_cast<std::int64_t>(std::get<0>(t).size());
                const std::int64_t q = has_q ? std::get<1>(t) : 0, a = has_a ? std::get<2>(t) : 0;
                std::int64_t k1 = n, k2 = q, k3 = a;
                if (by == ca::FavouriteRanking::Quantity)
                    std::tie(k1, k2, k3) = std::make_tuple(q, n, a);
                if (by == ca::FavouriteRanking::Spend)
                    std::tie(k1, k2, k3) = std::make_tuple(a, n, q);
                keys.emplace_back(-k1, -k2, -k3, irank[ci.second], ci.second);
            }
            std::sort(keys.begin(), keys.end());
            for (std::size_t r = 0; r < keys.size() && static_cast<std::int64_t>(r) < top_n; ++r) {
                const int item = std::get<4>(keys[r]);
                const auto &t = truth[{c, item}];
                expected.emplace_back(c, static_cast<int>(r + 1), item, std::get<1>(t),
                                      std::get<2>(t));
            }
        }
        REQUIRE(rows.size() == expected.size());
        for (std::size_t k = 0; k < rows.size(); ++k) {
            INFO("round " << round << " row " << k);
            REQUIRE(static_cast<int>(rows[k].customer) == std::get<0>(expected[k]));
            REQUIRE(rows[k].rank == std::get<1>(expected[k]));
            REQUIRE(static_cast<int>(rows[k].item) == std::get<2>(expected[k]));
            const auto &t = truth[{std::get<0>(expected[k]), std::get<2>(expected[k])}];
            REQUIRE(rows[k].orders == std::get<0>(t).size());
            if (has_q) REQUIRE(rows[k].quantity == ca::MoneyFromInt(std::get<3>(expected[k])));
            if (has_a) REQUIRE(rows[k].spend == ca::MoneyFromInt(std::get<4>(expected[k])));
        }
    }
}

TEST_CASE("shopping_times: shop-wide cells and per-customer cells", "[profiles]") {
    ca::ExecContext ctx;
    SECTION("empty input: 168 empty cells, Monday 0h first") {
        ca::ShoppingTimes s(ctx, false);
        std::vector<ca::ShoppingCell> cells;
        s.Emit(Identity(ctx, 0), [&](const ca::ShoppingCell &c) { cells.push_back(c); });
        REQUIRE(cells.size() == 168);
        CHECK(cells[0].weekday == 1);
        CHECK(cells[0].hour == 0);
        CHECK(cells[167].weekday == 7);
        CHECK(cells[167].hour == 23);
        for (const auto &c : cells) {
            CHECK(c.orders == 0);
            CHECK(c.revenue == 0);
            CHECK_FALSE(c.has_customer);
        }
    }
    SECTION("a single customer: returns count as orders, revenue is net") {
        ca::ShoppingTimes s(ctx, true);
        s.Add(0, MakeOrder(At(2024, 4, 2, 9, 5), 30));    // Tuesday 9h
        s.Add(0, MakeOrder(At(2024, 4, 9, 9, 55), -10));  // Tuesday 9h, a return
        s.Add(0, MakeOrder(At(1999, 12, 31, 23, 0), 5));  // Friday 23h
        ca::Order bad = MakeOrder(0, 1);
        bad.has_amount = false;
        bad.bad_lines = 1;
        s.Add(0, bad);
        s.AddNullCustomer(3);
        CHECK(s.skips().null_field_rows == 1);
        CHECK(s.skips().null_customer_rows == 3);
        std::vector<ca::ShoppingCell> cells;
        s.Emit(Identity(ctx, 1), [&](const ca::ShoppingCell &c) { cells.push_back(c); });
        REQUIRE(cells.size() == 2);
        CHECK(cells[0].weekday == 2);
        CHECK(cells[0].hour == 9);
        CHECK(cells[0].orders == 2);
        CHECK(cells[0].revenue == ca::MoneyFromInt(20));
        CHECK(cells[1].weekday == 5);
        CHECK(cells[1].hour == 23);
        CHECK(cells[1].orders == 1);
    }
}

TEST_CASE("shopping_times equals a brute-force histogram on random orders", "[profiles]") {
    std::mt19937_64 rng(9);
    for (int round = 0; round < 100; ++round) {
        const bool per_customer = round % 2 == 1;
        const int customers = 1 + static_cast<int>(rng() % 6),
                  orders = static_cast<int>(rng() % 200);
        ca::ExecContext ctx;
        ca::ShoppingTimes s(ctx, per_customer);
        std::map<std::tuple<int, int, int>, std::pair<std::uint64_t, std::int64_t>> truth;
        std::uniform_int_distribution<std::int64_t> when(At(1900, 1, 1, 0), At(2100, 1, 1, 0));
        for (int k = 0; k < orders; ++k) {
            const int c = static_cast<int>(rng() % customers);
            const std::int64_t t = when(rng), a = static_cast<std::int64_t>(rng() % 100) - 20;
            s.Add(static_cast<std::uint32_t>(c), MakeOrder(t, a));
            int y;
            unsigned m, d;
            const std::int32_t day = ca::DayOf(t);
            ca::CivilFromDays(day, y, m, d);
            const int hour = static_cast<int>((t - std::int64_t{day} * ca::kUsecsPerDay) / kHour);
            auto &cell = truth[{per_customer ? c : -1, SakamotoIso(y, m, d), hour}];
            ++cell.first;
            cell.second += a;
        }
        std::vector<std::uint32_t> perm(customers);
        for (int k = 0; k < customers; ++k) perm[k] = static_cast<std::uint32_t>(k);
        std::shuffle(perm.begin(), perm.end(), rng);
        auto rank = ca::MakeBudgetVector<std::uint32_t>(ctx);
        rank.assign(perm.begin(), perm.end());
        std::vector<ca::ShoppingCell> cells;
        s.Emit(rank, [&](const ca::ShoppingCell &c) { cells.push_back(c); });
        if (!per_customer) {
            REQUIRE(cells.size() == 168);
            for (const auto &c : cells) {
                const auto it = truth.find({-1, c.weekday, c.hour});
                REQUIRE(c.orders == (it == truth.end() ? 0 : it->second.first));
                REQUIRE(c.revenue == ca::MoneyFromInt(it == truth.end() ? 0 : it->second.second));
            }
            continue;
        }
        REQUIRE(cells.size() == truth.size());
        for (std::size_t k = 0; k < cells.size(); ++k) {
            const auto &c = cells[k];
            const auto it = truth.find({static_cast<int>(c.customer), c.weekday, c.hour});
            REQUIRE(it != truth.end());
            REQUIRE(c.orders == it->second.first);
            REQUIRE(c.revenue == ca::MoneyFromInt(it->second.second));
            if (k > 0) {
                const auto &p = cells[k - 1];
                // Customers by rank, then weekday and hour.
                REQUIRE(std::make_tuple(rank[p.customer], p.weekday, p.hour) <
                        std::make_tuple(rank[c.customer], c.weekday, c.hour));
            }
        }
    }
}

TEST_CASE("profiles: memory limit and cancellation", "[profiles]") {
    {
        ca::ExecContext ctx(64 * 1024);
        CHECK(KindOf([&] {
                  ca::FavouriteItems f(ctx, true, true);
                  for (std::uint32_t i = 0; i < 100000; ++i)
                      f.Add(i, i % 977, MakeLine(i % 13, 1, 1));
              }) == ca::ErrorKind::MemoryLimit);
        CHECK(ctx.used() == 0);
    }
    {
        ca::ExecContext ctx(64 * 1024);
        CHECK(KindOf([&] {
                  ca::ShoppingTimes s(ctx, true);
                  for (std::uint32_t i = 0; i < 100000; ++i) s.Add(i, MakeOrder(i * kHour, 1));
              }) == ca::ErrorKind::MemoryLimit);
        CHECK(ctx.used() == 0);
    }
    {
        HookState hook;
        hook.throw_at = 2;
        ca::ExecContext ctx(ca::ExecContext::kUnlimited, CountingHook, &hook);
        ca::FavouriteItems f(ctx, false, false);
        ca::Line l;
        for (std::uint32_t i = 0; i < 50000; ++i) {
            l.customer = i % 7;
            f.Add(i, i % 101, l);
        }
        const auto customers = Identity(ctx, 7);
        const auto items = Identity(ctx, 101);
        CHECK(KindOf([&] {
                  RunFavourites(f, ca::FavouriteRanking::Orders, 3, customers, items);
              }) == ca::ErrorKind::Cancelled);
    }
}
