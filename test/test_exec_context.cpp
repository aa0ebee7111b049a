#include <catch2/catch.hpp>

#include "exec_context.hpp"

TEST_CASE("a charge above the limit throws a memory-limit error and records nothing") {
    ca::ExecContext ctx(1000);
    ctx.Charge(600);
    try {
        ctx.Charge(500);
        FAIL("no error");
    } catch (const ca::Error &e) {
        CHECK(e.kind() == ca::ErrorKind::MemoryLimit);
        CHECK(!e.hint().empty());
    }
    CHECK(ctx.used() == 600);
    ctx.Release(600);
    CHECK(ctx.used() == 0);
    CHECK(ctx.peak() == 600);
}

// ---- Everything below: interrupt hook, budget accounting, BudgetVector, and how ScoreRfm behaves
// under cancellation and a memory limit. ----

#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "rfm.hpp"

namespace {

struct HookState {
    int calls = 0;
    int throw_at = -1;  // throw a Cancelled error on this call (1-based); -1 never
};

void CountingHook(void *arg) {
    auto *h = static_cast<HookState *>(arg);
    ++h->calls;
    if (h->calls == h->throw_at)
        throw ca::Error(ca::ErrorKind::Cancelled, "canceling statement due to user request");
}

struct ForeignCancel {};  // the caller's own cancellation exception, not a ca::Error

void ForeignHook(void *) {
    throw ForeignCancel{};
}

std::size_t BytesHeld(const ca::RfmScores &out) {
    return out.r.capacity() + out.f.capacity() + out.m.capacity() +
           out.segment.capacity() * sizeof(std::int16_t);
}

// 100k customers with plenty of ties, deterministic.
struct BigInput {
    std::vector<double> r, f, m;
    explicit BigInput(std::size_t n) : r(n), f(n), m(n) {
        std::mt19937_64 rng(12345);
        std::uniform_int_distribution<int> days(0, 730), orders(1, 40), cents(100, 500000);
        for (std::size_t i = 0; i < n; ++i) {
            r[i] = days(rng);
            f[i] = orders(rng);
            m[i] = cents(rng) / 100.0;
        }
    }
    std::size_t size() const { return r.size(); }
};

const BigInput &Big() {
    static const BigInput input(100000);
    return input;
}

ca::RfmOptions OptionsFor(ca::RfmMethod method) {
    ca::RfmOptions o;
    o.method = method;
    o.bins = 5;
    o.r_breaks = {30, 90, 180, 365};
    o.f_breaks = {2, 5, 10, 20};
    o.m_breaks = {100, 500, 1000, 2500};
    return o;
}

const ca::RfmMethod kMethods[] = {ca::RfmMethod::Quantile, ca::RfmMethod::Ntile,
                                  ca::RfmMethod::RRfm, ca::RfmMethod::Fixed};

}  // namespace

TEST_CASE("Tick calls the hook once every kTickInterval ticks") {
    HookState h;
    ca::ExecContext ctx(ca::ExecContext::kUnlimited, CountingHook, &h);
    const std::uint32_t interval = ca::ExecContext::kTickInterval;
    for (std::uint32_t i = 1; i < interval; ++i) ctx.Tick();
    CHECK(h.calls == 0);  // not before the interval-th tick
    ctx.Tick();
    CHECK(h.calls == 1);  // exactly on it
    for (std::uint32_t i = 0; i < 10 * interval - 1; ++i) ctx.Tick();
    CHECK(h.calls == 10);
    ctx.Tick();
    CHECK(h.calls == 11);
    // CheckInterrupts calls it every time and does not disturb the tick phase.
    ctx.CheckInterrupts();
    ctx.CheckInterrupts();
    CHECK(h.calls == 13);
    for (std::uint32_t i = 0; i < interval - 1; ++i) ctx.Tick();
    CHECK(h.calls == 13);
    ctx.Tick();
    CHECK(h.calls == 14);
}

TEST_CASE("no hook: Tick and CheckInterrupts do nothing") {
    ca::ExecContext ctx;
    for (std::uint32_t i = 0; i < 3 * ca::ExecContext::kTickInterval; ++i) ctx.Tick();
    ctx.CheckInterrupts();
    CHECK(ctx.used() == 0u);
    CHECK(ctx.limit() == ca::ExecContext::kUnlimited);
}

TEST_CASE("a throwing hook propagates out of Tick") {
    HookState h;
    h.throw_at = 1;
    ca::ExecContext ctx(ca::ExecContext::kUnlimited, CountingHook, &h);
    bool thrown = false;
    try {
        for (std::uint32_t i = 0; i < 2 * ca::ExecContext::kTickInterval; ++i) ctx.Tick();
    } catch (const ca::Error &e) {
        thrown = true;
        CHECK(e.kind() == ca::ErrorKind::Cancelled);
    }
    CHECK(thrown);
    CHECK(h.calls == 1);
}

