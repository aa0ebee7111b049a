#include "collation_sort.hpp"

#include <algorithm>
#include <clocale>
#include <cstring>
#include <locale.h>
#include <string.h>
#include <string_view>

#include "door.hpp"

namespace ca {
namespace pg {

namespace {

// 8 bytes of a key from `skip` on, big-endian, so that comparing prefixes as integers is
// comparing those bytes one by one (shorter keys padded with zeros). `skip` is the length of the
// prefix all keys share ("cust-" in "cust-1042"), which would tell no key from another.
std::uint64_t Prefix(std::string_view key, std::size_t skip) {
    unsigned char bytes[8] = {0};
    if (key.size() > skip)
        std::memcpy(bytes, key.data() + skip, std::min<std::size_t>(8, key.size() - skip));
    std::uint64_t p = 0;
    for (unsigned char b : bytes) p = (p << 8) | b;
    return p;
}

// The length of the prefix that every key_of(order[i]) starts with.
template <typename KeyOf>
std::size_t CommonPrefix(ca::ExecContext &ctx, const ca::BudgetVector<std::uint32_t> &order,
                         KeyOf key_of) {
    if (order.empty()) return 0;
    const std::string_view first = key_of(order[0]);
    std::size_t common = first.size();
    for (std::size_t i = 1; i < order.size() && common > 0; ++i) {
        ctx.Tick();
        const std::string_view key = key_of(order[i]);
        std::size_t k = 0;
        const std::size_t limit = std::min(common, key.size());
        while (k < limit && key[k] == first[k]) ++k;
        common = k;
    }
    return common;
}

struct Entry {
    std::uint64_t prefix;
    std::uint32_t customer;
};

// Sorts `order` by key_of(customer) (the key's prefix after what all keys share first, then the
// whole key), then by the id's bytes: varstr_cmp orders ids that a deterministic collation finds
// equal by their bytes too.
template <typename KeyOf>
void SortByKeys(ca::ExecContext &ctx, const ca::CustomerIndex &index,
                ca::BudgetVector<std::uint32_t> &order, KeyOf key_of) {
    const std::size_t skip = CommonPrefix(ctx, order, key_of);
    auto entries = MakeBudgetVector<Entry>(ctx);
    entries.resize(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        ctx.Tick();
        entries[i] = {Prefix(key_of(order[i]), skip), order[i]};
    }
    ctx.CheckInterrupts();
    std::sort(entries.begin(), entries.end(), [&](const Entry &a, const Entry &b) {
        ctx.Tick();
        if (a.prefix != b.prefix) return a.prefix < b.prefix;
        const int c = key_of(a.customer).compare(key_of(b.customer));
        if (c != 0) return c < 0;
        return index.BytesId(a.customer) < index.BytesId(b.customer);
    });
    ctx.CheckInterrupts();
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = entries[i].customer;
}

// With varstr_cmp per comparison: one Guard around the whole sort, an interrupt check every 4096
// comparisons. A cancel's longjmp crosses only std::sort's frames (indices and iterators, nothing
// to destroy).
void SortWithVarstrCmp(const ca::CustomerIndex &index, ca::BudgetVector<std::uint32_t> &order,
                       Oid collation) {
    std::uint32_t *first = order.data();
    const std::size_t count = order.size();
    const ca::CustomerIndex *ids = &index;
    Guard([&] {
        std::uint32_t comparisons = 0;
        std::sort(first, first + count, [&](std::uint32_t a, std::uint32_t b) {
            if ((++comparisons & 4095U) == 0) CHECK_FOR_INTERRUPTS();
            const std::string_view x = ids->BytesId(a), y = ids->BytesId(b);
            return varstr_cmp(x.data(), static_cast<int>(x.size()), y.data(),
                              static_cast<int>(y.size()), collation) < 0;
        });
    });
}

// True when every adjacent pair is in varstr_cmp order.
bool OrderedByVarstrCmp(const ca::CustomerIndex &index,
                        const ca::BudgetVector<std::uint32_t> &order, Oid collation) {
    bool ordered = true;
    const std::uint32_t *ids = order.data();
    const std::size_t count = order.size();
    const ca::CustomerIndex *keys = &index;
    Guard([&] {
        for (std::size_t i = 1; i < count && ordered; ++i) {
            if ((i & 4095U) == 0) CHECK_FOR_INTERRUPTS();
            const std::string_view x = keys->BytesId(ids[i - 1]), y = keys->BytesId(ids[i]);
            ordered = varstr_cmp(x.data(), static_cast<int>(x.size()), y.data(),
                                 static_cast<int>(y.size()), collation) <= 0;
        }
    });
    return ordered;
}

}  // namespace

void SortByCollation(ca::ExecContext &ctx, const ca::CustomerIndex &index,
                     ca::BudgetVector<std::uint32_t> &order, Oid collation) {
    bool bytewise = collation == InvalidOid;
    bool libc = false;
    bool global_locale = false;
    locale_t lt = nullptr;
    if (!bytewise) {
        Guard([&] {
            bytewise = lc_collate_is_c(collation);
            if (bytewise) return;
            pg_locale_t locale = pg_newlocale_from_collation(collation);
            if (locale == nullptr) {
                libc = global_locale = true;  // the database's default, a libc locale
            } else if (locale->provider == COLLPROVIDER_LIBC && locale->deterministic) {
                libc = true;
                lt = locale->info.lt;
            }
        });
    }
    const std::size_t n = order.size();
    if (bytewise) {
        SortByKeys(ctx, index, order, [&](std::uint32_t c) { return index.BytesId(c); });
        return;
    }
    if (!libc) {
        SortWithVarstrCmp(index, order, collation);
        return;
    }
    // strxfrm needs NUL-terminated input: ids with a NUL byte cannot be text, but be safe.
    auto keys = MakeBudgetVector<char>(ctx);
    auto key_start = MakeBudgetVector<std::uint64_t>(ctx);
    key_start.assign(index.size(), 0);
    auto key_len = MakeBudgetVector<std::uint32_t>(ctx);
    key_len.assign(index.size(), 0);
    std::string source;
    for (std::size_t i = 0; i < n; ++i) {
        ctx.Tick();
        const std::string_view id = index.BytesId(order[i]);
        if (id.find('\0') != std::string_view::npos) {
            SortWithVarstrCmp(index, order, collation);
            return;
        }
        source.assign(id.data(), id.size());
        const std::size_t at = keys.size();
        std::size_t room = id.size() * 4 + 16;
        for (;;) {
            keys.resize(at + room);
            const std::size_t need = global_locale ? strxfrm(&keys[at], source.c_str(), room)
                                                   : strxfrm_l(&keys[at], source.c_str(), room, lt);
            if (need < room) {
                keys.resize(at + need);
                break;
            }
            room = need + 1;
        }
        key_start[order[i]] = at;
        key_len[order[i]] = static_cast<std::uint32_t>(keys.size() - at);
    }
    auto key_of = [&](std::uint32_t c) {
        return std::string_view(keys.data() + key_start[c], key_len[c]);
    };
    SortByKeys(ctx, index, order, key_of);
    if (!OrderedByVarstrCmp(index, order, collation)) SortWithVarstrCmp(index, order, collation);
}

}  // namespace pg
}  // namespace ca
