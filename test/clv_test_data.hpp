// The CDNOW data for the CLV tests: the purchase logs in ../shared/data (the 1/10th sample of
// Fader, Hardie & Lee 2005, and the full cohort) read into the core's summary, as the papers
// summarise it (weeks, calibration to 1997-09-30).
#pragma once

#include <cstdio>
#include <sstream>
#include <string>

#include "clv_data.hpp"
#include "clv_summary.hpp"
#include "periods.hpp"
#include "test_support.hpp"

namespace clv_test {

// Reads "[master id] id yyyymmdd cds dollars" lines (the sample has both ids, the master file only
// the first) into summaries at as_of; false with a SKIP message when the file is absent.
// The purchase log into `summaries` (any calibration and holdout); false with a SKIP message when
// the file is absent.
inline bool LoadCdnowInto(ca::ExecContext &ctx, const std::string &file,
                          ca::ClvSummaries &summaries) {
    std::string text;
    if (!ReadDataFile(file, text)) return false;
    const bool sample = file.find("sample") != std::string::npos;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        long master = 0, id = 0, date = 0, cds = 0;
        double dollars = 0;
        if (sample ? !(fields >> master >> id >> date >> cds >> dollars)
                   : !(fields >> id >> date >> cds >> dollars))
            continue;
        ca::Order order;
        order.has_time = order.has_amount = true;
        const int y = static_cast<int>(date / 10000);
        const unsigned m = static_cast<unsigned>(date / 100 % 100),
                       d = static_cast<unsigned>(date % 100);
        order.time = static_cast<std::int64_t>(ca::DaysFromCivil(y, m, d)) * ca::kUsecsPerDay;
        order.amount = static_cast<ca::Money>(std::llround(dollars * 100)) * (ca::kMoneyUnit / 100);
        order.decimals = 2;
        summaries.Add(static_cast<std::uint32_t>(id - 1), order);
    }
    return true;
}

inline bool LoadCdnow(ca::ExecContext &ctx, const std::string &file, std::int32_t as_of_day,
                      ca::BudgetVector<ca::ClvCustomer> &out, double unit_days = 7) {
    ca::ClvSummaries summaries(ctx, true, as_of_day);
    if (!LoadCdnowInto(ctx, file, summaries)) return false;
    out = summaries.Finish(ctx, unit_days);
    return true;
}

inline ca::CalibrationPoints Triples(const ca::BudgetVector<ca::ClvCustomer> &customers) {
    ca::CalibrationPoints points;
    for (const auto &c : customers)
        points.Add(ca::CalibrationKey(static_cast<double>(c.frequency), c.recency, c.T));
    return points;
}

inline std::int32_t CdnowCalibrationEnd() {
    return ca::DaysFromCivil(1997, 9, 30);
}

}  // namespace clv_test
