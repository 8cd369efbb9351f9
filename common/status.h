#pragma once
// Errors are values (docs/style.md §2): expected failures travel as Status / Result<T>, never as
// exceptions or assertions. RocksDB statuses and Asio error codes are converted at the edges of
// storage and net.

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace remora::common {

enum class Code {
    kOk = 0,
    kNotFound,            // the key, object or file does not exist
    kInvalidArgument,     // the caller broke a documented precondition (bad id, bad order...)
    kCorruption,          // bytes on disk or on the wire failed a check
    kFormatVersion,       // data written by an incompatible format version
    kNotADatabase,        // a directory that is not a Remora database
    kLocked,              // the database is held by another process (a running node)
    kIoError,             // the operating system or RocksDB failed an I/O
    kPruned,              // the requested version is older than the retention watermark
    kVerificationFailed,  // a digest or checksum did not match
    kAlreadyExists,       // a target that must be new or empty is not
    kUnsupported,
    kInternal,
};

const char* code_name(Code code);

class [[nodiscard]] Status {
public:
    Status() = default;
    Status(Code code, std::string message) : m_code(code), m_message(std::move(message)) {}

    static Status ok() { return {}; }
    bool is_ok() const { return m_code == Code::kOk; }
    explicit operator bool() const { return is_ok(); }
    Code code() const { return m_code; }
    const std::string& message() const { return m_message; }
    // "CodeName: message", for logs and CLI errors.
    std::string to_string() const;

    // Prefixes the message with context, keeping the code: "opening DIR: <message>".
    Status with_context(const std::string& context) const;

private:
    Code m_code = Code::kOk;
    std::string m_message;
};

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_value(std::move(value)) {}         // NOLINT(google-explicit-constructor)
    Result(Status status) : m_status(std::move(status)) {  // NOLINT(google-explicit-constructor)
        assert(!m_status.is_ok() && "a Result built from a Status must hold an error");
    }

    bool is_ok() const { return m_value.has_value(); }
    explicit operator bool() const { return is_ok(); }
    const Status& status() const { return m_status; }

    // REQUIRES: is_ok().
    T& value() & {
        assert(is_ok());
        return *m_value;
    }
    const T& value() const& {
        assert(is_ok());
        return *m_value;
    }
    T&& value() && {
        assert(is_ok());
        return std::move(*m_value);
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }

private:
    std::optional<T> m_value;
    Status m_status;
};

}  // namespace remora::common

// Returns early with the error when `expr` (a Status) is not ok.
#define REMORA_RETURN_IF_ERROR(expr)           \
    do {                                       \
        ::remora::common::Status _st = (expr); \
        if (!_st.is_ok()) return _st;          \
    } while (false)

// Invariant checks that stay on in release builds (docs/style.md §3). For programmer errors only:
// bad input is a Status, never an assertion.
#define REMORA_ASSERT(cond)                                                         \
    do {                                                                            \
        if (!(cond)) ::remora::common::assertion_failed(#cond, __FILE__, __LINE__); \
    } while (false)

namespace remora::common {
[[noreturn]] void assertion_failed(const char* expr, const char* file, int line);
}
