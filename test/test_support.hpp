// Helpers shared by the Catch2 test files: error kinds, an interrupt hook that cancels at a chosen
// call, and the shared data files read from $CA_DATA_DIR or ../shared/data.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#ifdef CA_HAVE_ZLIB
#include <zlib.h>
#endif

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

struct HookState {
    int calls = 0;
    int throw_at = -1;
};

inline void CountingHook(void *arg) {
    auto *h = static_cast<HookState *>(arg);
    if (++h->calls == h->throw_at)
        throw ca::Error(ca::ErrorKind::Cancelled, "canceling statement due to user request");
}

inline std::string DataDir() {
    if (const char *dir = std::getenv("CA_DATA_DIR"); dir != nullptr && *dir != '\0') return dir;
    return std::string(CA_SOURCE_DIR) + "/../shared/data";
}

// The decompressed text of a .gz file; false when it cannot be read.
inline bool ReadGzip(const std::string &path, std::string &text) {
    if (!std::ifstream(path).good()) return false;
#ifdef CA_HAVE_ZLIB
    gzFile f = gzopen(path.c_str(), "rb");
    if (f == nullptr) return false;
    char buf[1 << 16];
    int got;
    while ((got = gzread(f, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(got));
    const bool ok = got == 0;
    gzclose(f);
    return ok;
#else
    FILE *p = popen(("gzip -dc '" + path + "'").c_str(), "r");
    if (p == nullptr) return false;
    char buf[1 << 16];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, got);
    return pclose(p) == 0;
#endif
}

// A shared data file's text; false, with a visible SKIP message, when it is not there.
inline bool ReadDataFile(const std::string &name, std::string &text) {
    const std::string path = DataDir() + "/" + name;
    if (ReadGzip(path, text)) return true;
    WARN("SKIP: " << path << " not found (set CA_DATA_DIR to the shared data folder)");
    return false;
}
