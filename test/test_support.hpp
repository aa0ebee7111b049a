// Helpers shared by the Catch2 test files.
#pragma once

#include <catch2/catch.hpp>

#include "errors.hpp"

// The kind of the ca::Error that f() throws; fails the test when it throws none.
template <typename F>
ca::ErrorKind KindOf(F &&f) {
    try {
        f();
    } catch (const ca::Error &e) {
        return e.kind();
    }
    FAIL("no ca::Error was thrown");
    return ca::ErrorKind::Cancelled;  // not reached
}
