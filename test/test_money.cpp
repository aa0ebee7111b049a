// Tests for src/core/money.*: FormatMoney on hand-worked texts and round trips through an exact
// parser written here, MoneyDecimals against its definition, MoneyToDouble's order, MoneyFromInt.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "money.hpp"

namespace {

using ca::Money;
using U128 = unsigned __int128;

constexpr Money kMoneyMax = static_cast<Money>(~U128{0} >> 1);  // 2^127 - 1
constexpr Money kMoneyMin = -kMoneyMax - 1;                     // -2^127

Money Pow10(int n) {
    Money p = 1;
    for (int i = 0; i < n; ++i) p *= 10;
    return p;
}

std::string Format(Money m, int decimals) {
    char out[ca::kMoneyTextMax];
    std::memset(out, '#', sizeof out);
    const std::size_t len = ca::FormatMoney(out, m, decimals);
    REQUIRE(len < ca::kMoneyTextMax);
    REQUIRE(out[len] == '\0');
    REQUIRE(std::strlen(out) == len);
    return std::string(out, len);
}

// Exact parser for the canonical text FormatMoney writes: an optional '-', an integer part
// without leading zeros ("0" alone allowed), and optionally '.' with 1..8 digits. Returns false
// for anything else or a value outside Money's range.
bool ParseMoney(const std::string &s, Money &value, int &decimals) {
    std::size_t i = 0;
    const bool negative = i < s.size() && s[i] == '-';
    if (negative) ++i;
    const std::size_t int_start = i;
    U128 magnitude = 0;
    const U128 limit = static_cast<U128>(1) << 127;  // |INT128_MIN|
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (magnitude > limit / 10) return false;
        magnitude = magnitude * 10 + static_cast<unsigned>(s[i] - '0');
        ++i;
    }
    const std::size_t int_digits = i - int_start;
    if (int_digits == 0) return false;
    if (int_digits > 1 && s[int_start] == '0') return false;  // leading zero
    decimals = 0;
    U128 fraction = 0;
    if (i < s.size()) {
        if (s[i] != '.') return false;
        ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            fraction = fraction * 10 + static_cast<unsigned>(s[i] - '0');
            ++decimals;
            ++i;
        }
        if (decimals == 0 || decimals > ca::kMoneyScale || i != s.size()) return false;
    }
    for (int k = 0; k < ca::kMoneyScale; ++k) {
        if (magnitude > limit / 10) return false;
        magnitude *= 10;
    }
    for (int k = decimals; k < ca::kMoneyScale; ++k) fraction *= 10;
    magnitude += fraction;
    if (magnitude > limit || (!negative && magnitude == limit)) return false;
    value = negative ? static_cast<Money>(U128{0} - magnitude) : static_cast<Money>(magnitude);
    return true;
}

// Random Money of every magnitude: a random bit length, a random sign, and often some trailing
// decimal digits zeroed so that every decimals count 0..8 comes up.
Money RandomMoney(std::mt19937_64 &rng) {
    const int bits = static_cast<int>(rng() % 128);
    U128 magnitude = (static_cast<U128>(rng()) << 64) | rng();
    magnitude = bits == 0 ? 0 : magnitude >> (128 - bits);
    Money m = static_cast<Money>(magnitude);  // < 2^127
    if (rng() % 2) m = -m;
    if (rng() % 2) {
        const Money p = Pow10(static_cast<int>(rng() % 11));
        m = m / p * p;
    }
    return m;
}

}  // namespace

