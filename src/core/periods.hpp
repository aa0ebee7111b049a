// Calendar arithmetic for the retention analytics (cohort retention, period retention, KPIs per
// period): which day, ISO week, month, quarter or year a moment falls in, where that period starts,
// and a dense index per period so that "3 months later" is a subtraction.
//
// Time zones are dealt with before this code: everything here is LOCAL wall-clock time, as
// PostgreSQL stores it in a timestamp (int64 microseconds since 2000-01-01 00:00:00, negative
// before) or a date (int32 days since 2000-01-01, DateADT). The calendar is the proleptic
// Gregorian one (no Julian switch-over, year 0 exists and is 1 BC), like PostgreSQL's.
//
// Valid range: any day of the years -5,000,000..5,874,897, which holds PostgreSQL's whole date
// range (4714-11-24 BC to 5874897-12-31) and timestamp range. Outside it results are unspecified
// (int32 day numbers run out near +-5.88 million years). All functions but ParsePeriod are
// noexcept and allocate nothing.
#pragma once

#include <cstdint>
#include <string>

namespace ca {

enum class Period {
    Day,
    Week,  // ISO 8601 week: Monday to Sunday
    Month,
    Quarter,  // January-March, April-June, July-September, October-December
    Year,
};

// Parses "day", "week", "month", "quarter" or "year" (exactly, lower case); throws
// InvalidParameter otherwise.
Period ParsePeriod(const std::string &name);
// "day", "week", "month", "quarter" or "year".
const char *PeriodName(Period p) noexcept;

// ---- Civil calendar (algorithms of Howard Hinnant, "chrono-Compatible Low-Level Date
// Algorithms") ------------------------------------------------------------------------------------

constexpr std::int64_t kUsecsPerDay = 86400000000LL;

// The day number (days since 2000-01-01) of year-month-day; m is 1..12 and d 1..the month's length.
std::int32_t DaysFromCivil(int y, unsigned m, unsigned d) noexcept;
// The inverse of DaysFromCivil: m is 1..12, d 1..31.
void CivilFromDays(std::int32_t days, int &y, unsigned &m, unsigned &d) noexcept;
// ISO day of the week: Monday = 1 .. Sunday = 7. Day 0, 2000-01-01, was a Saturday (6).
int Weekday(std::int32_t days) noexcept;
// The day a timestamp falls on: floor(usecs / 86,400,000,000), rounding down before 2000 too.
// Every int64 gives a day that fits int32.
std::int32_t DayOf(std::int64_t usecs) noexcept;

// ---- Periods ------------------------------------------------------------------------------------

// The first day of the period containing `day`: the day itself, the Monday on or before it, the
// 1st of its month, of January/April/July/October, or January 1st.
std::int32_t PeriodStart(Period p, std::int32_t day) noexcept;
// The first day of the period after the one containing `period_start` (normally the start of a
// period, but any day of it gives the same answer).
std::int32_t NextPeriodStart(Period p, std::int32_t period_start) noexcept;

// A dense number per period: consecutive periods differ by exactly 1. Day: the day number; Week:
// weeks since the one starting Monday 2000-01-03 (floor); Month: year * 12 + month - 1; Quarter:
// year * 4 + (month - 1) / 3; Year: the year.
std::int64_t PeriodIndex(Period p, std::int32_t day) noexcept;
// The first day of the period with that index: PeriodStartFromIndex(p, PeriodIndex(p, d)) ==
// PeriodStart(p, d).
std::int32_t PeriodStartFromIndex(Period p, std::int64_t index) noexcept;
// How many periods `to_day` lies after `from_day` (negative when before): 0 within one period,
// 1 for the next one, whatever the days within them.
inline std::int64_t PeriodOffset(Period p, std::int32_t from_day, std::int32_t to_day) noexcept {
    return PeriodIndex(p, to_day) - PeriodIndex(p, from_day);
}

// The ISO 8601 week-numbering year and week (1..53) of a day. Weeks start on Monday and week 1
// is the one containing January 4th (equivalently the year's first Thursday), so Dec 29-31 may
// belong to week 1 of the next year and Jan 1-3 to week 52 or 53 of the previous one.
void IsoWeek(std::int32_t day, int &iso_year, int &week) noexcept;

}  // namespace ca
