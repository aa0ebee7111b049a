// Amounts between PostgreSQL's number types and ca::Money. These call PostgreSQL and may ereport:
// use them from C code paths (a DestReceiver) or inside Guard.
#pragma once

#include "pg_headers.hpp"

#include "money.hpp"

namespace ca {
namespace pg {

// A numeric as Money, rounded half away from zero at 8 decimals, read from numeric's stored form;
// `decimals` is its display scale (at most 8). NaN or infinity: 22000; 10^28 or more: 22003.
void NumericToMoney(Datum numeric, ca::Money &money, int &decimals);

// A float as Money (nearest 1e-8) with the fewest decimals that show it.
void FloatToMoney(double value, ca::Money &money, int &decimals);

// Money as a numeric with `decimals` decimal places (as many as the value has, or more).
Datum MoneyToNumeric(ca::Money money, int decimals);

}  // namespace pg
}  // namespace ca
