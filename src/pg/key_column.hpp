// Key columns of the user's queries (customer_id today, an item or order id next): how the C++ side
// keys their values, and how a result gives them back in the type the caller asked for. One
// mechanism for every analytic that returns ids (docs/architecture.md, "Typed ids").
#pragma once

#include "pg_headers.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "customer_index.hpp"
#include "inner_query.hpp"

namespace ca {
namespace pg {

// How a key column's values reach the C++ side.
struct KeyColumn {
    enum class Kind {
        Integer,   // smallint, integer, bigint: keyed as 64-bit integers
        Text,      // text, varchar: keyed by their bytes (ordered in `collation`)
        TextForm,  // any other type: keyed by its text form (numeric without trailing zeros, so
                   // that 1.0 and 1.00 are one key, as they are equal in SQL)
    };
    Kind kind = Kind::Integer;
    Oid type = InvalidOid;       // the column's type in the user's query
    Oid collation = InvalidOid;  // Text: the column's collation; else InvalidOid

    ca::CustomerIndex::KeyKind IndexKind() const {
        return kind == Kind::Integer ? ca::CustomerIndex::KeyKind::Integer
                                     : ca::CustomerIndex::KeyKind::Bytes;
    }
    // How StreamQuery converts the values of Expression().
    Conversion StreamConversion() const {
        return kind == Kind::Integer ? Conversion::Int64 : Conversion::Text;
    }
    // The SQL expression, over `column` (e.g. "q.customer_id"), whose values are the keys. Names
    // everything with its schema.
    std::string Expression(const std::string &column) const;
};

// The key column as DescribeInnerQuery found it.
KeyColumn DescribeKey(const ColumnFound &found);

// Turns keys of a CustomerIndex back into values of a result column's type. The type is the one the
// caller chose through a polymorphic argument (say id_type => NULL::bigint): integer keys as any
// integer type (checked per value), numeric or text; text keys as text or varchar; any key as
// text (its text form) or as its own type. Other pairs are refused up front with 42804.
class KeyOutput {
  public:
    // `column` names the result column and `type_arg` the argument that chose its type (for the
    // messages). Call between Door and the result loop, outside Guard.
    KeyOutput(const KeyColumn &key, Oid result_type, const char *column, const char *type_arg);

    // The key of index entry i as a Datum of the result type, allocated in CurrentMemoryContext.
    // Call inside Guard (it may ereport: 22003 when an integer does not fit a narrower type).
    Datum Make(const ca::CustomerIndex &index, std::uint32_t i) const;
    // The keys of entries[0 .. n) as a one-dimensional array of the result type (the element type
    // given to the constructor, see ArrayElementType). Call inside Guard.
    Datum MakeArray(const ca::CustomerIndex &index, const std::uint32_t *entries,
                    std::size_t n) const;

  private:
    enum class Via { Int8, Int4, Int2, Numeric, Text, Input };
    Via via_ = Via::Text;
    KeyColumn key_;
    Oid result_type_;
    const char *column_;
    Oid input_function_ = InvalidOid;  // Via::Input: the result type's input function
    Oid input_param_ = InvalidOid;
};

// The rank of every entry of `index` in the key column's order: integers by value, text in the
// column's collation (as ORDER BY sorts it), other types by the bytes of their text form. Lets a
// result list keys in a stable, natural order (the items of an itemset, say), so that arrays of
// the same keys compare equal. Ticks and counts its memory against ctx.
ca::BudgetVector<std::uint32_t> KeyRanks(ca::ExecContext &ctx, const ca::CustomerIndex &index,
                                         const KeyColumn &key);

// Sorts `order` (some entries of `index`) by their keys in the order KeyRanks uses: a result's
// tie-break by id, as ORDER BY ..., customer_id gives it (top_customers()).
void SortByKey(ca::ExecContext &ctx, const ca::CustomerIndex &index,
               ca::BudgetVector<std::uint32_t> &order, const KeyColumn &key);

// The type of column `attno` (1-based) of the function's declared (polymorphism resolved) result.
Oid ResultColumnType(FunctionCallInfo fcinfo, int attno);
// The element type of an array type (for a result column declared anyarray); 42804 when `type` is
// not an array type.
Oid ArrayElementType(Oid type);

// Ids given as an array argument (a basket, a list of items), as a key column keys them.
struct KeyList {
    bool integer = false;            // ints, else bytes
    std::vector<std::int64_t> ints;  // Kind::Integer keys
    std::vector<std::string> bytes;  // Kind::Text and Kind::TextForm keys
    std::size_t size() const { return integer ? ints.size() : bytes.size(); }
};

// Reads array argument n for `key`: integer keys take arrays of smallint, integer or bigint; text
// keys arrays of text or varchar; other keys arrays of their own type (numeric without trailing
// zeros) or of text (taken as the text form). Another element type is 42804, a NULL element 22004,
// more than one dimension 22023. A NULL array is an empty list.
KeyList KeyArrayArg(FunctionCallInfo fcinfo, int n, const char *name, const KeyColumn &key);

}  // namespace pg
}  // namespace ca
