#include "periods.hpp"

#include <algorithm>
#include <limits>

#include "errors.hpp"

#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

namespace {

// Hinnant's algorithms count days from 1970-01-01; 2000-01-01 is day 10957 of that count and day
// 719468 + 10957 after 0000-03-01, the origin of their eras.
constexpr std::int64_t kDaysFrom0000_03_01To2000_01_01 = 719468 + 10957;
// 2000-01-03, the first Monday on or after day 0: week index 0 starts there.
constexpr std::int64_t kMondayEpoch = 2;

constexpr std::int64_t FloorDiv(std::int64_t a, std::int64_t b) noexcept {
    return a / b - (a % b != 0 && (a % b < 0) != (b < 0));
}

constexpr std::int64_t FloorMod(std::int64_t a, std::int64_t b) noexcept {
    return a - FloorDiv(a, b) * b;
}

// The range of valid timestamps in days and in months (year * 12 + month - 1): its first day is
// 4714-11-24 BC (year -4713), its last 294276-12-31. As both ends are midnights, a timestamp
// day * kUsecsPerDay + time_of_day (0 <= time_of_day < kUsecsPerDay) is valid exactly when its
// day is.
constexpr std::int64_t kMinTimestampDay = kMinTimestamp / kUsecsPerDay;
constexpr std::int64_t kEndTimestampDay = kEndTimestamp / kUsecsPerDay;
static_assert(kMinTimestampDay * kUsecsPerDay == kMinTimestamp, "the range starts at midnight");
static_assert(kEndTimestampDay * kUsecsPerDay == kEndTimestamp, "the range ends at midnight");
constexpr std::int64_t kMinTimestampMonth = -4713 * 12 + (11 - 1);
constexpr std::int64_t kMaxTimestampMonth = 294276 * 12 + (12 - 1);

constexpr std::int64_t kNegativeInfinity = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kInfinity = std::numeric_limits<std::int64_t>::max();

// Days in month m (1..12) of year y (astronomical: 0 is 1 BC, a leap year).
unsigned MonthLength(std::int64_t y, unsigned m) noexcept {
    static constexpr unsigned kLength[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    return m == 2 && leap ? 29 : kLength[m - 1];
}

}  // namespace

Period ParsePeriod(const std::string &name) {
    if (name == "day") return Period::Day;
    if (name == "week") return Period::Week;
    if (name == "month") return Period::Month;
    if (name == "quarter") return Period::Quarter;
    if (name == "year") return Period::Year;
    throw InvalidParameter("unknown period \"" + name + "\"", {},
                           "Valid periods are day, week, month, quarter and year.");
}

const char *PeriodName(Period p) noexcept {
    switch (p) {
        case Period::Day:
            return "day";
        case Period::Week:
            return "week";
        case Period::Month:
            return "month";
        case Period::Quarter:
            return "quarter";
        case Period::Year:
            return "year";
    }
    return "unknown";  // not a Period value
}

// days_from_civil: years run March to February so that the leap day is the last of its year; an
// era is 400 years = 146097 days.
std::int32_t DaysFromCivil(int y, unsigned m, unsigned d) noexcept {
    const std::int64_t year = static_cast<std::int64_t>(y) - (m <= 2 ? 1 : 0);
    const std::int64_t mp = m > 2 ? std::int64_t{m} - 3 : std::int64_t{m} + 9;  // March = 0
    const std::int64_t era = FloorDiv(year, 400);
    const std::int64_t yoe = year - era * 400;                          // [0, 399]
    const std::int64_t doy = (153 * mp + 2) / 5 + std::int64_t{d} - 1;  // [0, 365]
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;     // [0, 146096]
    return static_cast<std::int32_t>(era * 146097 + doe - kDaysFrom0000_03_01To2000_01_01);
}

// civil_from_days, the inverse.
void CivilFromDays(std::int32_t days, int &y, unsigned &m, unsigned &d) noexcept {
    const std::int64_t z = static_cast<std::int64_t>(days) + kDaysFrom0000_03_01To2000_01_01;
    const std::int64_t era = FloorDiv(z, 146097);
    const std::int64_t doe = z - era * 146097;                                       // [0, 146096]
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
    const std::int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
    d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);                         // [1, 31]
    m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);                            // [1, 12]
    y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
}

int Weekday(std::int32_t days) noexcept {
    // Day 0 is a Saturday: (0 + 5) mod 7 + 1 = 6.
    return static_cast<int>(FloorMod(static_cast<std::int64_t>(days) + 5, 7)) + 1;
}

std::int32_t DayOf(std::int64_t usecs) noexcept {
    // |INT64_MIN| / 86,400,000,000 is about 1.07e8: always fits.
    return static_cast<std::int32_t>(FloorDiv(usecs, kUsecsPerDay));
}

