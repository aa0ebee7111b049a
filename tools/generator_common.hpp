// What the data generators (tools/generate_orders.cpp, tools/simulate_bgnbd.cpp) share: the
// random number generator and the calendar. Both must give the same bytes for the same
// arguments everywhere, so nothing here depends on the standard library's algorithms.
#ifndef CA_TOOLS_GENERATOR_COMMON_HPP
#define CA_TOOLS_GENERATOR_COMMON_HPP

#include <cstdint>
#include <cstring>

namespace ca_tools {

inline std::uint64_t SplitMix64(std::uint64_t &state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

inline std::uint64_t Rotl(std::uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

// xoshiro256** (Blackman and Vigna), its state filled by splitmix64 from one 64-bit value.
class Xoshiro256 {
  public:
    explicit Xoshiro256(std::uint64_t h) {
        for (std::uint64_t &w : s_) w = SplitMix64(h);
    }
    std::uint64_t Next() {
        const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = Rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, n), n > 0, without modulo bias.
    std::uint64_t Below(std::uint64_t n) {
        const std::uint64_t threshold = (0 - n) % n;
        for (;;) {
            const std::uint64_t r = Next();
            if (r >= threshold) return r % n;
        }
    }

  private:
    std::uint64_t s_[4];
};

// --- Calendar (proleptic Gregorian, days since 1970-01-01; H. Hinnant's algorithms).

inline std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
    std::int64_t y;
    unsigned m, d;
};
inline Civil CivilFromDays(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

inline int Weekday(std::int64_t days) {  // 0 = Sunday; 1970-01-01 was a Thursday
    const std::int64_t w = (days + 4) % 7;
    return static_cast<int>(w < 0 ? w + 7 : w);
}

// A YYYY-MM-DD date (year 1 or later) as days since 1970-01-01; false when it is not one.
inline bool ParseDate(const char *s, std::int64_t &days) {
    if (std::strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (s[i] < '0' || s[i] > '9') return false;
    const int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    const unsigned m = static_cast<unsigned>((s[5] - '0') * 10 + (s[6] - '0'));
    const unsigned d = static_cast<unsigned>((s[8] - '0') * 10 + (s[9] - '0'));
    if (y < 1 || m < 1 || m > 12 || d < 1) return false;
    static const unsigned kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > kDays[m - 1] || (m == 2 && d == 29 && !leap)) return false;
    days = DaysFromCivil(y, m, d);
    return true;
}

}  // namespace ca_tools

#endif  // CA_TOOLS_GENERATOR_COMMON_HPP
