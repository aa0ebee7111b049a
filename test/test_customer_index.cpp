// Tests for src/core/customer_index.*: dense indices in order of first appearance for integer and
// byte-string ids, property tests against std::unordered_map on long random streams (enough
// distinct ids for several Grow() calls), Prefetch, and the memory accounting.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "customer_index.hpp"

namespace {

using Kind = ca::CustomerIndex::KeyKind;

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

// Plays `ids` through a fresh index and std::unordered_map side by side: the expected index of
// an id is the number of distinct ids seen before its first appearance.
template <typename Id>
void CheckStream(Kind kind, const std::vector<Id> &ids) {
    ca::ExecContext ctx;
    ca::CustomerIndex index(ctx, kind);
    CHECK(index.kind() == kind);
    std::unordered_map<Id, std::uint32_t> expected;
    std::vector<const Id *> first_seen;  // index -> id, from the reference
    first_seen.reserve(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const Id &id = ids[i];
        index.Prefetch(id);
        const std::uint32_t got = index.FindOrAdd(id);
        auto it = expected.find(id);
        if (it == expected.end()) {
            it = expected.emplace(id, static_cast<std::uint32_t>(expected.size())).first;
            first_seen.push_back(&id);
        }
        if (got != it->second) {
            INFO("call " << i << " of " << ids.size());
            REQUIRE(got == it->second);
        }
        if (index.size() != expected.size()) REQUIRE(index.size() == expected.size());
    }
    // Every id gives its index back, and the same index again on a second lookup (in another
    // order, with prefetches of the whole batch first as the glue does).
    REQUIRE(index.size() == expected.size());
    for (std::uint32_t k = 0; k < first_seen.size(); ++k) {
        if constexpr (std::is_same_v<Id, std::int64_t>) {
            if (index.IntegerId(k) != *first_seen[k]) REQUIRE(index.IntegerId(k) == *first_seen[k]);
        } else {
            if (index.BytesId(k) != *first_seen[k]) REQUIRE(index.BytesId(k) == *first_seen[k]);
        }
    }
    std::vector<const Id *> again(first_seen);
    std::mt19937_64 rng(99);
    std::shuffle(again.begin(), again.end(), rng);
    for (std::size_t start = 0; start < again.size(); start += 64) {
        const std::size_t end = std::min(again.size(), start + 64);
        for (std::size_t i = start; i < end; ++i) index.Prefetch(*again[i]);
        for (std::size_t i = start; i < end; ++i) {
            const std::uint32_t got = index.FindOrAdd(*again[i]);
            if (got != expected.at(*again[i])) REQUIRE(got == expected.at(*again[i]));
        }
    }
    CHECK(index.size() == expected.size());
}

}  // namespace

TEST_CASE("integer ids: dense indices in order of first appearance") {
    ca::ExecContext ctx;
    ca::CustomerIndex index(ctx, Kind::Integer);
    CHECK(index.kind() == Kind::Integer);
    CHECK(index.size() == 0u);
    // 42 -> 0, -7 -> 1, 42 again -> 0, 0 -> 2, INT64_MIN -> 3, INT64_MAX -> 4, -1 -> 5, -7 -> 1.
    CHECK(index.FindOrAdd(std::int64_t{42}) == 0u);
    CHECK(index.FindOrAdd(std::int64_t{-7}) == 1u);
    CHECK(index.FindOrAdd(std::int64_t{42}) == 0u);
    CHECK(index.size() == 2u);
    CHECK(index.FindOrAdd(std::int64_t{0}) == 2u);
    CHECK(index.FindOrAdd(kMin) == 3u);
    CHECK(index.FindOrAdd(kMax) == 4u);
    CHECK(index.FindOrAdd(std::int64_t{-1}) == 5u);
    CHECK(index.FindOrAdd(std::int64_t{-7}) == 1u);
    CHECK(index.FindOrAdd(kMin) == 3u);
    CHECK(index.size() == 6u);
    const std::int64_t ids[] = {42, -7, 0, kMin, kMax, -1};
    for (std::uint32_t k = 0; k < 6; ++k) CHECK(index.IntegerId(k) == ids[k]);
}

