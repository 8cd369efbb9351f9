#pragma once
// A VM value: an unsigned 64-bit integer or a byte string. Values carry their type at run time;
// instructions check operand types and abort with kTypeMismatch on a wrong one.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

#include "common/bytes.h"

namespace remora::executor::vm {

using common::Bytes;
using common::ByteView;

class Value {
public:
    Value() = default;  // the integer 0, the initial value of every local
    static Value integer(std::uint64_t v) { return Value(Storage(std::in_place_index<0>, v)); }
    static Value bytes(Bytes v) { return Value(Storage(std::in_place_index<1>, std::move(v))); }

    bool is_int() const { return m_storage.index() == 0; }
    bool is_bytes() const { return m_storage.index() == 1; }
    // REQUIRES: is_int() / is_bytes().
    std::uint64_t as_int() const { return std::get<0>(m_storage); }
    const Bytes& as_bytes() const { return std::get<1>(m_storage); }
    Bytes& mutable_bytes() { return std::get<1>(m_storage); }

    // Bytes held by this value for memory accounting: the length of a byte string, 0 for ints.
    std::size_t memory_bytes() const { return is_bytes() ? as_bytes().size() : 0; }

    bool operator==(const Value&) const = default;

    // "42" for integers, "0x<hex>" for byte strings (tests and tool output).
    std::string to_string() const;

private:
    using Storage = std::variant<std::uint64_t, Bytes>;
    explicit Value(Storage s) : m_storage(std::move(s)) {}
    Storage m_storage;
};

}  // namespace remora::executor::vm
