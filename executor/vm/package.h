#pragma once
// A package: a constant pool of byte strings and a list of functions. Package is plain data (what
// the assembler builds and the codec decodes); VerifiedPackage is a package that passed the
// bytecode verifier, the only form the interpreter accepts.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.h"

namespace remora::executor::vm {

using common::Bytes;

struct Function {
    std::string name;               // [A-Za-z_][A-Za-z0-9_]*, unique in the package
    std::uint8_t arg_count = 0;     // locals 0..arg_count-1 receive the arguments
    std::uint8_t local_count = 0;   // extra locals after the arguments, initialised to int 0
    std::uint8_t return_count = 0;  // values on the operand stack at `ret`
    Bytes code;

    std::size_t slot_count() const { return std::size_t{arg_count} + local_count; }
    bool operator==(const Function&) const = default;
};

struct Package {
    std::vector<Bytes> constants;
    std::vector<Function> functions;

    // Index of the function called `name`, if any.
    std::optional<std::uint16_t> find_function(std::string_view name) const;
    bool operator==(const Package&) const = default;
};

class VerifiedPackage {
public:
    const Package& package() const { return m_package; }
    const Function& function(std::size_t index) const { return m_package.functions[index]; }
    std::size_t function_count() const { return m_package.functions.size(); }
    // Highest operand stack height the function reaches (from the verifier).
    std::uint32_t max_stack(std::size_t index) const { return m_max_stack[index]; }

private:
    friend class Verifier;
    VerifiedPackage(Package package, std::vector<std::uint32_t> max_stack)
        : m_package(std::move(package)), m_max_stack(std::move(max_stack)) {}

    Package m_package;
    std::vector<std::uint32_t> m_max_stack;
};

// True for a valid function name: 1..limits::kFunctionNameBytesMax of [A-Za-z0-9_], not
// starting with a digit.
bool is_valid_function_name(std::string_view name);

}  // namespace remora::executor::vm