// PostgreSQL's timestamp_mi_interval negates the interval and calls timestamp_pl_interval, which
// takes three steps, each followed by a range check: the months (via the civil date), the days
// (via the Julian day), the microseconds. The same steps here, in 64 bits where no negation or
// sum can overflow; a check that fails returns the infinity on that side.
std::int64_t SubtractIntervalSaturating(std::int64_t local_usecs, std::int32_t months,
                                        std::int32_t days, std::int64_t usecs) noexcept {
    if (local_usecs == kNegativeInfinity || local_usecs == kInfinity) return local_usecs;
    std::int64_t t = local_usecs;

    if (months != 0) {
        const std::int64_t day = DayOf(t);
        const std::int64_t time_of_day = t - day * kUsecsPerDay;
        int y;
        unsigned m, d;
        CivilFromDays(static_cast<std::int32_t>(day), y, m, d);
        // |t| < 2^63 us is under 300,000 years, so this sum is far from overflowing.
        const std::int64_t month = std::int64_t{y} * 12 + (m - 1) - std::int64_t{months};
        if (month < kMinTimestampMonth) return kNegativeInfinity;
        if (month > kMaxTimestampMonth) return kInfinity;
        const std::int64_t new_y = FloorDiv(month, 12);
        const unsigned new_m = static_cast<unsigned>(FloorMod(month, 12)) + 1;
        const unsigned new_d = std::min(d, MonthLength(new_y, new_m));
        const std::int64_t new_day = DaysFromCivil(static_cast<int>(new_y), new_m, new_d);
        // Within the valid months only November 4714 BC has invalid days, all before the 24th.
        if (new_day < kMinTimestampDay) return kNegativeInfinity;
        t = new_day * kUsecsPerDay + time_of_day;
    }

    if (days != 0) {
        const std::int64_t day = DayOf(t);
        const std::int64_t time_of_day = t - day * kUsecsPerDay;
        const std::int64_t new_day = day - std::int64_t{days};
        if (new_day < kMinTimestampDay) return kNegativeInfinity;
        if (new_day >= kEndTimestampDay) return kInfinity;
        t = new_day * kUsecsPerDay + time_of_day;
    }

    // -INT64_MIN does not exist; PostgreSQL refuses to negate such an interval.
    if (usecs == kNegativeInfinity) return kInfinity;
    // t - usecs leaves int64 exactly when it lies far outside the range: below INT64_MIN for
    // usecs >= 0, above INT64_MAX for usecs < 0. Neither bound computed here overflows.
    if (usecs >= 0 && t < kNegativeInfinity + usecs) return kNegativeInfinity;
    if (usecs < 0 && t > kInfinity + usecs) return kInfinity;
    t -= usecs;
    if (t < kMinTimestamp) return kNegativeInfinity;
    if (t >= kEndTimestamp) return kInfinity;
    return t;
}

std::int32_t PeriodStart(Period p, std::int32_t day) noexcept {
    switch (p) {
        case Period::Day:
            return day;
        case Period::Week:
            return static_cast<std::int32_t>(day - (Weekday(day) - 1));
        case Period::Month:
        case Period::Quarter:
        case Period::Year: {
            int y;
            unsigned m, d;
            CivilFromDays(day, y, m, d);
            if (p == Period::Year) return DaysFromCivil(y, 1, 1);
            if (p == Period::Quarter) return DaysFromCivil(y, (m - 1) / 3 * 3 + 1, 1);
            return static_cast<std::int32_t>(day - static_cast<std::int32_t>(d - 1));
        }
    }
    return day;  // not a Period value
}

std::int32_t NextPeriodStart(Period p, std::int32_t period_start) noexcept {
    return PeriodStartFromIndex(p, PeriodIndex(p, period_start) + 1);
}

std::int64_t PeriodIndex(Period p, std::int32_t day) noexcept {
    switch (p) {
        case Period::Day:
            return day;
        case Period::Week:
            return FloorDiv(static_cast<std::int64_t>(day) - kMondayEpoch, 7);
        case Period::Month:
        case Period::Quarter:
        case Period::Year: {
            int y;
            unsigned m, d;
            CivilFromDays(day, y, m, d);
            if (p == Period::Year) return y;
            if (p == Period::Quarter) return static_cast<std::int64_t>(y) * 4 + (m - 1) / 3;
            return static_cast<std::int64_t>(y) * 12 + (m - 1);
        }
    }
    return day;  // not a Period value
}

std::int32_t PeriodStartFromIndex(Period p, std::int64_t index) noexcept {
    switch (p) {
        case Period::Day:
            return static_cast<std::int32_t>(index);
        case Period::Week:
            return static_cast<std::int32_t>(kMondayEpoch + 7 * index);
        case Period::Month:
            return DaysFromCivil(static_cast<int>(FloorDiv(index, 12)),
                                 static_cast<unsigned>(FloorMod(index, 12)) + 1, 1);
        case Period::Quarter:
            return DaysFromCivil(static_cast<int>(FloorDiv(index, 4)),
                                 static_cast<unsigned>(FloorMod(index, 4)) * 3 + 1, 1);
        case Period::Year:
            return DaysFromCivil(static_cast<int>(index), 1, 1);
    }
    return static_cast<std::int32_t>(index);  // not a Period value
}

void IsoWeek(std::int32_t day, int &iso_year, int &week) noexcept {
    // The Thursday of the day's week decides: its year is the ISO year, and week 1 is the week of
    // that year's first Thursday.
    const std::int32_t thursday = static_cast<std::int32_t>(day - Weekday(day) + 4);
    unsigned m, d;
    CivilFromDays(thursday, iso_year, m, d);
    week = (thursday - DaysFromCivil(iso_year, 1, 1)) / 7 + 1;
}

}  // namespace ca
