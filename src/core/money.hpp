// Exact amounts: a signed 128-bit count of 1e-8 units. Sums of money stay exact (cents, or any
// amount with up to 8 decimal places) where a double would drift, and they are exactly as
// PostgreSQL's numeric sum when the inputs have no more than 8 decimals.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ca {

__extension__ typedef __int128 Money;

constexpr int kMoneyScale = 8;               // decimal places held
constexpr std::int64_t kMoneyUnit = 100000000;  // 10^kMoneyScale

inline Money MoneyFromInt(std::int64_t v) { return static_cast<Money>(v) * kMoneyUnit; }

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
