#include "key_column.hpp"

#include <cstdio>
#include <string_view>

#include <algorithm>

#include "collation_sort.hpp"
#include "door.hpp"

namespace ca {
namespace pg {

namespace {

bool IsInteger(Oid t) {
    return t == INT2OID || t == INT4OID || t == INT8OID;
}

// No C++ allocation inside Guard: the name is copied out after it.
std::string TypeName(Oid type) {
    char *s = nullptr;
    Guard([&] { s = format_type_be(type); });
    return std::string(s);
}

}  // namespace

std::string KeyColumn::Expression(const std::string &column) const {
    if (kind != Kind::TextForm) return column;
    if (type == NUMERICOID) return "pg_catalog.trim_scale(" + column + ")::pg_catalog.text";
    return column + "::pg_catalog.text";
}

KeyColumn DescribeKey(const ColumnFound &found) {
    KeyColumn key;
    key.type = found.type;
    if (IsInteger(found.type)) {
        key.kind = KeyColumn::Kind::Integer;
    } else if (found.type == TEXTOID || found.type == VARCHAROID) {
        key.kind = KeyColumn::Kind::Text;
        key.collation = found.collation;
    } else {
        key.kind = KeyColumn::Kind::TextForm;
    }
    return key;
}

KeyOutput::KeyOutput(const KeyColumn &key, Oid result_type, const char *column,
                     const char *type_arg)
    : key_(key), result_type_(result_type), column_(column) {
    const bool integer_key = key.kind == KeyColumn::Kind::Integer;
    if (result_type == TEXTOID || result_type == VARCHAROID) {
        via_ = Via::Text;
    } else if (integer_key && result_type == INT8OID) {
        via_ = Via::Int8;
    } else if (integer_key && result_type == INT4OID) {
        via_ = Via::Int4;
    } else if (integer_key && result_type == INT2OID) {
        via_ = Via::Int2;
    } else if (integer_key && result_type == NUMERICOID) {
        via_ = Via::Numeric;
    } else if (!integer_key && result_type == key.type) {
        via_ = Via::Input;
        Oid *function = &input_function_;
        Oid *param = &input_param_;
        Guard([&] { getTypeInputInfo(result_type, function, param); });
    } else {
        const std::string have = TypeName(key.type);
        const std::string want = TypeName(result_type);
        throw SqlError(
            ERRCODE_DATATYPE_MISMATCH,
            std::string(type_arg) + " asks for " + column + " as " + want + ", but the query's " +
                column + " is " + have,
            std::string("Ids can be returned in their own type, as text, and integer ids "
                        "as any integer type or numeric."),
            "Pass NULL::" + have + (key.type == TEXTOID ? "" : " (or NULL::text)") + " as " +
                type_arg + ".");
    }
}

Datum KeyOutput::Make(const ca::CustomerIndex &index, std::uint32_t i) const {
    if (key_.kind == KeyColumn::Kind::Integer) {
        const std::int64_t id = index.IntegerId(i);
        switch (via_) {
            case Via::Int8:
                return Int64GetDatum(id);
            case Via::Int4:
            case Via::Int2: {
                const bool fits = via_ == Via::Int4 ? (id >= PG_INT32_MIN && id <= PG_INT32_MAX)
                                                    : (id >= PG_INT16_MIN && id <= PG_INT16_MAX);
                if (!fits)
                    ereport(ERROR,
                            (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                             errmsg("%s %lld does not fit in %s", column_,
                                    static_cast<long long>(id), format_type_be(result_type_)),
                             errhint("Ask for a wider type, for example bigint.")));
                return via_ == Via::Int4 ? Int32GetDatum(static_cast<int32>(id))
                                         : Int16GetDatum(static_cast<int16>(id));
            }
            case Via::Numeric:
                return DirectFunctionCall1(int8_numeric, Int64GetDatum(id));
            default: {
                char text[32];
                snprintf(text, sizeof text, "%lld", static_cast<long long>(id));
                return PointerGetDatum(cstring_to_text(text));
            }
        }
    }
    const std::string_view bytes = index.BytesId(i);
    if (via_ == Via::Input) {
        char *s = pnstrdup(bytes.data(), bytes.size());
        return OidInputFunctionCall(input_function_, s, input_param_, -1);
    }
    return PointerGetDatum(cstring_to_text_with_len(bytes.data(), static_cast<int>(bytes.size())));
}

Datum KeyOutput::MakeArray(const ca::CustomerIndex &index, const std::uint32_t *entries,
                           std::size_t n) const {
    Datum *elems = static_cast<Datum *>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
    for (std::size_t i = 0; i < n; ++i) elems[i] = Make(index, entries[i]);
    int16 typlen;
    bool typbyval;
    char typalign;
    get_typlenbyvalalign(result_type_, &typlen, &typbyval, &typalign);
    return PointerGetDatum(
        construct_array(elems, static_cast<int>(n), result_type_, typlen, typbyval, typalign));
}

Oid ArrayElementType(Oid type) {
    Oid element = InvalidOid;
    Guard([&] { element = get_element_type(type); });
    if (element == InvalidOid)
        throw SqlError(ERRCODE_DATATYPE_MISMATCH, TypeName(type) + " is not an array type");
    return element;
}

KeyList KeyArrayArg(FunctionCallInfo fcinfo, int n, const char *name, const KeyColumn &key) {
    KeyList out;
    out.integer = key.kind == KeyColumn::Kind::Integer;
    if (PG_ARGISNULL(n)) return out;
    ArrayType *array = nullptr;
    Oid element = InvalidOid;
    int ndim = 0;
    Guard([&] {
        array = PG_GETARG_ARRAYTYPE_P(n);
        element = ARR_ELEMTYPE(array);
        ndim = ARR_NDIM(array);
    });
    if (ndim > 1)
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                       std::string(name) + " must be a one-dimensional array",
                       "It has " + std::to_string(ndim) + " dimensions.");
    const bool text_elements = element == TEXTOID || element == VARCHAROID;
    bool fits = false;
    switch (key.kind) {
        case KeyColumn::Kind::Integer:
            fits = IsInteger(element);
            break;
        case KeyColumn::Kind::Text:
            fits = text_elements;
            break;
        case KeyColumn::Kind::TextForm:
            fits = text_elements || element == key.type;
            break;
    }
    if (!fits) {
        const std::string have = TypeName(element);
        const std::string want = TypeName(key.type);
        throw SqlError(ERRCODE_DATATYPE_MISMATCH,
                       std::string(name) + " is " + have + "[], but the query's ids are " + want,
                       {},
                       key.kind == KeyColumn::Kind::TextForm ? "Pass " + want + "[] (or text[])."
                                                             : "Pass " + want + "[].");
    }
    Datum *elems = nullptr;
    bool *nulls = nullptr;
    int count = 0;
    char **texts = nullptr;  // text forms, for non-integer keys
    Guard([&] {
        int16 typlen;
        bool typbyval;
        char typalign;
        get_typlenbyvalalign(element, &typlen, &typbyval, &typalign);
        deconstruct_array(array, element, typlen, typbyval, typalign, &elems, &nulls, &count);
        if (key.kind == KeyColumn::Kind::Integer) return;
        texts = static_cast<char **>(palloc0(sizeof(char *) * (count > 0 ? count : 1)));
        Oid output = InvalidOid;
        bool varlena = false;
        if (!text_elements) getTypeOutputInfo(element, &output, &varlena);
        for (int i = 0; i < count; ++i) {
            if (nulls[i]) continue;
            if (text_elements) {
                texts[i] = TextDatumGetCString(elems[i]);
            } else {
                Datum d = elems[i];
                if (element == NUMERICOID) d = DirectFunctionCall1(numeric_trim_scale, d);
                texts[i] = OidOutputFunctionCall(output, d);
            }
        }
    });
    for (int i = 0; i < count; ++i) {
        if (nulls[i])
            throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                           std::string(name) + " must not contain nulls",
                           "Element " + std::to_string(i + 1) + " is null.");
        if (out.integer) {
            out.ints.push_back(element == INT8OID   ? DatumGetInt64(elems[i])
                               : element == INT4OID ? DatumGetInt32(elems[i])
                                                    : DatumGetInt16(elems[i]));
        } else {
            out.bytes.emplace_back(texts[i]);
        }
    }
    return out;
}