TEST_CASE("Charge and Release accounting") {
    ca::ExecContext ctx(1000);
    CHECK(ctx.limit() == 1000u);
    ctx.Charge(0);
    ctx.Charge(1000);  // exactly the limit is allowed
    CHECK(ctx.used() == 1000u);
    CHECK_THROWS_AS(ctx.Charge(1), ca::Error);
    CHECK(ctx.used() == 1000u);
    ctx.Release(400);
    CHECK(ctx.used() == 600u);
    ctx.Charge(400);
    CHECK(ctx.used() == 1000u);
    CHECK(ctx.peak() == 1000u);
    ctx.Release(5000);  // releasing more than is used clamps at zero
    CHECK(ctx.used() == 0u);
    CHECK(ctx.peak() == 1000u);

    // A charge larger than the limit itself, and sizes near SIZE_MAX, do not overflow.
    CHECK_THROWS_AS(ctx.Charge(1001), ca::Error);
    CHECK_THROWS_AS(ctx.Charge(std::numeric_limits<std::size_t>::max()), ca::Error);
    CHECK(ctx.used() == 0u);
    ca::ExecContext unlimited;
    unlimited.Charge(std::numeric_limits<std::size_t>::max() - 10);
    unlimited.Charge(10);
    CHECK(unlimited.used() == std::numeric_limits<std::size_t>::max());
    CHECK_THROWS_AS(unlimited.Charge(1), ca::Error);
    CHECK(unlimited.used() == std::numeric_limits<std::size_t>::max());

    // The error names the limit in its detail.
    ca::ExecContext small(2 * 1024 * 1024);
    try {
        small.Charge(3 * 1024 * 1024);
        FAIL("no error");
    } catch (const ca::Error &e) {
        CHECK(e.kind() == ca::ErrorKind::MemoryLimit);
        CHECK(e.detail().find("2.0 MB") != std::string::npos);
        CHECK(e.detail().find("3.0 MB") != std::string::npos);
    }
}

TEST_CASE("BudgetVector growth is charged and released") {
    ca::ExecContext ctx;
    {
        auto v = ca::MakeBudgetVector<std::int64_t>(ctx);
        for (int i = 0; i < 1000; ++i) {
            v.push_back(i);
            REQUIRE(ctx.used() == v.capacity() * sizeof(std::int64_t));
        }
        CHECK(ctx.peak() >= 1000 * sizeof(std::int64_t));
        auto copy = v;  // the copy shares the context and is charged too
        CHECK(copy.get_allocator() == v.get_allocator());
        CHECK(ctx.used() == (v.capacity() + copy.capacity()) * sizeof(std::int64_t));
        v.clear();
        v.shrink_to_fit();
        CHECK(ctx.used() == copy.capacity() * sizeof(std::int64_t));
    }
    CHECK(ctx.used() == 0u);

    ca::ExecContext other;
    CHECK(ca::BudgetAllocator<int>(ctx) != ca::BudgetAllocator<double>(other));
    CHECK(ca::BudgetAllocator<int>(ctx) == ca::BudgetAllocator<double>(ctx));
}

TEST_CASE("BudgetVector over a tiny limit throws MemoryLimit and keeps its contents") {
    ca::ExecContext ctx(100);
    auto v = ca::MakeBudgetVector<std::int32_t>(ctx);
    bool thrown = false;
    try {
        for (int i = 0; i < 1000; ++i) v.push_back(i);
    } catch (const ca::Error &e) {
        thrown = true;
        CHECK(e.kind() == ca::ErrorKind::MemoryLimit);
    }
    REQUIRE(thrown);
    CHECK(ctx.used() == v.capacity() * sizeof(std::int32_t));
    CHECK(ctx.peak() <= 100u);
    for (std::size_t i = 0; i < v.size(); ++i) CHECK(v[i] == static_cast<std::int32_t>(i));
    v.clear();
    v.shrink_to_fit();
    CHECK(ctx.used() == 0u);
    CHECK_THROWS_AS(v.reserve(26), ca::Error);  // 104 bytes > 100
    CHECK(ctx.used() == 0u);
}

