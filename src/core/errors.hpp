// Typed errors thrown by the core. The PostgreSQL glue maps each kind to a SQLSTATE
// (src/pg/door.cpp); the Catch2 tests check which kind a bad input raises.
#pragma once

#include <stdexcept>
#include <string>

namespace ca {

enum class ErrorKind {
    InvalidParameter,  // 22023 invalid_parameter_value
    DataException,     // 22000 data_exception
    MemoryLimit,       // 53200 out_of_memory
    Cancelled,         // 57014 query_canceled
};

// Messages follow PostgreSQL's style: lower case, no trailing period; the offending value goes in
// `detail`, what to do about it in `hint`.
class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, const std::string &message, std::string detail = {},
          std::string hint = {})
        : std::runtime_error(message),
          kind_(kind),
          detail_(std::move(detail)),
          hint_(std::move(hint)) {}

    ErrorKind kind() const noexcept { return kind_; }
    const std::string &detail() const noexcept { return detail_; }
    const std::string &hint() const noexcept { return hint_; }

  private:
    ErrorKind kind_;
    std::string detail_;
    std::string hint_;
};

// A number as error messages show it: up to 15 significant digits, no trailing zeros.
// (Defined in errors.cpp: PostgreSQL's port.h redefines snprintf in the glue's translation units.)
std::string ShowNumber(double v);

inline Error InvalidParameter(const std::string &message, std::string detail = {},
                              std::string hint = {}) {
    return Error(ErrorKind::InvalidParameter, message, std::move(detail), std::move(hint));
}

inline Error DataException(const std::string &message, std::string detail = {},
                           std::string hint = {}) {
    return Error(ErrorKind::DataException, message, std::move(detail), std::move(hint));
}

}  // namespace ca
