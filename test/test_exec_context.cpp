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
