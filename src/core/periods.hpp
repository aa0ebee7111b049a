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
// (int32 day numbers run out near +-5.88 million years); SubtractIntervalSaturating takes any
// arguments. All functions but ParsePeriod are noexcept and allocate nothing.
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

// ---- Timestamp arithmetic -----------------------------------------------------------------------

// PostgreSQL's range of valid timestamps, MIN_TIMESTAMP and END_TIMESTAMP of its
// src/include/datatype/timestamp.h: from 4714-11-24 BC 00:00 (Julian day 0; year -4713 here)
// inclusive to 294277-01-01 00:00 exclusive. Both are midnights. INT64_MIN and INT64_MAX, outside
// the range, are PostgreSQL's -infinity and infinity.
constexpr std::int64_t kMinTimestamp = -211813488000000000LL;
constexpr std::int64_t kEndTimestamp = 9223371331200000000LL;

// local_usecs - (months, days, usecs) exactly as PostgreSQL 15's `timestamp - interval` computes
// it on a timestamp without time zone (timestamp_mi_interval), in three steps: add -months to the
// month, clamping the day of month to the new month's length (2001-03-31 - 1 month = 2001-02-28);
// then add -days to the day, keeping the time of day; then subtract usecs. -infinity and infinity
// (INT64_MIN, INT64_MAX) come back unchanged, as from PostgreSQL.
//
// Never fails: where PostgreSQL raises "timestamp out of range" the result saturates instead, to
// INT64_MIN if the step that left [kMinTimestamp, kEndTimestamp) landed below it and to INT64_MAX
// if above. The first step out of range decides, even if later ones would come back (as in
// '294276-12-15' - '-1 month 40 days', INT64_MAX). A time part of INT64_MIN, which PostgreSQL
// cannot negate ("interval out of range"), makes the last step INT64_MAX from any timestamp.
// So the result is in [kMinTimestamp, kEndTimestamp), INT64_MIN or INT64_MAX.
//
// Other inputs outside the range, which PostgreSQL never stores, are not rejected: the steps apply
// to them the same way and only each step's result is checked (a zero months or days part is no
// step, as in PostgreSQL), so kEndTimestamp - 1 day is the last day of the range.
std::int64_t SubtractIntervalSaturating(std::int64_t local_usecs, std::int32_t months,
                                        std::int32_t days, std::int64_t usecs) noexcept;

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
