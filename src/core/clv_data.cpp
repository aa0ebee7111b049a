#include "clv_data.hpp"

#include <string>

#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

TimeIndex::TimeIndex(ExecContext &ctx, const BudgetVector<CalibrationPoints::Point> &points)
    : times(MakeBudgetVector<double>(ctx)),
      recency(MakeBudgetVector<std::uint32_t>(ctx)),
      age(MakeBudgetVector<std::uint32_t>(ctx)) {
    times.reserve(2 * points.size());
    for (const auto &p : points) {
        times.push_back(p.key[1]);
        times.push_back(p.key[2]);
    }
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    times.shrink_to_fit();
    recency.reserve(points.size());
    age.reserve(points.size());
    auto index = [&](double t) {
        ctx.Tick();
        return static_cast<std::uint32_t>(std::lower_bound(times.begin(), times.end(), t) -
                                          times.begin());
    };
    for (const auto &p : points) {
        recency.push_back(index(p.key[1]));
        age.push_back(index(p.key[2]));
    }
}

void CheckFrequency(double x) {
    if (!(x >= 0 && x < 2147483648.0 && x == std::floor(x)))
        throw InvalidParameter("frequency must be a whole number of repeat purchases, at least 0",
                               "frequency = " + ShowNumber(x) + ".");
}

std::uint64_t RequireRepeatBuyers(const BudgetVector<CalibrationPoints::Point> &points) {
    std::uint64_t customers = 0;
    bool any_repeat = false;
    for (const auto &pt : points) {
        customers += pt.count;
        any_repeat = any_repeat || pt.key[0] > 0;
    }
    if (!any_repeat)
        throw DataException("too few repeat purchases to fit the model",
                            std::to_string(customers) + " customers, none with a repeat purchase.",
                            "BG/NBD and Pareto/NBD need customers with frequency > 0.");
    return customers;
}

void CheckPositiveParams(const char *model,
                         std::initializer_list<std::pair<const char *, double>> params) {
    std::string detail;
    bool bad = false;
    for (const auto &p : params) {
        bad = bad || !(p.second > 0 && std::isfinite(p.second));
        detail +=
            (detail.empty() ? "" : ", ") + std::string(p.first) + " = " + ShowNumber(p.second);
    }
    if (bad)
        throw InvalidParameter(std::string(model) + " parameters must be finite and greater than 0",
                               detail + ".");
}

double CheckPrediction(double value, const char *what, double upper) {
    if (value < 0 && value > -1e-12) return 0;
    if (value > upper && value < upper * (1 + 1e-12)) return upper;
    if (!(value >= 0 && value <= upper && std::isfinite(value)))
        throw DataException(std::string(what) + " cannot be computed for these parameters",
                            "The result would be " + ShowNumber(value) + ".",
                            "The model's parameters are beyond the range double precision "
                            "handles; fit the model on the data (docs/clv.md, \"Numerics\").");
    return value;
}

void CheckHorizon(double t) {
    if (!(t >= 0 && std::isfinite(t)))
        throw InvalidParameter(
            "t must be finite and at least 0", "t = " + ShowNumber(t) + ".",
            "t is the length of the prediction period, in the model's time unit.");
}

CalibrationPoints::Key CalibrationKey(double x, double t_x, double T) {
    CheckFrequency(x);
    if (!(t_x >= 0 && t_x <= T && std::isfinite(T)))
        throw InvalidParameter("recency and T must satisfy 0 <= recency <= T",
                               "recency = " + ShowNumber(t_x) + ", T = " + ShowNumber(T) + ".",
                               "recency is the time from the first to the last purchase and T "
                               "the time from the first purchase to the end of calibration; "
                               "customers whose first purchase is after it have no T.");
    if (x == 0 && t_x != 0)
        throw InvalidParameter("recency must be 0 when frequency is 0",
                               "recency = " + ShowNumber(t_x) + ".");
    // + 0.0 turns -0.0 into 0.0, so equal values make one key whatever their sign bit.
    return {x + 0.0, t_x + 0.0, T + 0.0};
}

bool SpendKey(double x, double spend, SpendPoints::Key &key) {
    CheckFrequency(x);
    if (x == 0) return false;
    if (!(spend > 0 && std::isfinite(spend)))
        throw InvalidParameter(
            "monetary must be greater than 0 for customers with repeat purchases",
            "frequency = " + ShowNumber(x) + ", monetary = " + ShowNumber(spend) + ".",
            "The Gamma-Gamma model describes positive spend; leave out customers "
            "whose repeat purchases were returned (WHERE monetary > 0).");
    key = {x, spend};
    return true;
}

}  // namespace ca