void SortByKey(ca::ExecContext &ctx, const ca::CustomerIndex &index,
               ca::BudgetVector<std::uint32_t> &order, const KeyColumn &key) {
    if (key.kind == KeyColumn::Kind::Integer) {
        std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            ctx.Tick();
            return index.IntegerId(a) < index.IntegerId(b);
        });
    } else if (key.kind == KeyColumn::Kind::Text) {
        SortByCollation(ctx, index, order, key.collation);
    } else {
        std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            ctx.Tick();
            return index.BytesId(a) < index.BytesId(b);
        });
    }
}

ca::BudgetVector<std::uint32_t> KeyRanks(ca::ExecContext &ctx, const ca::CustomerIndex &index,
                                         const KeyColumn &key) {
    const std::uint32_t n = static_cast<std::uint32_t>(index.size());
    auto order = ca::MakeBudgetVector<std::uint32_t>(ctx);
    order.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
    SortByKey(ctx, index, order, key);
    auto rank = ca::MakeBudgetVector<std::uint32_t>(ctx);
    rank.resize(n);
    for (std::uint32_t r = 0; r < n; ++r) {
        ctx.Tick();
        rank[order[r]] = r;
    }
    return rank;
}

Oid ResultColumnType(FunctionCallInfo fcinfo, int attno) {
    Oid type = InvalidOid;
    Guard([&] {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "return type must be a row type");
        type = TupleDescAttr(desc, attno - 1)->atttypid;
    });
    return type;
}

}  // namespace pg
}  // namespace ca
