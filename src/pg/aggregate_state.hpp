// What every aggregate with an `internal` state needs from PostgreSQL, for any core state type
// State (docs/architecture.md, "Aggregates"):
//   AggregateContext(fcinfo, fn)        the aggregate's memory context (AggCheckCallContext);
//                                       an error when called outside an aggregate
//   NewAggregateState<State>(ctx, ...)  a State constructed in that context; a State with a
//                                       non-trivial destructor (it owns C++ memory) gets a reset
//                                       callback that destroys it when the context is reset or
//                                       deleted, errors included
//   StateArg<State>(fcinfo, n)          argument n as a State, nullptr for NULL
//   SerializeState(state)               bytea of State::Serialize(std::string &), the core's
//                                       portable byte format
//   DeserializeState<State>(fcinfo, ctx, what, args...)
//                                       State::Deserialize(const char *, size_t, args...) of arg 0
//                                       into a new state; the core's DataException for malformed
//                                       bytes becomes XX001 data_corrupted "invalid <what> state"
// Only for CA_FUNCTION bodies: they throw C++ exceptions, and every PostgreSQL call that can
// ereport runs inside Guard.
#pragma once

#include <cstring>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

#include "door.hpp"
#include "errors.hpp"

namespace ca::pg {

inline MemoryContext AggregateContext(FunctionCallInfo fcinfo, const char *fn) {
    MemoryContext context = nullptr;
    Guard([&] {
        if (!AggCheckCallContext(fcinfo, &context))
            elog(ERROR, "%s called in non-aggregate context", fn);
    });
    return context;
}

namespace detail {
// Runs during a reset or delete of the aggregate context, aborts included: destructors do not
// throw, and it calls no PostgreSQL function.
template <typename State>
void DestroyState(void *state) noexcept {
    static_cast<State *>(state)->~State();
}
}  // namespace detail

template <typename State, typename... Args>
State *NewAggregateState(MemoryContext context, Args &&...args) {
    static_assert(alignof(State) <= MAXIMUM_ALIGNOF, "palloc aligns to MAXIMUM_ALIGNOF only");
    constexpr bool owns_memory = !std::is_trivially_destructible<State>::value;
    void *memory = nullptr;
    MemoryContextCallback *callback = nullptr;
    Guard([&] {
        memory = MemoryContextAllocZero(context, sizeof(State));
        if (owns_memory)
            callback = static_cast<MemoryContextCallback *>(
                MemoryContextAllocZero(context, sizeof(MemoryContextCallback)));
    });
    // If the constructor throws, nothing is registered yet and the raw memory goes with the
    // context.
    State *state = new (memory) State(std::forward<Args>(args)...);
    if (owns_memory) {
        callback->func = detail::DestroyState<State>;
        callback->arg = state;
        Guard([&] { MemoryContextRegisterResetCallback(context, callback); });
    }
    return state;
}

template <typename State>
State *StateArg(FunctionCallInfo fcinfo, int n) {
    return PG_ARGISNULL(n) ? nullptr : reinterpret_cast<State *>(PG_GETARG_POINTER(n));
}

template <typename State>
Datum SerializeState(const State &state) {
    std::string bytes;
    state.Serialize(bytes);
    const char *data = bytes.data();
    const std::size_t size = bytes.size();
    bytea *out = nullptr;
    Guard([&] {
        out = static_cast<bytea *>(palloc(VARHDRSZ + size));
        SET_VARSIZE(out, VARHDRSZ + size);
        std::memcpy(VARDATA(out), data, size);
    });
    return PointerGetDatum(out);
}

template <typename State, typename... Args>
State *DeserializeState(FunctionCallInfo fcinfo, MemoryContext context, const char *what,
                        Args &&...args) {
    bytea *in = nullptr;
    Guard([&] { in = PG_GETARG_BYTEA_PP(0); });
    const char *data = VARDATA_ANY(in);
    const std::size_t size = VARSIZE_ANY_EXHDR(in);
    try {
        return NewAggregateState<State>(
            context, State::Deserialize(data, size, std::forward<Args>(args)...));
    } catch (const ca::Error &e) {
        if (e.kind() != ca::ErrorKind::DataException) throw;
        throw SqlError(ERRCODE_DATA_CORRUPTED, std::string("invalid ") + what + " state",
                       std::string(e.what()) + ": " + e.detail());
    }
}

}  // namespace ca::pg