TEST_CASE("ScoreRfm on 100k customers: charges only what it returns / calls the hook") {
    const BigInput &in = Big();
    for (ca::RfmMethod method : kMethods) {
        INFO("method " << static_cast<int>(method));
        HookState h;
        ca::ExecContext ctx(ca::ExecContext::kUnlimited, CountingHook, &h);
        ctx.Charge(777);  // something already in use by the caller
        {
            ca::RfmScores out(ctx);
            ca::ScoreRfm(ctx, OptionsFor(method), in.r.data(), in.f.data(), in.m.data(), in.size(),
                         out);
            CHECK(out.r.size() == in.size());
            // Three passes over the input for validation alone tick 300k times.
            CHECK(h.calls >= static_cast<int>(3 * in.size() / ca::ExecContext::kTickInterval));
            CHECK(ctx.used() == 777 + BytesHeld(out));
            // Temporaries (sort order, sorted copy) were charged while they lived.
            if (method != ca::RfmMethod::Fixed) CHECK(ctx.peak() > ctx.used());
        }
        CHECK(ctx.used() == 777u);
    }
}

TEST_CASE("cancellation propagates out of ScoreRfm and leaks no charge") {
    const BigInput &in = Big();
    for (ca::RfmMethod method : kMethods) {
        // How many times does a full run call the hook?
        HookState count;
        {
            ca::ExecContext ctx(ca::ExecContext::kUnlimited, CountingHook, &count);
            ca::RfmScores out(ctx);
            ca::ScoreRfm(ctx, OptionsFor(method), in.r.data(), in.f.data(), in.m.data(), in.size(),
                         out);
        }
        const int total = count.calls;
        REQUIRE(total > 10);
        // Cancel at points spread over the whole run: validation, each dimension, segments.
        std::vector<int> points = {
            1, 2, total / 5, total / 3, total / 2, 2 * total / 3, 4 * total / 5, total - 1, total};
        for (int k : points) {
            INFO("method " << static_cast<int>(method) << ", cancel at hook call " << k << " of "
                           << total);
            HookState h;
            h.throw_at = k;
            ca::ExecContext ctx(ca::ExecContext::kUnlimited, CountingHook, &h);
            ctx.Charge(4096);
            const std::size_t before = ctx.used();
            {
                ca::RfmScores out(ctx);
                bool cancelled = false;
                try {
                    ca::ScoreRfm(ctx, OptionsFor(method), in.r.data(), in.f.data(), in.m.data(),
                                 in.size(), out);
                } catch (const ca::Error &e) {
                    cancelled = e.kind() == ca::ErrorKind::Cancelled;
                }
                CHECK(cancelled);
                CHECK(h.calls == k);  // stopped right there
                // Only the caller-owned outputs may still hold memory; no temporary leaked.
                CHECK(ctx.used() == before + BytesHeld(out));
            }
            CHECK(ctx.used() == before);
        }
    }
}

TEST_CASE("a foreign exception from the hook propagates out of ScoreRfm too") {
    const BigInput &in = Big();
    for (ca::RfmMethod method : kMethods) {
        ca::ExecContext ctx(ca::ExecContext::kUnlimited, ForeignHook, nullptr);
        {
            ca::RfmScores out(ctx);
            CHECK_THROWS_AS(ca::ScoreRfm(ctx, OptionsFor(method), in.r.data(), in.f.data(),
                                         in.m.data(), in.size(), out),
                            ForeignCancel);
        }
        CHECK(ctx.used() == 0u);
    }
}

TEST_CASE("ScoreRfm under a memory limit throws MemoryLimit and leaks no charge") {
    const BigInput &in = Big();
    const std::size_t n = in.size();
    // Outputs need 5 bytes per customer (r, f, m, and a 2-byte segment); the worst-to-best order
    // 4 more, r_rfm's sorted copy 8 more. Try limits that fail at each stage.
    const std::size_t limits[] = {64, n, 3 * n, 5 * n - 1, 5 * n + n};
    for (ca::RfmMethod method : kMethods) {
        for (std::size_t limit : limits) {
            if (method == ca::RfmMethod::Fixed && limit >= 5 * n)
                continue;  // fixed needs no temporaries
            INFO("method " << static_cast<int>(method) << ", limit " << limit);
            ca::ExecContext ctx(limit);
            {
                ca::RfmScores out(ctx);
                bool over = false;
                try {
                    ca::ScoreRfm(ctx, OptionsFor(method), in.r.data(), in.f.data(), in.m.data(), n,
                                 out);
                } catch (const ca::Error &e) {
                    over = e.kind() == ca::ErrorKind::MemoryLimit;
                }
                CHECK(over);
                CHECK(ctx.peak() <= limit);
                CHECK(ctx.used() == BytesHeld(out));
            }
            CHECK(ctx.used() == 0u);
        }
        // A generous limit succeeds, and the peak stays under it.
        ca::ExecContext ctx(64 * n);
        ca::RfmScores out(ctx);
        CHECK_NOTHROW(
            ca::ScoreRfm(ctx, OptionsFor(method), in.r.data(), in.f.data(), in.m.data(), n, out));
        CHECK(ctx.peak() <= 64 * n);
    }
}
