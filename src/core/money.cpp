#include "money.hpp"

#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

std::size_t FormatMoney(char (&out)[kMoneyTextMax], Money m, int decimals) noexcept {
    if (decimals < 0) decimals = 0;
    if (decimals > kMoneyScale) decimals = kMoneyScale;
    // Digits of |m| in reverse, at least kMoneyScale + 1 of them so that "0.05" has its zero.
    unsigned __int128 v =
        m < 0 ? static_cast<unsigned __int128>(-(m + 1)) + 1 : static_cast<unsigned __int128>(m);
    char digits[kMoneyTextMax];
    std::size_t n = 0;
    do {
        digits[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
        v /= 10;
    } while (v != 0 || n <= static_cast<std::size_t>(kMoneyScale));
    std::size_t len = 0;
    if (m < 0) out[len++] = '-';
    for (std::size_t i = n; i-- > static_cast<std::size_t>(kMoneyScale);) out[len++] = digits[i];
    if (decimals > 0) {
        out[len++] = '.';
        for (int k = 0; k < decimals; ++k) out[len++] = digits[kMoneyScale - 1 - k];
    }
    out[len] = '\0';
    return len;
}

int MoneyDecimals(Money m) noexcept {
    int decimals = kMoneyScale;
    while (decimals > 0 && m % 10 == 0) {
        m /= 10;
        --decimals;
    }
    return decimals;
}

}  // namespace ca
