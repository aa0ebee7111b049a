// Text customer ids in the order of a collation, as ORDER BY customer_id gives it (NTILE's
// tie-break in rfm()). Fast where it can be, exact always, and cancellable throughout.
#pragma once

#include "pg_headers.hpp"

#include <cstdint>

#include "customer_index.hpp"
#include "exec_context.hpp"

namespace ca {
namespace pg {

// Sorts `order` (indices of Bytes ids in `index`) by the ids under `collation`:
//  - the C collation (and POSIX): byte order;
//  - a libc collation: by strxfrm() sort keys, then checked pair by pair with varstr_cmp (what
//    ORDER BY uses); if a single pair disagrees (strxfrm and strcoll can differ on some C
//    libraries, which is why PostgreSQL does not trust strxfrm either), sorted again with
//    varstr_cmp;
//  - any other collation (ICU): with varstr_cmp.
// Keys count against ctx's memory budget; every loop ticks ctx.
void SortByCollation(ca::ExecContext &ctx, const ca::CustomerIndex &index,
                     ca::BudgetVector<std::uint32_t> &order, Oid collation);

}  // namespace pg
}  // namespace ca
