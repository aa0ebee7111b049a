// Reading SQL arguments into C++ values (each PostgreSQL call inside Guard).
#pragma once

#include <string>
#include <vector>

#include "door.hpp"
#include "errors.hpp"

namespace ca {
namespace pg {

// False when the argument is NULL.
inline bool TextArg(FunctionCallInfo fcinfo, int n, std::string &out) {
    if (PG_ARGISNULL(n)) return false;
    char *s = nullptr;
    Guard([&] { s = text_to_cstring(PG_GETARG_TEXT_PP(n)); });
    out = s;
    Guard([&] { pfree(s); });
    return true;
}

// A text argument that must not be NULL (SQLSTATE 22004 otherwise).
inline std::string RequiredTextArg(FunctionCallInfo fcinfo, int n, const char *name) {
    std::string out;
    if (!TextArg(fcinfo, n, out))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, std::string(name) + " must not be null");
    return out;
}

// A time zone argument; false when NULL. The name is checked at once, whatever the input's type or
// size: PostgreSQL's own error (22023) when it does not know the zone.
inline bool TimeZoneArg(FunctionCallInfo fcinfo, int n, std::string &zone) {
    if (!TextArg(fcinfo, n, zone)) return false;
    const char *name = zone.c_str();
    Guard([&] {
        DirectFunctionCall2(timestamptz_zone, CStringGetTextDatum(name), TimestampTzGetDatum(0));
    });
    return true;
}

// A double precision argument that must not be NULL (SQLSTATE 22004 otherwise).
inline double RequiredFloat8Arg(FunctionCallInfo fcinfo, int n, const char *name) {
    if (PG_ARGISNULL(n))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, std::string(name) + " must not be null");
    return PG_GETARG_FLOAT8(n);
}

// An optional size bound (integer): NULL gives `none`; otherwise at least 1 (22023).
inline std::size_t SizeArg(FunctionCallInfo fcinfo, int n, const char *name, std::size_t none) {
    if (PG_ARGISNULL(n)) return none;
    const int32 v = PG_GETARG_INT32(n);
    if (v < 1)
        throw ca::InvalidParameter(std::string(name) + " must be at least 1",
                                   std::string(name) + " was " + std::to_string(v) + ".",
                                   "Pass a positive size, or NULL for no bound.");
    return static_cast<std::size_t>(v);
}

// A float8[] argument; false when NULL. NULL elements are an error (22004).
inline bool Float8ArrayArg(FunctionCallInfo fcinfo, int n, const char *name,
                           std::vector<double> &out) {
    if (PG_ARGISNULL(n)) return false;
    Datum *elems = nullptr;
    bool *nulls = nullptr;
    int count = 0;
    Guard([&] {
        ArrayType *array = PG_GETARG_ARRAYTYPE_P(n);
        if (ARR_NDIM(array) > 1)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("%s must be a one-dimensional array", name),
                            errdetail("It has %d dimensions.", ARR_NDIM(array))));
        deconstruct_array(array, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
                          &elems, &nulls, &count);
    });
    out.clear();
    for (int i = 0; i < count; ++i) {
        if (nulls[i])
            throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                           std::string(name) + " must not contain nulls",
                           "Element " + std::to_string(i + 1) + " is null.");
        out.push_back(DatumGetFloat8(elems[i]));
    }
    return true;
}

// An integer[] argument; false when NULL. More than one dimension, more than max_elements
// elements (checked before the array is taken apart) or a NULL element is 22023.
inline bool Int32ArrayArg(FunctionCallInfo fcinfo, int n, const char *name,
                          std::size_t max_elements, std::vector<std::int64_t> &out) {
    if (PG_ARGISNULL(n)) return false;
    Datum *elems = nullptr;
    bool *nulls = nullptr;
    int count = 0;
    int dims = 0;
    std::size_t items = 0;
    ArrayType *array = nullptr;
    Guard([&] {
        array = PG_GETARG_ARRAYTYPE_P(n);
        dims = ARR_NDIM(array);
        items = static_cast<std::size_t>(ArrayGetNItems(dims, ARR_DIMS(array)));
    });
    if (dims > 1)
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                       std::string(name) + " must be a one-dimensional array",
                       "It has " + std::to_string(dims) + " dimensions.");
    if (items > max_elements)
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                       std::string(name) + " has too many elements",
                       "It has " + std::to_string(items) + " elements; at most " +
                           std::to_string(max_elements) + " are accepted.");
    Guard([&] {
        deconstruct_array(array, INT4OID, sizeof(int32), true, TYPALIGN_INT, &elems, &nulls,
                          &count);
    });
    out.clear();
    for (int i = 0; i < count; ++i) {
        if (nulls[i])
            throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                           std::string(name) + " must not contain nulls",
                           "Element " + std::to_string(i + 1) + " is null.");
        out.push_back(DatumGetInt32(elems[i]));
    }
    return true;
}

}  // namespace pg
}  // namespace ca