TEST_CASE("FormatMoney: hand-worked texts") {
    CHECK(Format(0, 0) == "0");
    CHECK(Format(0, 2) == "0.00");
    CHECK(Format(0, 8) == "0.00000000");
    CHECK(Format(852 * Pow10(8), 0) == "852");  // 852
    CHECK(Format(852 * Pow10(8), 2) == "852.00");
    CHECK(Format(123450000000, 2) == "1234.50");  // 1234.5 = 123450000000e-8
    CHECK(Format(123450000000, 1) == "1234.5");
    CHECK(Format(-5000000, 2) == "-0.05");  // -0.05 = -5000000e-8
    CHECK(Format(1, 8) == "0.00000001");    // 1e-8
    CHECK(Format(-1, 8) == "-0.00000001");
    CHECK(Format(100000000, 0) == "1");
    CHECK(Format(-100000000, 0) == "-1");
    CHECK(Format(-100000000, 3) == "-1.000");
    CHECK(Format(12345678, 8) == "0.12345678");
    CHECK(Format(-225000000, 2) == "-2.25");
    // 99999999999999999999999999999.99999999 = 10^37 - 1 units: 29 nines, '.', 8 nines.
    CHECK(Format(Pow10(37) - 1, 8) == "99999999999999999999999999999.99999999");
    CHECK(Format(-(Pow10(37) - 1), 8) == "-99999999999999999999999999999.99999999");
    CHECK(Format(Pow10(37), 0) == "100000000000000000000000000000");  // 10^29
    // INT64 range: as whole amounts, and as raw counts of 1e-8 units.
    const std::int64_t i64max = std::numeric_limits<std::int64_t>::max();
    const std::int64_t i64min = std::numeric_limits<std::int64_t>::min();
    CHECK(Format(ca::MoneyFromInt(i64max), 0) == "9223372036854775807");
    CHECK(Format(ca::MoneyFromInt(i64min), 0) == "-9223372036854775808");
    CHECK(Format(ca::MoneyFromInt(i64min), 2) == "-9223372036854775808.00");
    CHECK(Format(i64max, 8) == "92233720368.54775807");
    CHECK(Format(i64min, 8) == "-92233720368.54775808");
    // The int128 extremes: 2^127 - 1 = 170141183460469231731687303715884105727.
    CHECK(Format(kMoneyMax, 8) == "1701411834604692317316873037158.84105727");
    CHECK(Format(kMoneyMin, 8) == "-1701411834604692317316873037158.84105728");
    // Digits beyond `decimals` are dropped (callers pass at least as many as the value has).
    CHECK(Format(123900000, 2) == "1.23");  // 1.239
    CHECK(Format(199999999, 0) == "1");     // 1.99999999
}

TEST_CASE("FormatMoney: powers of ten, every position of the decimal point") {
    for (int k = 0; k <= 38; ++k) {
        // 10^k units: "1" and k zeros, padded on the left to at least 9 digits, '.' before the
        // last 8.
        std::string digits = "1" + std::string(static_cast<std::size_t>(k), '0');
        if (digits.size() < 9) digits.insert(0, 9 - digits.size(), '0');
        const std::string expected =
            digits.substr(0, digits.size() - 8) + "." + digits.substr(digits.size() - 8);
        INFO("10^" << k);
        CHECK(Format(Pow10(k), 8) == expected);
        CHECK(Format(-Pow10(k), 8) == "-" + expected);
    }
}

TEST_CASE("MoneyDecimals: hand cases") {
    CHECK(ca::MoneyDecimals(0) == 0);
    CHECK(ca::MoneyDecimals(150000000) == 1);  // 1.5
    CHECK(ca::MoneyDecimals(1) == 8);          // 0.00000001
    CHECK(ca::MoneyDecimals(-1) == 8);
    CHECK(ca::MoneyDecimals(Pow10(10)) == 0);     // 100
    CHECK(ca::MoneyDecimals(-225000000) == 2);    // -2.25
    CHECK(ca::MoneyDecimals(-5000000) == 2);      // -0.05
    CHECK(ca::MoneyDecimals(123450000000) == 1);  // 1234.5
    CHECK(ca::MoneyDecimals(10) == 7);            // 0.0000001
    CHECK(ca::MoneyDecimals(kMoneyMax) == 8);     // ...105727
    CHECK(ca::MoneyDecimals(kMoneyMin) == 8);     // ...105728
    CHECK(ca::MoneyDecimals(Pow10(38)) == 0);
    CHECK(ca::MoneyDecimals(-Pow10(38)) == 0);
}