TEST_CASE("byte-string ids: dense indices, compared byte for byte") {
    ca::ExecContext ctx;
    ca::CustomerIndex index(ctx, Kind::Bytes);
    CHECK(index.kind() == Kind::Bytes);
    CHECK(index.size() == 0u);
    const std::string nul1("a\0b", 3), nul2("a\0c", 3), nul_only(1, '\0'), nul_two(2, '\0');
    // "alice" -> 0, "" -> 1, "a\0b" -> 2, "a\0c" -> 3 (differs after the NUL), "a" -> 4 (a prefix
    // of both, equal to neither), "\0" -> 5, "\0\0" -> 6 (neither equals "").
    CHECK(index.FindOrAdd(std::string_view("alice")) == 0u);
    CHECK(index.FindOrAdd(std::string_view("")) == 1u);
    CHECK(index.FindOrAdd(std::string_view(nul1)) == 2u);
    CHECK(index.FindOrAdd(std::string_view(nul2)) == 3u);
    CHECK(index.FindOrAdd(std::string_view("a")) == 4u);
    CHECK(index.FindOrAdd(std::string_view(nul_only)) == 5u);
    CHECK(index.FindOrAdd(std::string_view(nul_two)) == 6u);
    CHECK(index.size() == 7u);
    // Repeats, from different buffers than the first time.
    const std::string alice = "alice";
    CHECK(index.FindOrAdd(std::string_view(alice)) == 0u);
    CHECK(index.FindOrAdd(std::string_view(alice.data(), 0)) == 1u);  // any empty view
    CHECK(index.FindOrAdd(std::string_view(std::string("a\0b", 3))) == 2u);
    CHECK(index.FindOrAdd(std::string_view("alic")) == 7u);  // a prefix is another id
    CHECK(index.size() == 8u);

    CHECK(index.BytesId(0) == "alice");
    CHECK(index.BytesId(1).empty());
    CHECK(index.BytesId(2) == nul1);
    CHECK(index.BytesId(2).size() == 3u);
    CHECK(index.BytesId(3) == nul2);
    CHECK(index.BytesId(4) == "a");
    CHECK(index.BytesId(5) == nul_only);
    CHECK(index.BytesId(6) == nul_two);
    CHECK(index.BytesId(7) == "alic");
    // An id handed back by BytesId (a view into the index itself) finds itself.
    for (std::uint32_t k = 0; k < 8; ++k) CHECK(index.FindOrAdd(index.BytesId(k)) == k);
    CHECK(index.size() == 8u);
}

TEST_CASE("byte-string ids: FindOrAdd with the caller's hash is FindOrAdd") {
    // The orders reader hashes each text id once and hands the hash in; across growth of the
    // table (1024 slots at first) the indices must be those of the plain FindOrAdd.
    ca::ExecContext ctx;
    ca::CustomerIndex hashed(ctx, Kind::Bytes), plain(ctx, Kind::Bytes);
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 5000; ++i) {
            const std::string id = "customer-" + std::to_string((i * 7919) % 3000);
            hashed.PrefetchHash(ca::CustomerIndex::HashBytes(id));
            CHECK(hashed.FindOrAdd(id, ca::CustomerIndex::HashBytes(id)) == plain.FindOrAdd(id));
        }
    }
    CHECK(hashed.size() == 3000u);
}

