// What every long-running core computation receives from its caller: a way to notice query
// cancellation, and a memory budget that large allocations are charged against. Shared by all
// analytics; the PostgreSQL glue wires the hook to CHECK_FOR_INTERRUPTS and the budget to
// customer_analytics.memory_limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "errors.hpp"

namespace ca {

// Called from long loops. It returns normally when the work may go on and throws (a
// ca::Error of kind Cancelled, or whatever the caller's own cancellation exception is) when not.
using InterruptHook = void (*)(void *arg);

class ExecContext {
  public:
    static constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();
    // Loops call Tick() per item; the hook runs once every kTickInterval items.
    static constexpr std::uint32_t kTickInterval = 4096;

    explicit ExecContext(std::size_t memory_limit = kUnlimited, InterruptHook hook = nullptr,
                         void *hook_arg = nullptr)
        : limit_(memory_limit), hook_(hook), hook_arg_(hook_arg) {}

    ExecContext(const ExecContext &) = delete;
    ExecContext &operator=(const ExecContext &) = delete;

    void CheckInterrupts() const {
        if (hook_ != nullptr) hook_(hook_arg_);
    }

    void Tick() {
        if (++ticks_ % kTickInterval == 0) CheckInterrupts();
    }

    // Records `bytes` as in use; throws a MemoryLimit error (and records nothing) when that would
    // take the total above the limit.
    void Charge(std::size_t bytes);
    void Release(std::size_t bytes) noexcept { used_ = bytes > used_ ? 0 : used_ - bytes; }

    std::size_t used() const noexcept { return used_; }
    std::size_t peak() const noexcept { return peak_; }
    std::size_t limit() const noexcept { return limit_; }

  private:
    std::size_t limit_;
    std::size_t used_ = 0;
    std::size_t peak_ = 0;
    std::uint32_t ticks_ = 0;
    InterruptHook hook_;
    void *hook_arg_;
};

// A std::allocator that charges every allocation to an ExecContext, so containers that grow with
// the input are held to the memory limit.
template <typename T>
class BudgetAllocator {
  public:
    using value_type = T;

    explicit BudgetAllocator(ExecContext &ctx) noexcept : ctx_(&ctx) {}
    template <typename U>
    BudgetAllocator(const BudgetAllocator<U> &other) noexcept : ctx_(other.context()) {}

    T *allocate(std::size_t n) {
        if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_alloc();
        ctx_->Charge(n * sizeof(T));
        try {
            return std::allocator<T>().allocate(n);
        } catch (...) {
            ctx_->Release(n * sizeof(T));
            throw;
        }
    }
    void deallocate(T *p, std::size_t n) noexcept {
        std::allocator<T>().deallocate(p, n);
        ctx_->Release(n * sizeof(T));
    }

    ExecContext *context() const noexcept { return ctx_; }

    template <typename U>
    bool operator==(const BudgetAllocator<U> &o) const noexcept {
        return ctx_ == o.context();
    }
    template <typename U>
    bool operator!=(const BudgetAllocator<U> &o) const noexcept {
        return ctx_ != o.context();
    }

  private:
    ExecContext *ctx_;
};

template <typename T>
using BudgetVector = std::vector<T, BudgetAllocator<T>>;

template <typename T>
BudgetVector<T> MakeBudgetVector(ExecContext &ctx) {
    return BudgetVector<T>(BudgetAllocator<T>(ctx));
}

}  // namespace ca
