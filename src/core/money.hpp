// Exact amounts: a signed 128-bit count of 1e-8 units. Sums of money stay exact (cents, or any
// amount with up to 8 decimal places) where a double would drift, and they are exactly as
// PostgreSQL's numeric sum when the inputs have no more than 8 decimals.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ca {

__extension__ typedef __int128 Money;

constexpr int kMoneyScale = 8;                  // decimal places held
constexpr std::int64_t kMoneyUnit = 100000000;  // 10^kMoneyScale

inline Money MoneyFromInt(std::int64_t v) {
    return static_cast<Money>(v) * kMoneyUnit;
}

// Money stored as two 64-bit halves, for structs that must not need 16-byte alignment (palloc'd
// aggregate states, compact per-customer states).
struct PackedMoney {
    std::uint64_t low = 0;
    std::int64_t high = 0;
    Money get() const {
        return static_cast<Money>((static_cast<unsigned __int128>(high) << 64) | low);
    }
    void set(Money m) {
        low = static_cast<std::uint64_t>(m);
        high = static_cast<std::int64_t>(m >> 64);
    }
};

// a + b into out; false (out untouched) when the sum leaves Money's range.
inline bool AddMoney(Money a, Money b, Money &out) {
    Money sum;
    if (__builtin_add_overflow(a, b, &sum)) return false;
    out = sum;
    return true;
}

// Nearest double (for ranking; equal Money gives equal doubles, order is kept).
inline double MoneyToDouble(Money m) {
    return static_cast<double>(m) / static_cast<double>(kMoneyUnit);
}

// Writes m with `decimals` decimal places (0..8, digits beyond are dropped: callers pass at least
// as many as the value has) into out; returns the length. out needs kMoneyTextMax bytes.
constexpr std::size_t kMoneyTextMax = 48;
std::size_t FormatMoney(char (&out)[kMoneyTextMax], Money m, int decimals) noexcept;

// Fewest decimal places (0..8) that show m exactly.
int MoneyDecimals(Money m) noexcept;

}  // namespace ca