TEST_CASE("Prefetch on an empty or full index, with ids never added, changes nothing") {
    ca::ExecContext ctx;
    ca::CustomerIndex ints(ctx, Kind::Integer);
    ca::CustomerIndex bytes(ctx, Kind::Bytes);
    const std::int64_t int_ids[] = {0, -1, 1, kMin, kMax, 123456789};
    for (std::int64_t id : int_ids) ints.Prefetch(id);
    bytes.Prefetch(std::string_view(""));
    bytes.Prefetch(std::string_view("x"));
    bytes.Prefetch(std::string_view(std::string(5000, 'q')));
    CHECK(ints.size() == 0u);
    CHECK(bytes.size() == 0u);
    CHECK(ints.FindOrAdd(std::int64_t{5}) == 0u);
    CHECK(bytes.FindOrAdd(std::string_view("y")) == 0u);
    for (std::int64_t id : int_ids) ints.Prefetch(id);
    CHECK(ints.size() == 1u);
    CHECK(ints.FindOrAdd(std::int64_t{5}) == 0u);
}

TEST_CASE("integer ids: random streams against std::unordered_map") {
    std::mt19937_64 rng(20240611);
    std::vector<std::int64_t> ids;
    // Small ranges (many repeats), then 200k distinct-ish ids from the whole range (several
    // Grow() calls: 1024 slots, grown at 70 % full, reach 2^19 slots), with the extremes and
    // small values mixed in throughout.
    std::uniform_int_distribution<std::int64_t> tiny(-20, 20), small(0, 2000);
    std::uniform_int_distribution<std::uint64_t> full;
    const std::int64_t specials[] = {kMin, kMax, 0, -1, 1, kMin + 1, kMax - 1};
    for (int i = 0; i < 20000; ++i) ids.push_back(i % 2 ? tiny(rng) : small(rng));
    for (int i = 0; i < 200000; ++i) {
        switch (rng() % 8) {
            case 0:
                ids.push_back(specials[rng() % 7]);
                break;
            case 1:
                ids.push_back(small(rng));
                break;
            case 2:  // a repeat of an earlier id
                ids.push_back(ids[rng() % ids.size()]);
                break;
            default:
                ids.push_back(static_cast<std::int64_t>(full(rng)));
                break;
        }
    }
    // Ids that differ only in high bits (the table's slot comes from the mixed id, not its low
    // bits), and consecutive ids.
    for (std::int64_t k = 0; k < 5000; ++k) {
        ids.push_back(static_cast<std::int64_t>(static_cast<std::uint64_t>(k) << 40));
        ids.push_back(1000000 + k);
    }
    CheckStream<std::int64_t>(Kind::Integer, ids);
}

TEST_CASE("byte-string ids: random streams against std::unordered_map") {
    std::mt19937_64 rng(777);
    std::vector<std::string> ids;
    // A 1 KB base string with NUL bytes inside.
    std::string base(1024, 'x');
    for (std::size_t i = 0; i < base.size(); ++i) base[i] = static_cast<char>(rng() % 256);
    base[17] = '\0';
    base[500] = '\0';
    // Every prefix of it, the empty string included: ids that are prefixes of each other.
    for (std::size_t len = 0; len <= base.size(); ++len) ids.push_back(base.substr(0, len));
    // 1 KB strings differing only in the last byte (all 256 values), and only in byte 1000.
    for (int b = 0; b < 256; ++b) {
        std::string s = base;
        s.back() = static_cast<char>(b);
        ids.push_back(s);
        s = base;
        s[1000] = static_cast<char>(b);
        ids.push_back(s);
    }
    // Short strings ending in, or made of, NUL bytes: "", "\0", "\0\0", ..., "ab\0", "ab\0\0".
    for (std::size_t n = 0; n <= 17; ++n) {
        ids.push_back(std::string(n, '\0'));
        ids.push_back("ab" + std::string(n, '\0'));
        ids.push_back(std::string(n, '\0') + "ab");
    }
    // 200k random short strings over a small alphabet that includes NUL (many distinct ones, and
    // many repeats for the shortest lengths), mixed with repeats of earlier ids.
    const char alphabet[] = {'\0', 'a', 'b', '\xff', '0', ' '};
    std::uniform_int_distribution<int> len(0, 20);
    for (int i = 0; i < 200000; ++i) {
        if (rng() % 5 == 0) {
            ids.push_back(ids[rng() % ids.size()]);
            continue;
        }
        std::string s(static_cast<std::size_t>(len(rng)), ' ');
        for (char &c : s) c = alphabet[rng() % sizeof alphabet];
        ids.push_back(std::move(s));
    }
    // The same once more, shuffled: all repeats.
    std::vector<std::string> tail(ids.begin(), ids.begin() + 3000);
    std::shuffle(tail.begin(), tail.end(), rng);
    ids.insert(ids.end(), tail.begin(), tail.end());
    CheckStream<std::string>(Kind::Bytes, ids);
}

