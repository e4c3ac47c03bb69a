// Failures are values: a stable snake_case code, the request field it concerns,
// and one human message that names the bad value.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace headroom {

struct Error {
    std::string code;     // stable snake_case id, e.g. "unknown_model"
    std::string field;    // request field, e.g. "model" or "hardware.memory_gb"
    std::string message;  // one sentence naming the value
};

inline Error make_error(std::string code, std::string field, std::string message) {
    return Error{std::move(code), std::move(field), std::move(message)};
}

// Result<T>: either a value or an Error. Small on purpose (no exceptions across the API).
template <typename T>
class Result {
public:
    Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
    Result(Error error) : data_(std::move(error)) {}    // NOLINT(google-explicit-constructor)

    bool ok() const { return std::holds_alternative<T>(data_); }
    explicit operator bool() const { return ok(); }
    const T& value() const { return std::get<T>(data_); }
    T& value() { return std::get<T>(data_); }
    const T& operator*() const { return value(); }
    T& operator*() { return value(); }
    const T* operator->() const { return &value(); }
    T* operator->() { return &value(); }
    const Error& error() const { return std::get<Error>(data_); }

private:
    std::variant<T, Error> data_;
};

}  // namespace headroom