TEST_CASE("FormatMoney and MoneyDecimals: random values round-trip exactly") {
    std::mt19937_64 rng(4242);
    std::vector<Money> values = {
        0,        1,         -1,        kMoneyMax, kMoneyMin, kMoneyMax - 1, kMoneyMin + 1,
        Pow10(8), -Pow10(8), Pow10(38), -Pow10(38)};
    for (int i = 0; i < 30000; ++i) values.push_back(RandomMoney(rng));
    int seen[ca::kMoneyScale + 1] = {};
    for (Money m : values) {
        const int d = ca::MoneyDecimals(m);
        REQUIRE(d >= 0);
        REQUIRE(d <= ca::kMoneyScale);
        ++seen[d];
        // Definition: the fewest decimals that show m exactly.
        REQUIRE(m % Pow10(ca::kMoneyScale - d) == 0);
        if (d > 0) REQUIRE(m % Pow10(ca::kMoneyScale - d + 1) != 0);
        // With d decimals, and with any more, the text parses back to m.
        for (int shown = d; shown <= ca::kMoneyScale; ++shown) {
            const std::string text = Format(m, shown);
            Money back = 0;
            int back_decimals = -1;
            const bool ok = ParseMoney(text, back, back_decimals);
            if (!ok || back != m || back_decimals != shown) {
                INFO("text " << text << ", decimals " << shown);
                REQUIRE(ok);
                REQUIRE(back == m);
                REQUIRE(back_decimals == shown);
            }
        }
        if (m != 0) REQUIRE(Format(m, d) != "0");
    }
    CHECK(Format(0, ca::MoneyDecimals(0)) == "0");                    // never "-0"
    for (int d = 0; d <= ca::kMoneyScale; ++d) CHECK(seen[d] > 100);  // every count came up
}

TEST_CASE("MoneyToDouble keeps the order of sorted values") {
    std::mt19937_64 rng(31337);
    std::vector<Money> values = {0, 1, -1, 2, -2, kMoneyMax, kMoneyMin, Pow10(8), -Pow10(8)};
    for (int i = 0; i < 20000; ++i) {
        const Money m = RandomMoney(rng);
        values.push_back(m);
        // Close neighbours, where doubles round to equal values.
        if (m < kMoneyMax - 3) values.push_back(m + 1 + static_cast<Money>(rng() % 3));
    }
    std::sort(values.begin(), values.end());
    for (std::size_t i = 1; i < values.size(); ++i) {
        const double a = ca::MoneyToDouble(values[i - 1]);
        const double b = ca::MoneyToDouble(values[i]);
        if (!(a <= b)) {
            INFO("at " << i << ": " << Format(values[i - 1], 8) << " -> " << a << ", "
                       << Format(values[i], 8) << " -> " << b);
            REQUIRE(a <= b);
        }
    }
    // Exact where the decimal value is a double's nearest neighbour.
    CHECK(ca::MoneyToDouble(0) == 0.0);
    CHECK(ca::MoneyToDouble(852 * Pow10(8)) == 852.0);
    CHECK(ca::MoneyToDouble(123450000000) == 1234.5);
    CHECK(ca::MoneyToDouble(-5000000) == -0.05);
    CHECK(ca::MoneyToDouble(1) == 1e-8);
    CHECK(ca::MoneyToDouble(Pow10(37) - 1) == Approx(1e29));
    CHECK(ca::MoneyToDouble(kMoneyMin) == Approx(-1.7014118346046923e30));
}

TEST_CASE("MoneyFromInt: whole amounts in 1e-8 units") {
    CHECK(ca::MoneyFromInt(0) == 0);
    CHECK(ca::MoneyFromInt(1) == 100000000);
    CHECK(ca::MoneyFromInt(-1) == -100000000);
    CHECK(ca::MoneyFromInt(852) == Money{85200000000});
    const std::int64_t i64max = std::numeric_limits<std::int64_t>::max();
    const std::int64_t i64min = std::numeric_limits<std::int64_t>::min();
    // No int64 overflow on the way: the product is taken in 128 bits.
    CHECK(ca::MoneyFromInt(i64max) / ca::kMoneyUnit == i64max);
    CHECK(ca::MoneyFromInt(i64max) % ca::kMoneyUnit == 0);
    CHECK(ca::MoneyFromInt(i64min) / ca::kMoneyUnit == i64min);
    CHECK(ca::MoneyFromInt(i64min) < 0);
    CHECK(ca::MoneyDecimals(ca::MoneyFromInt(i64min)) == 0);
    std::mt19937_64 rng(5);
    for (int i = 0; i < 1000; ++i) {
        const auto v = static_cast<std::int64_t>(rng());
        const Money m = ca::MoneyFromInt(v);
        REQUIRE(m / ca::kMoneyUnit == v);
        REQUIRE(m % ca::kMoneyUnit == 0);
        REQUIRE(Format(m, 0) == std::to_string(v));
    }
}
