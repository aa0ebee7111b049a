// Tests for src/core/periods.*: hand-worked dates (leap days, month and year ends, ISO weeks
// across years, days before 2000), a day-by-day walk over 1600-2400 against a brute-force calendar
// written here (a day counter and a month-length table, independent of periods.cpp), the 400-year
// cycle out to years -4000..100000 and beyond, and ParsePeriod's errors.
// SubtractIntervalSaturating: hand-worked cases, cases computed by PostgreSQL 15, and random ones
// against a brute force.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "errors.hpp"
#include "periods.hpp"

namespace {

using ca::Period;

constexpr Period kPeriods[] = {Period::Day, Period::Week, Period::Month, Period::Quarter,
                               Period::Year};
constexpr std::int32_t kDaysPer400Years = 146097;  // 400 * 365 + 97 leap days; 7 * 20871

struct Ymd {
    int y;
    unsigned m, d;
    bool operator==(const Ymd &o) const { return y == o.y && m == o.m && d == o.d; }
};

std::ostream &operator<<(std::ostream &os, const Ymd &c) {
    return os << c.y << '-' << c.m << '-' << c.d;
}

Ymd Civil(std::int32_t day) {
    Ymd c{};
    ca::CivilFromDays(day, c.y, c.m, c.d);
    return c;
}

struct Iso {
    int year, week;
    bool operator==(const Iso &o) const { return year == o.year && week == o.week; }
};

std::ostream &operator<<(std::ostream &os, const Iso &w) {
    return os << w.year << "-W" << w.week;
}

Iso IsoOf(std::int32_t day) {
    Iso w{};
    ca::IsoWeek(day, w.year, w.week);
    return w;
}

std::int32_t D(int y, unsigned m, unsigned d) {
    return ca::DaysFromCivil(y, m, d);
}

// ---- Brute-force calendar, written from the rules ---------------------------------------------

bool BruteLeap(int y) {  // any year: C++'s % keeps the sign, which is no matter against 0
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned BruteMonthLength(int y, unsigned m) {
    static const unsigned kLength[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && BruteLeap(y) ? 29 : kLength[m - 1];
}

// Does `p` start a new period on the date y-m-d (Monday for Week)?
bool BruteStartsPeriod(Period p, unsigned m, unsigned d, int weekday) {
    switch (p) {
        case Period::Day:
            return true;
        case Period::Week:
            return weekday == 1;
        case Period::Month:
            return d == 1;
        case Period::Quarter:
            return d == 1 && (m == 1 || m == 4 || m == 7 || m == 10);
        case Period::Year:
            return d == 1 && m == 1;
    }
    return false;
}

// The index the header documents, from the brute-force date (Week is checked through its anchor
// and its steps of 1 instead).
std::int64_t BruteIndex(Period p, std::int32_t day, int y, unsigned m) {
    switch (p) {
        case Period::Day:
            return day;
        case Period::Month:
            return std::int64_t{y} * 12 + (m - 1);
        case Period::Quarter:
            return std::int64_t{y} * 4 + (m - 1) / 3;
        case Period::Year:
            return y;
        case Period::Week:
            break;
    }
    return ca::PeriodIndex(p, day);
}

// Catch2 assertions are too slow for the million checks of the walk: evaluate cheaply, and only
// on a failure go through CHECK (which then shows the values) with the date in INFO.
#define CHECK_AT(...)                                  \
    do {                                               \
        if (!(__VA_ARGS__)) {                          \
            INFO("at day " << day << ", " << where()); \
            CHECK(__VA_ARGS__);                        \
        }                                              \
    } while (false)

}  // namespace

// ---- Hand-worked cases ------------------------------------------------------------------------

TEST_CASE("civil days: the epoch, leap days and days before 2000") {
    // 2000-01-01 is day 0, a Saturday.
    CHECK(D(2000, 1, 1) == 0);
    CHECK(Civil(0) == Ymd{2000, 1, 1});
    CHECK(ca::Weekday(0) == 6);
    CHECK(ca::Weekday(1) == 7);  // 2000-01-02, Sunday
    CHECK(ca::Weekday(2) == 1);  // 2000-01-03, Monday
    // 1999-12-31 is day -1, a Friday.
    CHECK(D(1999, 12, 31) == -1);
    CHECK(Civil(-1) == Ymd{1999, 12, 31});
    CHECK(ca::Weekday(-1) == 5);
    CHECK(ca::Weekday(-7) == 6);  // 1999-12-25, a Saturday like day 0

    // 2024-01-01: 2000..2023 are 24 years with 6 leap years (2000, 04, 08, 12, 16, 20), so
    // 24 * 365 + 6 = 8766. 2024-02-29 = 8766 + 31 + 28 = 8825, a Thursday (8825 = 7 * 1260 + 5, and
    // five days after a Saturday is a Thursday); 2024-03-01 is the next day.
    CHECK(D(2024, 1, 1) == 8766);
    CHECK(D(2024, 2, 29) == 8825);
    CHECK(Civil(8825) == Ymd{2024, 2, 29});
    CHECK(Civil(8826) == Ymd{2024, 3, 1});
    CHECK(ca::Weekday(8825) == 4);
    // 2023 is no leap year: Feb 28 is followed by Mar 1. 2023-01-01 = 8766 - 365 = 8401,
    // 2023-02-28 = 8401 + 31 + 27 = 8459.
    CHECK(D(2023, 2, 28) == 8459);
    CHECK(Civil(8460) == Ymd{2023, 3, 1});

    // 1900-01-01: 1900..1999 are 100 years with 24 leap years (1904..1996; 1900 is not one), so
    // -(100 * 365 + 24) = -36524. 1900-03-01 = -36524 + 31 + 28 = -36465; the day before is Feb 28.
    CHECK(D(1900, 1, 1) == -36524);
    CHECK(D(1900, 3, 1) == -36465);
    CHECK(Civil(-36466) == Ymd{1900, 2, 28});
    CHECK(ca::Weekday(-36524) == 1);  // 1900-01-01 was a Monday
    // 1600-01-01: 400 years before 2000 = -146097 days, a whole number of weeks: a Saturday too.
    // 1600 is a leap year (divisible by 400): 1600-02-29 = -146097 + 31 + 28 = -146038, a Tuesday.
    CHECK(D(1600, 1, 1) == -146097);
    CHECK(ca::Weekday(-146097) == 6);
    CHECK(D(1600, 2, 29) == -146038);
    CHECK(Civil(-146038) == Ymd{1600, 2, 29});
    CHECK(ca::Weekday(-146038) == 2);
    // Year 0 (1 BC) is a leap year and is 2000 years = 5 * 146097 days before 2000.
    CHECK(D(0, 1, 1) == -5 * kDaysPer400Years);
    CHECK(Civil(D(0, 2, 29)) == Ymd{0, 2, 29});
    CHECK(Civil(D(0, 1, 1) - 1) == Ymd{-1, 12, 31});
}

TEST_CASE("DayOf rounds microseconds down to days, before 2000 too") {
    constexpr std::int64_t kDay = 86400000000LL;
    CHECK(ca::kUsecsPerDay == kDay);
    CHECK(ca::DayOf(0) == 0);
    CHECK(ca::DayOf(kDay - 1) == 0);  // 2000-01-01 23:59:59.999999
    CHECK(ca::DayOf(kDay) == 1);
    CHECK(ca::DayOf(-1) == -1);  // 1999-12-31 23:59:59.999999
    CHECK(ca::DayOf(-kDay) == -1);
    CHECK(ca::DayOf(-kDay - 1) == -2);
    // 2024-02-29 12:00 local.
    CHECK(ca::DayOf(8825 * kDay + kDay / 2) == 8825);
    // The extremes of int64: floor(9223372036854775807 / 86400000000) = 106751991 and
    // floor(-9223372036854775808 / 86400000000) = -106751992.
    CHECK(ca::DayOf(std::numeric_limits<std::int64_t>::max()) == 106751991);
    CHECK(ca::DayOf(std::numeric_limits<std::int64_t>::min()) == -106751992);
}

TEST_CASE("PeriodStart and NextPeriodStart at month, quarter and year ends") {
    // Jan 31 -> Feb 1.
    CHECK(ca::PeriodStart(Period::Month, D(2023, 1, 31)) == D(2023, 1, 1));
    CHECK(ca::NextPeriodStart(Period::Month, D(2023, 1, 1)) == D(2023, 2, 1));
    // Dec 31 -> next year, for months, quarters and years alike.
    CHECK(ca::NextPeriodStart(Period::Month, D(2023, 12, 1)) == D(2024, 1, 1));
    CHECK(ca::NextPeriodStart(Period::Quarter, D(2023, 10, 1)) == D(2024, 1, 1));
    CHECK(ca::NextPeriodStart(Period::Year, D(2023, 1, 1)) == D(2024, 1, 1));
    CHECK(ca::PeriodStart(Period::Year, D(2023, 12, 31)) == D(2023, 1, 1));
    // Leap days: 2024-02-29 is in the month from Feb 1, the quarter and the year from Jan 1, and
    // the month after it starts Mar 1 (29 days after Feb 1; in 2023 it was 28).
    CHECK(ca::PeriodStart(Period::Month, D(2024, 2, 29)) == D(2024, 2, 1));
    CHECK(ca::PeriodStart(Period::Quarter, D(2024, 2, 29)) == D(2024, 1, 1));
    CHECK(ca::PeriodStart(Period::Year, D(2024, 2, 29)) == D(2024, 1, 1));
    CHECK(ca::NextPeriodStart(Period::Month, D(2024, 2, 1)) == D(2024, 2, 1) + 29);
    CHECK(ca::NextPeriodStart(Period::Month, D(2023, 2, 1)) == D(2023, 2, 1) + 28);
    CHECK(ca::PeriodStart(Period::Month, D(1600, 2, 29)) == D(1600, 2, 1));
    CHECK(ca::PeriodStart(Period::Quarter, D(1600, 2, 29)) == -146097);  // 1600-01-01
    // Quarter of 2024-05-15 starts 2024-04-01 = 8766 + 31 + 29 + 31 = 8857; the next one Jul 1.
    CHECK(ca::PeriodStart(Period::Quarter, D(2024, 5, 15)) == 8857);
    CHECK(Civil(8857) == Ymd{2024, 4, 1});
    CHECK(ca::NextPeriodStart(Period::Quarter, 8857) == D(2024, 7, 1));
    // Week: 2021-01-03 is a Sunday, its week started Monday 2020-12-28 (day 7667) and the next
    // starts 2021-01-04.
    CHECK(ca::PeriodStart(Period::Week, D(2021, 1, 3)) == D(2020, 12, 28));
    CHECK(D(2020, 12, 28) == 7667);
    CHECK(ca::NextPeriodStart(Period::Week, 7667) == D(2021, 1, 4));
    // Week across 2000: day 0 (Saturday) is in the week of Monday 1999-12-27 = day -5.
    CHECK(ca::PeriodStart(Period::Week, 0) == -5);
    CHECK(ca::PeriodStart(Period::Week, 2) == 2);
    // Day is the day itself.
    CHECK(ca::PeriodStart(Period::Day, -36465) == -36465);
    CHECK(ca::NextPeriodStart(Period::Day, -1) == 0);
    // NextPeriodStart also accepts a day inside the period.
    CHECK(ca::NextPeriodStart(Period::Month, D(2024, 2, 29)) == D(2024, 3, 1));
    CHECK(ca::NextPeriodStart(Period::Week, D(2021, 1, 3)) == D(2021, 1, 4));
    // Before 2000.
    CHECK(ca::PeriodStart(Period::Month, D(1900, 3, 1)) == -36465);
    CHECK(ca::NextPeriodStart(Period::Month, D(1900, 2, 1)) == -36465);  // 1900: February of 28
    CHECK(ca::PeriodStart(Period::Year, -1) == D(1999, 1, 1));
    CHECK(ca::NextPeriodStart(Period::Quarter, -1) == 0);
}

TEST_CASE("PeriodIndex, PeriodStartFromIndex and PeriodOffset") {
    // Month: 2024-02-29 -> 2024 * 12 + 1 = 24289; Quarter of 2024-05-15 -> 2024 * 4 + 1 = 8097.
    CHECK(ca::PeriodIndex(Period::Month, D(2024, 2, 29)) == 24289);
    CHECK(ca::PeriodStartFromIndex(Period::Month, 24289) == D(2024, 2, 1));
    CHECK(ca::PeriodIndex(Period::Quarter, D(2024, 5, 15)) == 8097);
    CHECK(ca::PeriodStartFromIndex(Period::Quarter, 8097) == D(2024, 4, 1));
    CHECK(ca::PeriodIndex(Period::Year, D(1999, 12, 31)) == 1999);
    CHECK(ca::PeriodStartFromIndex(Period::Year, 1999) == D(1999, 1, 1));
    CHECK(ca::PeriodIndex(Period::Day, -36465) == -36465);
    // Week 0 is the one starting Monday 2000-01-03 (day 2); day 0 is in week -1 (from day -5).
    CHECK(ca::PeriodIndex(Period::Week, 2) == 0);
    CHECK(ca::PeriodIndex(Period::Week, 8) == 0);  // Sunday 2000-01-09
    CHECK(ca::PeriodIndex(Period::Week, 9) == 1);
    CHECK(ca::PeriodIndex(Period::Week, 1) == -1);
    CHECK(ca::PeriodIndex(Period::Week, -5) == -1);
    CHECK(ca::PeriodIndex(Period::Week, -6) == -2);
    CHECK(ca::PeriodStartFromIndex(Period::Week, -1) == -5);
    // Month indices before year 0 are negative: -1 is December of year -1.
    CHECK(ca::PeriodIndex(Period::Month, D(-1, 12, 31)) == -1);
    CHECK(ca::PeriodStartFromIndex(Period::Month, -1) == D(-1, 12, 1));
    CHECK(ca::PeriodStartFromIndex(Period::Quarter, -1) == D(-1, 10, 1));

    // Offsets count period boundaries crossed, not days.
    CHECK(ca::PeriodOffset(Period::Month, D(2024, 1, 31), D(2024, 2, 1)) == 1);
    CHECK(ca::PeriodOffset(Period::Month, D(2024, 2, 1), D(2024, 2, 29)) == 0);
    CHECK(ca::PeriodOffset(Period::Month, D(2023, 1, 31), D(2024, 2, 29)) == 13);
    CHECK(ca::PeriodOffset(Period::Month, D(2024, 3, 1), D(2024, 2, 29)) == -1);
    CHECK(ca::PeriodOffset(Period::Year, D(2023, 12, 31), D(2024, 1, 1)) == 1);
    CHECK(ca::PeriodOffset(Period::Quarter, D(2023, 12, 31), D(2024, 5, 15)) == 2);
    CHECK(ca::PeriodOffset(Period::Week, D(2021, 1, 3), D(2021, 1, 4)) == 1);  // Sunday, Monday
    CHECK(ca::PeriodOffset(Period::Week, D(2020, 12, 28), D(2021, 1, 3)) == 0);
    CHECK(ca::PeriodOffset(Period::Day, D(1999, 12, 31), D(2024, 2, 29)) == 8826);
}

TEST_CASE("ISO weeks across years") {
    // 2020 began on a Wednesday and is a leap year, so it has 53 weeks: Thursday 2020-12-31 is
    // in W53, and so are Friday 2021-01-01 .. Sunday 2021-01-03; Monday 2021-01-04 starts W01.
    CHECK(IsoOf(D(2020, 12, 31)) == Iso{2020, 53});
    CHECK(IsoOf(D(2021, 1, 1)) == Iso{2020, 53});
    CHECK(IsoOf(D(2021, 1, 3)) == Iso{2020, 53});
    CHECK(IsoOf(D(2021, 1, 4)) == Iso{2021, 1});
    // Monday 2024-12-30: its Thursday is 2025-01-02, so it is 2025-W01.
    CHECK(IsoOf(D(2024, 12, 30)) == Iso{2025, 1});
    CHECK(IsoOf(D(2024, 12, 29)) == Iso{2024, 52});
    // Monday 2008-12-29 is 2009-W01; 2009 began on a Thursday, so it has 53 weeks and Sunday
    // 2010-01-03 ends 2009-W53.
    CHECK(IsoOf(D(2008, 12, 29)) == Iso{2009, 1});
    CHECK(IsoOf(D(2010, 1, 3)) == Iso{2009, 53});
    CHECK(IsoOf(D(2010, 1, 4)) == Iso{2010, 1});
    // 2000-01-01 (Saturday) belongs to 1999-W52; Monday 2000-01-03 starts 2000-W01.
    CHECK(IsoOf(0) == Iso{1999, 52});
    CHECK(IsoOf(2) == Iso{2000, 1});
    // Leap day 2024-02-29: Jan 1 2024 was a Monday, so it is day 59 of W01's count: 59 / 7 + 1 = 9.
    CHECK(IsoOf(D(2024, 2, 29)) == Iso{2024, 9});
    // Monday 1900-01-01 starts 1900-W01.
    CHECK(IsoOf(-36524) == Iso{1900, 1});
    CHECK(IsoOf(-36525) == Iso{1899, 52});
}

TEST_CASE("ParsePeriod and PeriodName") {
    for (Period p : kPeriods) CHECK(ca::ParsePeriod(ca::PeriodName(p)) == p);
    CHECK(ca::ParsePeriod("day") == Period::Day);
    CHECK(ca::ParsePeriod("week") == Period::Week);
    CHECK(ca::ParsePeriod("month") == Period::Month);
    CHECK(ca::ParsePeriod("quarter") == Period::Quarter);
    CHECK(ca::ParsePeriod("year") == Period::Year);
    for (const char *bad : {"Month", "", "weeks", "iso_week", "YEAR", " day", "day "}) {
        INFO(bad);
        CHECK(KindOf([&] { ca::ParsePeriod(bad); }) == ca::ErrorKind::InvalidParameter);
    }
    try {
        ca::ParsePeriod("iso_week");
        FAIL("no ca::Error was thrown");
    } catch (const ca::Error &e) {
        CHECK(std::string(e.what()) == "unknown period \"iso_week\"");
        CHECK(e.hint() == "Valid periods are day, week, month, quarter and year.");
        for (Period p : kPeriods) CHECK(e.hint().find(ca::PeriodName(p)) != std::string::npos);
    }
}

// ---- Property tests ---------------------------------------------------------------------------

TEST_CASE("every day of 1600-2400 against a brute-force calendar") {
    // The walk starts on Monday 1600-01-03: 1600-01-01 is 400 years = 146097 days (a whole number
    // of weeks) before Saturday 2000-01-01, so it is a Saturday too and Jan 3 a Monday, the one
    // that starts 1600-W01 (its week holds Jan 4). The day number is computed here from the
    // month-length table; the walk re-checks the anchors on its way (2000-01-01 must come out as
    // day 0, a Saturday).
    std::int32_t day = 2;
    for (int y = 1600; y < 2000; ++y)
        for (unsigned m = 1; m <= 12; ++m) day -= static_cast<std::int32_t>(BruteMonthLength(y, m));
    int y = 1600;
    unsigned m = 1, d = 3;
    int weekday = 1;
    Iso iso{1600, 1};
    std::int32_t start[5] = {day, day, day - 2, day - 2,
                             day - 2};  // Day, Week, Month, Quarter, Year
    std::int64_t index[5];
    for (int i = 0; i < 5; ++i) index[i] = ca::PeriodIndex(kPeriods[i], day);
    std::vector<int> jan1_weekday(802, 0);  // of years 1600..2401; 1600-01-01 was a Saturday
    jan1_weekday[0] = 6;
    int weeks_53 = 0, weeks_52 = 0;
    bool saw_day_0 = false;
    const std::int32_t first_day = day;

    auto where = [&] {
        std::ostringstream os;
        os << Ymd{y, m, d} << ", weekday " << weekday;
        return os.str();
    };

    while (y <= 2400) {
        if (day != first_day) {
            // Advance the brute-force date.
            weekday = weekday % 7 + 1;
            if (++d > BruteMonthLength(y, m)) {
                d = 1;
                if (++m > 12) {
                    m = 1;
                    ++y;
                }
            }
            if (y > 2400) break;
            if (m == 1 && d == 1) jan1_weekday[static_cast<std::size_t>(y - 1600)] = weekday;
        }

        // Civil conversions both ways, and the weekday.
        CHECK_AT(Civil(day) == Ymd{y, m, d});
        CHECK_AT(ca::DaysFromCivil(y, m, d) == day);
        CHECK_AT(ca::Weekday(day) == weekday);
        if (day == 0) {
            saw_day_0 = true;
            CHECK_AT(Ymd{y, m, d} == Ymd{2000, 1, 1});
            CHECK_AT(weekday == 6);
        }
        // Timestamps on this day, first and last microsecond.
        CHECK_AT(ca::DayOf(day * ca::kUsecsPerDay) == day);
        CHECK_AT(ca::DayOf(day * ca::kUsecsPerDay + ca::kUsecsPerDay - 1) == day);

        // Periods: a new one begins exactly when the brute-force rule says so, its index is the
        // previous one + 1, and the previous period's NextPeriodStart is today.
        for (int i = 0; i < 5; ++i) {
            const Period p = kPeriods[i];
            const std::int64_t idx = ca::PeriodIndex(p, day);
            if (day != first_day) {
                if (BruteStartsPeriod(p, m, d, weekday)) {
                    CHECK_AT(idx == index[i] + 1);
                    CHECK_AT(ca::NextPeriodStart(p, start[i]) == day);
                    CHECK_AT(ca::NextPeriodStart(p, day - 1) == day);
                    start[i] = day;
                } else {
                    CHECK_AT(idx == index[i]);
                }
            }
            index[i] = idx;
            CHECK_AT(ca::PeriodStart(p, day) == start[i]);
            CHECK_AT(ca::PeriodStartFromIndex(p, idx) == start[i]);
            CHECK_AT(idx == BruteIndex(p, day, y, m));
            CHECK_AT(ca::PeriodOffset(p, start[i], day) == 0);
        }

        // ISO weeks: on a Monday the week number goes up by one, except in the week holding
        // Jan 4 (its Monday falls on Dec 29 .. Jan 4), which is week 1. The week closing a year is
        // 53 exactly when that ISO year began on a Thursday, or on a Wednesday in a leap year.
        if (day != first_day && weekday == 1) {
            if ((m == 12 && d >= 29) || (m == 1 && d <= 4)) {
                const int ended = iso.year;
                const int jan1 = jan1_weekday[static_cast<std::size_t>(ended - 1600)];
                const int weeks = jan1 == 4 || (jan1 == 3 && BruteLeap(ended)) ? 53 : 52;
                CHECK_AT(iso.week == weeks);
                ++(weeks == 53 ? weeks_53 : weeks_52);
                iso = Iso{m == 12 ? y + 1 : y, 1};
            } else {
                ++iso.week;
            }
        }
        CHECK_AT(IsoOf(day) == iso);

        ++day;
    }
    CHECK(saw_day_0);
    CHECK(Ymd{y, m, d} == Ymd{2401, 1, 1});
    CHECK(day == D(2401, 1, 1));
    // 800 ISO years ended in the walk; a 400-year cycle has 71 long ones.
    CHECK(weeks_52 + weeks_53 == 800);
    CHECK(weeks_53 == 2 * 71);
}

TEST_CASE("the 400-year cycle carries the calendar to years -4000..100000 and beyond") {
    // 146097 days are exactly 400 Gregorian years and 20871 weeks, so shifting a day by k cycles
    // shifts its year (and ISO year) by 400 k and keeps month, day, weekday and ISO week. The walk
    // above covers a whole cycle, so this extends its checks to any day in range.
    std::mt19937_64 rng(20240229);
    const std::int32_t base = D(1600, 1, 1);
    auto check = [&](std::int32_t day) {
        const std::int64_t offset = static_cast<std::int64_t>(day) - base;
        const std::int64_t k =  // floor(offset / kDaysPer400Years)
            offset >= 0 ? offset / kDaysPer400Years : -((-offset - 1) / kDaysPer400Years) - 1;
        const std::int32_t ref = static_cast<std::int32_t>(day - k * kDaysPer400Years);
        auto where = [&] {
            std::ostringstream os;
            os << "ref " << ref << ", k " << k;
            return os.str();
        };
        CHECK_AT((ref >= base && ref < base + kDaysPer400Years));
        const int shift = static_cast<int>(400 * k);
        const Ymd c = Civil(day), rc = Civil(ref);
        CHECK_AT(c == Ymd{rc.y + shift, rc.m, rc.d});
        CHECK_AT(ca::DaysFromCivil(c.y, c.m, c.d) == day);
        CHECK_AT(ca::Weekday(day) == ca::Weekday(ref));
        const Iso w = IsoOf(day), rw = IsoOf(ref);
        CHECK_AT(w == Iso{rw.year + shift, rw.week});
        for (Period p : kPeriods) {
            const std::int32_t s = ca::PeriodStart(p, day);
            const std::int32_t next = ca::NextPeriodStart(p, s);
            CHECK_AT(s - ca::PeriodStart(p, ref) == day - ref);
            CHECK_AT(next - ca::NextPeriodStart(p, ca::PeriodStart(p, ref)) == day - ref);
            CHECK_AT((s <= day && day < next));
            const std::int64_t idx = ca::PeriodIndex(p, day);
            CHECK_AT(ca::PeriodStartFromIndex(p, idx) == s);
            CHECK_AT(ca::PeriodIndex(p, next) == idx + 1);
            CHECK_AT(ca::PeriodIndex(p, s - 1) == idx - 1);
        }
    };

    // The documented range of the retention analytics: years -4000..100000.
    std::uniform_int_distribution<std::int32_t> documented(D(-4000, 1, 1), D(100000, 12, 31));
    for (int i = 0; i < 20000; ++i) check(documented(rng));
    // The header's promise: years -5,000,000..5,000,000 and all of PostgreSQL's dates.
    std::uniform_int_distribution<std::int32_t> wide(D(-5000000, 1, 1), D(5874897, 12, 31));
    for (int i = 0; i < 20000; ++i) check(wide(rng));
    // The ends of those ranges exactly. PostgreSQL's dates run from 4714-11-24 BC (year -4713) to
    // 5874897-12-31, its timestamps to 294276-12-31.
    for (std::int32_t day :
         {D(-4000, 1, 1), D(100000, 12, 31), D(-5000000, 1, 1), D(5000000, 12, 31),
          D(-4713, 11, 24), D(294276, 12, 31), D(5874897, 12, 31)})
        check(day);
    CHECK(Civil(D(-4713, 11, 24)) == (Ymd{-4713, 11, 24}));
    CHECK(Civil(D(5874897, 12, 31)) == (Ymd{5874897, 12, 31}));
    CHECK(Civil(D(-5000000, 1, 1)) == (Ymd{-5000000, 1, 1}));
}

// ---- SubtractIntervalSaturating -----------------------------------------------------------------

namespace {

constexpr std::int64_t kNegInf = std::numeric_limits<std::int64_t>::min();  // -infinity
constexpr std::int64_t kInf = std::numeric_limits<std::int64_t>::max();     // infinity
constexpr std::int64_t kDay = ca::kUsecsPerDay;
constexpr std::int64_t kHour = 3600000000LL;

// A local timestamp: y-m-d at `usecs` past midnight.
std::int64_t Ts(int y, unsigned m, unsigned d, std::int64_t usecs = 0) {
    return std::int64_t{D(y, m, d)} * kDay + usecs;
}

std::int64_t Sub(std::int64_t t, std::int32_t months, std::int32_t days, std::int64_t usecs) {
    return ca::SubtractIntervalSaturating(t, months, days, usecs);
}

// Brute force: PostgreSQL's three steps written down plainly, in 128-bit integers where nothing
// overflows, with its month carry (C division, as timestamp_pl_interval does it) and the month
// lengths of the brute-force calendar above, and a range check of the whole timestamp after each
// step.
__extension__ typedef __int128 Wide;

std::int64_t BruteSubtract(std::int64_t t, std::int32_t months, std::int32_t days,
                           std::int64_t usecs) {
    if (t == kNegInf || t == kInf) return t;
    auto out_of_range = [](Wide v) {
        return v < ca::kMinTimestamp ? kNegInf : v >= ca::kEndTimestamp ? kInf : 0;
    };
    Wide v = t;
    if (months != 0) {
        const std::int32_t day = ca::DayOf(t);
        const Wide time_of_day = v - Wide{day} * kDay;
        const Ymd c = Civil(day);
        Wide year = c.y, month = Wide{c.m} - months;  // the interval negated, then added
        if (month > 12) {
            year += (month - 1) / 12;
            month = (month - 1) % 12 + 1;
        } else if (month < 1) {
            year += month / 12 - 1;
            month = month % 12 + 12;
        }
        // Far outside the range the year needs no day number (and would not fit an int).
        if (year < -10000) return kNegInf;
        if (year > 1000000) return kInf;
        const int y = static_cast<int>(year);
        const unsigned m = static_cast<unsigned>(month);
        const unsigned d = c.d < BruteMonthLength(y, m) ? c.d : BruteMonthLength(y, m);
        v = Wide{D(y, m, d)} * kDay + time_of_day;
        if (out_of_range(v)) return out_of_range(v);
    }
    if (days != 0) {
        v -= Wide{days} * kDay;
        if (out_of_range(v)) return out_of_range(v);
    }
    if (usecs == kNegInf) return kInf;  // -usecs overflows: "interval out of range"
    v -= usecs;
    if (out_of_range(v)) return out_of_range(v);
    return static_cast<std::int64_t>(v);
}

}  // namespace

TEST_CASE("SubtractIntervalSaturating: the range constants") {
    // MIN_TIMESTAMP is Julian day 0, 4714-11-24 BC (year -4713), at midnight; END_TIMESTAMP is
    // 294277-01-01 at midnight.
    CHECK(ca::kMinTimestamp == Ts(-4713, 11, 24));
    CHECK(ca::kEndTimestamp == Ts(294277, 1, 1));
    CHECK(ca::kMinTimestamp / kDay == -2451545);  // POSTGRES_EPOCH_JDATE = date2j(2000, 1, 1)
}

TEST_CASE("SubtractIntervalSaturating: months clamp to the month's end") {
    // 2000-03-31 - 1 month = 2000-02-29, the leap day: day 31 + 28 = 59.
    CHECK(Sub(Ts(2000, 3, 31), 1, 0, 0) == 59 * kDay);
    CHECK(Ts(2000, 2, 29) == 59 * kDay);
    // 2001-03-31 12:30 - 1 month = 2001-02-28 12:30: 2001-01-01 is day 366 (2000 is a leap year),
    // 2001-02-28 day 366 + 31 + 27 = 424.
    CHECK(Sub(Ts(2001, 3, 31, 12 * kHour + kHour / 2), 1, 0, 0) ==
          424 * kDay + 12 * kHour + kHour / 2);
    // 2000-03-30 and 2000-03-29 also give the leap day, 2000-03-28 gives 02-28 (day 58).
    CHECK(Sub(Ts(2000, 3, 30), 1, 0, 0) == 59 * kDay);
    CHECK(Sub(Ts(2000, 3, 29), 1, 0, 0) == 59 * kDay);
    CHECK(Sub(Ts(2000, 3, 28), 1, 0, 0) == 58 * kDay);
    // Leap day minus whole years: a leap year again keeps Feb 29, any other year clamps to Feb 28.
    // 1996-02-29 is day -(4 * 365 + 1) + 31 + 28 = -1402.
    CHECK(Sub(Ts(2000, 2, 29), 48, 0, 0) == -1402 * kDay);
    CHECK(Sub(Ts(2000, 2, 29), 12, 0, 0) == Ts(1999, 2, 28));
    CHECK(Sub(Ts(2000, 2, 29), 1200, 0, 0) == Ts(1900, 2, 28));  // 1900 is no leap year
    CHECK(Sub(Ts(2000, 2, 29), 4800, 0, 0) == Ts(1600, 2, 29));  // 1600 is one
    // 2024-05-31 23:59:59.999999 - 3 months = 2024-02-29 23:59:59.999999; the time of day stays.
    CHECK(Sub(Ts(2024, 5, 31, kDay - 1), 3, 0, 0) == Ts(2024, 2, 29, kDay - 1));
    // Negative months add: 2023-01-31 - (-1 month) = 2023-02-28; 2023-12-31 - (-2) = 2024-02-29.
    CHECK(Sub(Ts(2023, 1, 31), -1, 0, 0) == Ts(2023, 2, 28));
    CHECK(Sub(Ts(2023, 12, 31), -2, 0, 0) == Ts(2024, 2, 29));
    // Month carries across years both ways: 2000-01-15 - 1 month = 1999-12-15; - 13 months =
    // 1998-12-15; - 12 months = 1999-01-15; 1999-12-15 - (-1 month) = 2000-01-15.
    CHECK(Sub(Ts(2000, 1, 15), 1, 0, 0) == Ts(1999, 12, 15));
    CHECK(Sub(Ts(2000, 1, 15), 13, 0, 0) == Ts(1998, 12, 15));
    CHECK(Sub(Ts(2000, 1, 15), 12, 0, 0) == Ts(1999, 1, 15));
    CHECK(Sub(Ts(1999, 12, 15), -1, 0, 0) == Ts(2000, 1, 15));
}

TEST_CASE("SubtractIntervalSaturating: before 2000 and before year 1") {
    // 1900-03-31 12:00 - 1 month = 1900-02-28 12:00: 1900-01-01 is day -36524, Feb 28 is
    // -36524 + 31 + 27 = -36466.
    CHECK(Sub(Ts(1900, 3, 31, 12 * kHour), 1, 0, 0) == -36466 * kDay + 12 * kHour);
    // Microseconds across midnight into 1999: 2000-01-01 00:00 - 1 us = -1; and back.
    CHECK(Sub(0, 0, 0, 1) == -1);
    CHECK(Sub(-1, 0, 0, -1) == 0);
    // 2000-01-01 - '1 day 00:00:00.000001' = 1999-12-30 23:59:59.999999.
    CHECK(Sub(0, 0, 1, 1) == -kDay - 1);
    // Year 0 (1 BC) is a leap year: 0000-03-31 - 1 month = 0000-02-29, and 0001-03-31 - 1 month =
    // 0001-02-28; 0000-01-01 - 1 day = -0001-12-31.
    CHECK(Sub(Ts(0, 3, 31), 1, 0, 0) == Ts(0, 2, 29));
    CHECK(Sub(Ts(1, 3, 31), 1, 0, 0) == Ts(1, 2, 28));
    CHECK(Sub(Ts(0, 1, 1), 0, 1, 0) == Ts(-1, 12, 31));
    // -0004 (5 BC) is a leap year, -0100 is not: -0100-03-29 - 1 month = -0100-02-28.
    CHECK(Sub(Ts(-4, 3, 31), 1, 0, 0) == Ts(-4, 2, 29));
    CHECK(Sub(Ts(-100, 3, 29), 1, 0, 0) == Ts(-100, 2, 28));
}

TEST_CASE("SubtractIntervalSaturating: days, microseconds and mixed signs") {
    const std::int64_t t = Ts(2024, 3, 31, 10 * kHour);  // 2024-03-31 10:00
    // Days keep the time of day: - 30 days = 2024-03-01 10:00; across the leap day, - 31 days =
    // 2024-02-29 10:00.
    CHECK(Sub(t, 0, 30, 0) == Ts(2024, 3, 1, 10 * kHour));
    CHECK(Sub(t, 0, 31, 0) == Ts(2024, 2, 29, 10 * kHour));
    // Microseconds: - 11 hours = 2024-03-30 23:00; - (-14 hours) = 2024-04-01 00:00.
    CHECK(Sub(t, 0, 0, 11 * kHour) == Ts(2024, 3, 30, 23 * kHour));
    CHECK(Sub(t, 0, 0, -14 * kHour) == Ts(2024, 4, 1));
    // '1 day -24:00:00' is no change for a timestamp without time zone.
    CHECK(Sub(t, 0, 1, -24 * kHour) == t);
    // Months come first: '1 month -40 days' is 2024-03-31 -> 2024-02-29 (clamped) -> + 40 days =
    // 2024-04-09 (Feb 29 + 1 = Mar 1, + 39 = Apr 9). Days first would have given 2024-04-10.
    CHECK(Sub(t, 1, -40, 0) == Ts(2024, 4, 9, 10 * kHour));
    // '-1 month 40 days': 2024-03-31 + 1 month = 2024-04-30, - 40 days = 2024-03-21.
    CHECK(Sub(t, -1, 40, 0) == Ts(2024, 3, 21, 10 * kHour));
    // '1 month 2 days 25:00:00': 2024-02-29 10:00, 2024-02-27 10:00, - 25 h = 2024-02-26 09:00.
    CHECK(Sub(t, 1, 2, 25 * kHour) == Ts(2024, 2, 26, 9 * kHour));
    // A zero interval changes nothing, at both ends of the range too.
    CHECK(Sub(t, 0, 0, 0) == t);
    CHECK(Sub(ca::kMinTimestamp, 0, 0, 0) == ca::kMinTimestamp);
    CHECK(Sub(ca::kEndTimestamp - 1, 0, 0, 0) == ca::kEndTimestamp - 1);
}

TEST_CASE("SubtractIntervalSaturating: the ends of the range saturate") {
    const std::int64_t first = ca::kMinTimestamp;     // 4714-11-24 BC 00:00
    const std::int64_t last = ca::kEndTimestamp - 1;  // 294276-12-31 23:59:59.999999
    // Exactly onto the first microsecond, and one past it.
    CHECK(Sub(first + 1000000, 0, 0, 1000000) == first);
    CHECK(Sub(first + 1000000, 0, 0, 1000001) == kNegInf);
    CHECK(Sub(first + kDay, 0, 1, 0) == first);
    CHECK(Sub(first + kDay, 0, 2, 0) == kNegInf);
    // 4714-12-24 BC - 1 month = 4714-11-24 BC, the first day; from Dec 23 it is Nov 23, too early,
    // even though the days part would bring it back.
    CHECK(Sub(Ts(-4713, 12, 24), 1, 0, 0) == first);
    CHECK(Sub(Ts(-4713, 12, 23, kDay - 1), 1, 0, 0) == kNegInf);
    CHECK(Sub(Ts(-4713, 12, 23), 1, -5, 0) == kNegInf);
    // An earlier month than November 4714 BC, however the day would clamp.
    CHECK(Sub(Ts(-4713, 12, 31), 2, 0, 0) == kNegInf);
    // The last microsecond, and one after it; + 1 day from the last day.
    CHECK(Sub(last, 0, 0, 0) == last);
    CHECK(Sub(last - 1, 0, 0, -1) == last);
    CHECK(Sub(last, 0, 0, -1) == kInf);
    CHECK(Sub(Ts(294276, 12, 31), 0, -1, 0) == kInf);
    CHECK(Sub(Ts(294276, 12, 30), 0, -1, 0) == Ts(294276, 12, 31));
    CHECK(Sub(Ts(294276, 11, 30), -1, 0, 0) == Ts(294276, 12, 30));
    // The first step out of range decides: 294276-12-15 + 1 month is past the end, although - 40
    // days would come back to 294276-12-06 (PostgreSQL raises an error).
    CHECK(Sub(Ts(294276, 12, 15), -1, 40, 0) == kInf);
    // The whole range in one step: 294276-12-31 - 298989 years = 4714-12-31 BC (-4713), one more
    // year is too many.
    CHECK(Sub(Ts(294276, 12, 31), 298989 * 12, 0, 0) == Ts(-4713, 12, 31));
    CHECK(Sub(Ts(294276, 12, 31), 298990 * 12, 0, 0) == kNegInf);
    // The range spans more than 2^63 us: even INT64_MAX us back from the last microsecond is in
    // it (1999-12-23 19:59:05.224192), and so is INT64_MAX us forward from the first.
    CHECK(Sub(last, 0, 0, kInf) == last - kInf);
    CHECK(last - kInf == -705654775808);
    CHECK(Sub(first, 0, 0, -kInf) == first + kInf);
}

TEST_CASE("SubtractIntervalSaturating: huge windows and infinities") {
    const std::int64_t t = Ts(2024, 6, 15);
    // 100000 years back is 98 000 BC, before 4714 BC.
    CHECK(Sub(t, 100000 * 12, 0, 0) == kNegInf);
    CHECK(Sub(t, -100000 * 12, 0, 0) == Ts(102024, 6, 15));
    CHECK(Sub(t, -300000 * 12, 0, 0) == kInf);
    // The int32 extremes; -INT32_MIN months or days is no overflow here, just far after the end.
    constexpr std::int32_t kI32Min = std::numeric_limits<std::int32_t>::min();
    constexpr std::int32_t kI32Max = std::numeric_limits<std::int32_t>::max();
    CHECK(Sub(t, kI32Max, 0, 0) == kNegInf);
    CHECK(Sub(t, kI32Min, 0, 0) == kInf);
    CHECK(Sub(t, 0, kI32Max, 0) == kNegInf);
    CHECK(Sub(t, 0, kI32Min, 0) == kInf);
    CHECK(Sub(t, kI32Max, kI32Min, kNegInf) == kNegInf);  // the months step fails first
    // 2,000,000 days (about 5476 years) back is still in range: 3453-08-22 BC, year -3452.
    CHECK(Sub(t, 0, 2000000, 0) == Ts(-3452, 8, 22));
    // The int64 extremes of the time part: t - INT64_MAX would leave int64, t + INT64_MAX too, and
    // -INT64_MIN does not exist, even from the first timestamp where + 2^63 would still fit.
    CHECK(Sub(t, 0, 0, kInf) == kNegInf);
    CHECK(Sub(t, 0, 0, -kInf) == kInf);
    CHECK(Sub(t, 0, 0, kNegInf) == kInf);
    CHECK(Sub(ca::kMinTimestamp, 0, 0, kNegInf) == kInf);
    // -infinity and infinity stay, whatever the interval.
    for (std::int64_t inf : {kNegInf, kInf}) {
        CHECK(Sub(inf, 0, 0, 0) == inf);
        CHECK(Sub(inf, 1, 1, 1) == inf);
        CHECK(Sub(inf, -1, -1, -1) == inf);
        CHECK(Sub(inf, kI32Min, kI32Min, kNegInf) == inf);
    }
    // Finite timestamps outside the range: each step's result is checked, not the input.
    CHECK(Sub(ca::kEndTimestamp, 0, 1, 0) == Ts(294276, 12, 31));
    CHECK(Sub(ca::kEndTimestamp, 1, 0, 0) == Ts(294276, 12, 1));
    CHECK(Sub(ca::kEndTimestamp, 0, 0, 1) == ca::kEndTimestamp - 1);
    CHECK(Sub(ca::kEndTimestamp, 0, 0, 0) == kInf);
    CHECK(Sub(ca::kMinTimestamp - 1, 0, 0, 0) == kNegInf);
    CHECK(Sub(ca::kMinTimestamp - 1, 0, 0, -1) == ca::kMinTimestamp);
    CHECK(Sub(kInf - 1, 0, 0, kInf - 1) == 0);
    CHECK(Sub(kNegInf + 1, 0, 0, kNegInf + 1) == 0);
    CHECK(Sub(kNegInf + 1, 0, 0, 1) == kNegInf);
}

namespace {

// Computed by PostgreSQL 15.20 (Debian 15.20-0+deb12u1) for each (ts, iv) below with
//   SELECT extract(epoch FROM ts::timestamp - timestamp '2000-01-01') * 1000000 AS t,
//          extract(year FROM iv::interval) * 12 + extract(month FROM iv::interval) AS months,
//          extract(day FROM iv::interval) AS days,
//          extract(epoch FROM iv::interval - make_interval(months => <months>, days => <days>))
//              * 1000000 AS usecs,
//          ts::timestamp - iv::interval AS pg,
//          extract(epoch FROM (ts::timestamp - iv::interval) - timestamp '2000-01-01') * 1000000
//              AS expected;
// (one row at a time, as a row that raises "timestamp out of range" ends the query; the epoch of
// a difference, exact, as extract(epoch FROM timestamp) turns to float8 near the end of the
// range). Where PostgreSQL raised the error, `expected` is the saturated value: the side of the
// range the failing step landed on.
struct PgCase {
    const char *ts, *iv;
    std::int64_t t;
    std::int32_t months, days;
    std::int64_t usecs;
    const char *pg;
    std::int64_t expected;
};

const PgCase kPgCases[] = {
    {"2000-03-31 00:00:00", "1 month", 7776000000000LL, 1, 0, 0LL, "2000-02-29 00:00:00",
     5097600000000LL},
    {"2001-03-31 12:30:00", "1 month", 39357000000000LL, 1, 0, 0LL, "2001-02-28 12:30:00",
     36678600000000LL},
    {"2004-02-29 00:00:00", "1 year", 131328000000000LL, 12, 0, 0LL, "2003-02-28 00:00:00",
     99705600000000LL},
    {"2024-05-31 23:59:59.999999", "3 months", 770515199999999LL, 3, 0, 0LL,
     "2024-02-29 23:59:59.999999", 762566399999999LL},
    {"2024-01-31 00:00:00", "-1 month", 759974400000000LL, -1, 0, 0LL, "2024-02-29 00:00:00",
     762480000000000LL},
    {"2023-01-31 08:00:00", "-1 month", 728467200000000LL, -1, 0, 0LL, "2023-02-28 08:00:00",
     730886400000000LL},
    {"2024-03-01 00:00:00", "1 day", 762566400000000LL, 0, 1, 0LL, "2024-02-29 00:00:00",
     762480000000000LL},
    {"2000-01-01 00:00:00", "00:00:00.000001", 0LL, 0, 0, 1LL, "1999-12-31 23:59:59.999999", -1LL},
    {"1999-12-31 23:59:59.999999", "-00:00:00.000001", -1LL, 0, 0, -1LL, "2000-01-01 00:00:00",
     0LL},
    {"1900-03-01 06:00:00", "1 month", -3150554400000000LL, 1, 0, 0LL, "1900-02-01 06:00:00",
     -3152973600000000LL},
    {"1969-07-20 20:17:40", "30 days 12:00:00", -960867740000000LL, 0, 30, 43200000000LL,
     "1969-06-20 08:17:40", -963502940000000LL},
    {"1600-02-29 00:00:00", "100 years", -12617683200000000LL, 1200, 0, 0LL, "1500-02-28 00:00:00",
     -15773443200000000LL},
    {"2024-03-31 00:00:00", "1 month -40 days", 765158400000000LL, 1, -40, 0LL,
     "2024-04-09 00:00:00", 765936000000000LL},
    {"2024-03-31 00:00:00", "-1 month 40 days", 765158400000000LL, -1, 40, 0LL,
     "2024-03-21 00:00:00", 764294400000000LL},
    {"2024-03-31 10:00:00", "1 month 2 days 25:00:00", 765194400000000LL, 1, 2, 90000000000LL,
     "2024-02-26 09:00:00", 762253200000000LL},
    {"2024-03-31 10:00:00", "-1 month -2 days -25:00:00", 765194400000000LL, -1, -2, -90000000000LL,
     "2024-05-03 11:00:00", 768049200000000LL},
    {"2024-01-01 00:00:00", "365 days", 757382400000000LL, 0, 365, 0LL, "2023-01-01 00:00:00",
     725846400000000LL},
    {"2024-01-01 00:00:00", "8760:00:00", 757382400000000LL, 0, 0, 31536000000000LL,
     "2023-01-01 00:00:00", 725846400000000LL},
    {"2024-01-01 00:00:00", "1 day -24:00:00", 757382400000000LL, 0, 1, -86400000000LL,
     "2024-01-01 00:00:00", 757382400000000LL},
    {"0001-03-01 00:00:00 BC", "1 month", -63108720000000000LL, 1, 0, 0LL, "0001-02-01 00:00:00 BC",
     -63111225600000000LL},
    {"0001-01-01 00:00:00", "1 day", -63082281600000000LL, 0, 1, 0LL, "0001-12-31 00:00:00 BC",
     -63082368000000000LL},
    {"0005-03-31 00:00:00 BC", "13 months", -63232358400000000LL, 13, 0, 0LL,
     "0006-02-28 00:00:00 BC", -63266659200000000LL},
    {"4714-11-24 00:00:00 BC", "0 days", -211813488000000000LL, 0, 0, 0LL, "4714-11-24 00:00:00 BC",
     -211813488000000000LL},
    {"4714-11-24 00:00:01 BC", "00:00:01", -211813487999000000LL, 0, 0, 1000000LL,
     "4714-11-24 00:00:00 BC", -211813488000000000LL},
    {"4714-11-24 00:00:01 BC", "00:00:01.000001", -211813487999000000LL, 0, 0, 1000001LL,
     "ERROR: timestamp out of range", kNegInf},
    {"4714-12-24 00:00:00 BC", "1 month", -211810896000000000LL, 1, 0, 0LL,
     "4714-11-24 00:00:00 BC", -211813488000000000LL},
    {"4714-12-23 23:59:59 BC", "1 month", -211810896001000000LL, 1, 0, 0LL,
     "ERROR: timestamp out of range", kNegInf},
    {"4714-11-25 00:00:00 BC", "1 day", -211813401600000000LL, 0, 1, 0LL, "4714-11-24 00:00:00 BC",
     -211813488000000000LL},
    {"4714-11-25 00:00:00 BC", "2 days", -211813401600000000LL, 0, 2, 0LL,
     "ERROR: timestamp out of range", kNegInf},
    {"294276-12-31 23:59:59.999999", "0 days", 9223371331199999999LL, 0, 0, 0LL,
     "294276-12-31 23:59:59.999999", 9223371331199999999LL},
    {"294276-12-31 23:59:59.999999", "-00:00:00.000001", 9223371331199999999LL, 0, 0, -1LL,
     "ERROR: timestamp out of range", kInf},
    {"294276-12-31 00:00:00", "-1 day", 9223371244800000000LL, 0, -1, 0LL,
     "ERROR: timestamp out of range", kInf},
    {"294276-11-30 00:00:00", "-1 month", 9223368566400000000LL, -1, 0, 0LL,
     "294276-12-30 00:00:00", 9223371158400000000LL},
    {"294276-12-15 00:00:00", "-1 month 40 days", 9223369862400000000LL, -1, 40, 0LL,
     "ERROR: timestamp out of range", kInf},
    {"294276-12-31 00:00:00", "294276 years", 9223371244800000000LL, 3531312, 0, 0LL,
     "0001-12-31 00:00:00 BC", -63082368000000000LL},
    {"294276-12-31 00:00:00", "298989 years", 9223371244800000000LL, 3587868, 0, 0LL,
     "4714-12-31 00:00:00 BC", -211810291200000000LL},
    {"294276-12-31 00:00:00", "298990 years", 9223371244800000000LL, 3587880, 0, 0LL,
     "ERROR: timestamp out of range", kNegInf},
    {"2024-06-15 00:00:00", "100000 years", 771724800000000LL, 1200000, 0, 0LL,
     "ERROR: timestamp out of range", kNegInf},
    {"2024-06-15 00:00:00", "2000000 days", 771724800000000LL, 0, 2000000, 0LL,
     "3453-08-22 00:00:00 BC", -172028275200000000LL},
    {"2024-06-15 00:00:00", "2562047788:00:00", 771724800000000LL, 0, 0, 9223372036800000000LL,
     "ERROR: timestamp out of range", kNegInf},
    {"2024-06-15 00:00:00", "-2562047788:00:00", 771724800000000LL, 0, 0, -9223372036800000000LL,
     "ERROR: timestamp out of range", kInf},
    {"2024-06-15 00:00:00", "-178956970 years -7 months", 771724800000000LL, -2147483647, 0, 0LL,
     "ERROR: timestamp out of range", kInf},
    {"2024-06-15 00:00:00", "178956970 years 7 months", 771724800000000LL, 2147483647, 0, 0LL,
     "ERROR: timestamp out of range", kNegInf},
};

}  // namespace

TEST_CASE("SubtractIntervalSaturating: cases computed by PostgreSQL 15") {
    for (const PgCase &c : kPgCases) {
        INFO("timestamp '" << c.ts << "' - interval '" << c.iv << "' = " << c.pg);
        CHECK(Sub(c.t, c.months, c.days, c.usecs) == c.expected);
        CHECK(BruteSubtract(c.t, c.months, c.days, c.usecs) == c.expected);
    }
}

TEST_CASE("SubtractIntervalSaturating against the brute force, at random") {
    std::mt19937_64 rng(19700101);
    auto pick = [&](std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    };
    const std::int64_t first = ca::kMinTimestamp, end = ca::kEndTimestamp;
    // Timestamps: anywhere in the range, within 800 days of either end, late in some month (where
    // months clamp), near 2000, and any int64 at all.
    auto timestamp = [&]() -> std::int64_t {
        switch (pick(0, 5)) {
            case 0:
                return pick(first, end - 1);
            case 1:
                return first + pick(0, 800 * kDay);
            case 2:
                return end - 1 - pick(0, 800 * kDay);
            case 3: {
                const int y = static_cast<int>(pick(-4713, 294276));
                const unsigned m = static_cast<unsigned>(pick(1, 12));
                const unsigned d = static_cast<unsigned>(pick(26, BruteMonthLength(y, m)));
                return Ts(y, m, d, pick(0, kDay - 1));
            }
            case 4:
                return pick(-400 * 366 * kDay, 400 * 366 * kDay);
            default:
                return pick(kNegInf, kInf);
        }
    };
    // Interval parts: zero, small, medium, about the range's size, any value of the type.
    auto part = [&](std::int64_t small, std::int64_t medium, std::int64_t range, std::int64_t lo,
                    std::int64_t hi) -> std::int64_t {
        switch (pick(0, 4)) {
            case 0:
                return 0;
            case 1:
                return pick(-small, small);
            case 2:
                return pick(-medium, medium);
            case 3:
                return pick(-range, range);
            default:
                return pick(0, 9) == 0 ? (pick(0, 1) ? lo : hi) : pick(lo, hi);
        }
    };
    constexpr std::int64_t kI32Min = std::numeric_limits<std::int32_t>::min();
    constexpr std::int64_t kI32Max = std::numeric_limits<std::int32_t>::max();
    int failures = 0, low = 0, high = 0, inside = 0;
    for (int i = 0; i < 300000 && failures < 10; ++i) {
        const std::int64_t t = timestamp();
        const auto months = static_cast<std::int32_t>(part(30, 5000, 3600000, kI32Min, kI32Max));
        const auto days = static_cast<std::int32_t>(part(400, 200000, 110000000, kI32Min, kI32Max));
        const std::int64_t usecs = part(2 * kDay, 400000 * kDay, end, kNegInf, kInf);
        const std::int64_t got = Sub(t, months, days, usecs);
        const std::int64_t want = BruteSubtract(t, months, days, usecs);
        if (got != want) {
            ++failures;
            INFO(t << " - (" << months << " months, " << days << " days, " << usecs << " us)");
            CHECK(got == want);
        }
        if (got == kNegInf) {
            ++low;
        } else if (got == kInf) {
            ++high;
        } else {
            ++inside;
            if (got < first || got >= end) {
                ++failures;
                INFO(t << " - (" << months << " months, " << days << " days, " << usecs << " us)");
                CHECK((got >= first && got < end));
            }
        }
    }
    CHECK(failures == 0);
    // Each outcome is well represented.
    CHECK(low > 30000);
    CHECK(high > 30000);
    CHECK(inside > 30000);
}
