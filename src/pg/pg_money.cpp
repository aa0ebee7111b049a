// Amounts between PostgreSQL's number types and ca::Money (src/core/money.hpp).
#include "pg_money.hpp"

#include <cmath>
#include <cstring>

namespace ca {
namespace pg {

namespace {

[[noreturn]] void AmountOutOfRange() {
    ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("amount is out of range"),
                    errdetail("Amounts are summed exactly with 8 decimal places and must be "
                              "smaller than 10^28 in absolute value.")));
}

[[noreturn]] void AmountNotFinite() {
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("amount is not finite"),
                    errhint("Filter out NaN and infinite amounts in the query.")));
}

// numeric's stored form (src/backend/utils/adt/numeric.c, stable since PostgreSQL 9.1; special
// values since 14): a 16-bit header, for the long form a 16-bit weight, then base-10000 digits;
// the value is sum(digit[i] * 10000^(weight - i)).
constexpr std::uint16_t kNumericSignMask = 0xC000;
constexpr std::uint16_t kNumericNeg = 0x4000;
constexpr std::uint16_t kNumericShort = 0x8000;
constexpr std::uint16_t kNumericSpecial = 0xC000;
constexpr std::uint16_t kShortSignMask = 0x2000;
constexpr std::uint16_t kShortDscaleMask = 0x1F80;
constexpr int kShortDscaleShift = 7;
constexpr std::uint16_t kShortWeightSignMask = 0x0040;
constexpr std::uint16_t kShortWeightMask = 0x003F;
constexpr std::uint16_t kDscaleMask = 0x3FFF;

}  // namespace

void NumericToMoney(Datum d, ca::Money &money, int &decimals) {
    struct varlena *v = PG_DETOAST_DATUM_PACKED(d);
    const char *data = VARDATA_ANY(v);
    const std::size_t size = VARSIZE_ANY_EXHDR(v);
    std::uint16_t header;
    std::memcpy(&header, data, sizeof header);
    bool negative;
    int weight, dscale;
    std::size_t offset;
    if ((header & kNumericSignMask) == kNumericSpecial) AmountNotFinite();
    if ((header & kNumericSignMask) == kNumericShort) {
        negative = (header & kShortSignMask) != 0;
        dscale = (header & kShortDscaleMask) >> kShortDscaleShift;
        weight = header & kShortWeightMask;
        if (header & kShortWeightSignMask) weight |= ~static_cast<int>(kShortWeightMask);
        offset = sizeof(std::uint16_t);
    } else {
        negative = (header & kNumericSignMask) == kNumericNeg;
        dscale = header & kDscaleMask;
        std::int16_t w;
        std::memcpy(&w, data + sizeof(std::uint16_t), sizeof w);
        weight = w;
        offset = 2 * sizeof(std::uint16_t);
    }
    const std::size_t ndigits = (size - offset) / sizeof(std::int16_t);
    // Money counts 1e-8 units: digit i stands for 10000^(weight - i + 2) of them.
    unsigned __int128 units = 0;
    constexpr unsigned __int128 kLimit = static_cast<unsigned __int128>(1) << 126;
    for (std::size_t i = 0; i < ndigits; ++i) {
        std::int16_t digit;
        std::memcpy(&digit, data + offset + i * sizeof(std::int16_t), sizeof digit);
        const int exponent = weight - static_cast<int>(i) + 2;
        if (exponent < 0) {
            if (exponent == -1 && digit >= 5000) units += 1;  // round half away from zero
            break;
        }
        if (exponent > 8) {
            if (digit != 0) AmountOutOfRange();
            continue;
        }
        unsigned __int128 term = static_cast<unsigned __int128>(digit);
        for (int k = 0; k < exponent; ++k) term *= 10000;
        units += term;
        if (units > kLimit) AmountOutOfRange();
    }
    if (static_cast<void *>(v) != DatumGetPointer(d)) pfree(v);
    money = negative ? -static_cast<ca::Money>(units) : static_cast<ca::Money>(units);
    decimals = dscale < ca::kMoneyScale ? dscale : ca::kMoneyScale;
}

void FloatToMoney(double f, ca::Money &money, int &decimals) {
    if (!std::isfinite(f)) AmountNotFinite();
    // The same limit as for numeric amounts (10^28), not merely what fits the 128-bit count.
    if (std::fabs(f) >= 1e28) AmountOutOfRange();
    const double units = std::nearbyint(f * static_cast<double>(ca::kMoneyUnit));
    money = static_cast<ca::Money>(units);
    decimals = ca::MoneyDecimals(money);
}

Datum MoneyToNumeric(ca::Money money, int decimals) {
    char text[ca::kMoneyTextMax];
    ca::FormatMoney(text, money, decimals);
    return DirectFunctionCall3(numeric_in, CStringGetDatum(text), ObjectIdGetDatum(InvalidOid),
                               Int32GetDatum(-1));
}

}  // namespace pg
}  // namespace ca