TEST_CASE("every allocation of the index is charged to the ExecContext") {
    ca::ExecContext ctx;
    {
        ca::CustomerIndex index(ctx, Kind::Integer);
        CHECK(ctx.used() >= 1024 * 12u);  // the initial table: 1024 slots of 12+ bytes
        const std::size_t n = 100000;
        for (std::size_t i = 0; i < n; ++i) index.FindOrAdd(static_cast<std::int64_t>(i * 7919));
        REQUIRE(index.size() == n);
        // At least the ids (8 bytes each) and a table at most 70 % full (12+ bytes per slot).
        CHECK(ctx.used() >= n * 8 + (n * 10 / 7) * 12);
        CHECK(ctx.peak() >= ctx.used());
    }
    CHECK(ctx.used() == 0u);
    {
        ca::CustomerIndex index(ctx, Kind::Bytes);
        const std::size_t n = 3000;
        for (std::size_t i = 0; i < n; ++i)
            index.FindOrAdd(std::string_view(std::string(1000, 'a') + std::to_string(i)));
        REQUIRE(index.size() == n);
        // The id bytes themselves (1000+ each) and their offsets are charged.
        CHECK(ctx.used() >= n * 1000 + n * 8);
    }
    CHECK(ctx.used() == 0u);
}

TEST_CASE("under a small memory limit FindOrAdd throws MemoryLimit, keeping what was added") {
    for (Kind kind : {Kind::Integer, Kind::Bytes}) {
        INFO("kind " << static_cast<int>(kind));
        // Enough for the initial table (1024 slots) and some ids, not for the first Grow().
        ca::ExecContext ctx(40000);
        {
            ca::CustomerIndex index(ctx, kind);
            std::vector<std::string> texts;
            std::size_t added = 0;
            bool thrown = false;
            try {
                for (std::size_t i = 0; i < 100000; ++i) {
                    texts.push_back("customer-" + std::to_string(i));
                    const std::uint32_t k = kind == Kind::Integer
                                                ? index.FindOrAdd(static_cast<std::int64_t>(i))
                                                : index.FindOrAdd(std::string_view(texts.back()));
                    REQUIRE(k == i);
                    ++added;
                }
            } catch (const ca::Error &e) {
                thrown = true;
                CHECK(e.kind() == ca::ErrorKind::MemoryLimit);
            }
            REQUIRE(thrown);
            CHECK(added > 0u);
            CHECK(added < 1024u);  // at the latest, the first Grow() needs 2048 more slots
            CHECK(ctx.peak() <= 40000u);
            CHECK(index.size() == added);
            // Looking up ids already there allocates nothing and still works.
            for (std::size_t i = 0; i < added; ++i) {
                const std::uint32_t k = kind == Kind::Integer
                                            ? index.FindOrAdd(static_cast<std::int64_t>(i))
                                            : index.FindOrAdd(std::string_view(texts[i]));
                CHECK(k == i);
            }
            CHECK(index.size() == added);
        }
        CHECK(ctx.used() == 0u);
    }
    // A limit below the initial table: the constructor itself throws.
    ca::ExecContext tiny(1000);
    try {
        ca::CustomerIndex index(tiny, Kind::Integer);
        FAIL("no error");
    } catch (const ca::Error &e) {
        CHECK(e.kind() == ca::ErrorKind::MemoryLimit);
    }
    CHECK(tiny.used() == 0u);
}
