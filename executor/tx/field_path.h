#pragma once
// The name of a field in a decoding error ("effects.written[3].id"), written out only when an
// error names it: decoding a valid buffer builds no name strings, and the names an error gives
// are exactly those a string concatenation would have given.
//
// A FieldPath refers to its parent and to its text without owning them: make one as a function
// argument, or as a local whose parent and text outlive it.

#include <cstddef>
#include <string>
#include <string_view>

namespace remora::executor {

class FieldPath {
public:
    FieldPath(const char* name) : m_text(name) {}         // NOLINT(google-explicit-constructor)
    FieldPath(const std::string& name) : m_text(name) {}  // NOLINT(google-explicit-constructor)
    // `parent` followed by `suffix`, e.g. FieldPath(input, ".id").
    FieldPath(const FieldPath& parent, std::string_view suffix)
        : m_parent(&parent), m_text(suffix) {}
    // `parent[index]`.
    FieldPath(const FieldPath& parent, std::size_t index)
        : m_parent(&parent), m_index(index), m_indexed(true) {}

    std::string str() const {
        std::string out = m_parent != nullptr ? m_parent->str() : std::string();
        if (m_indexed) {
            out += '[';
            out += std::to_string(m_index);
            out += ']';
        } else {
            out += m_text;
        }
        return out;
    }

private:
    const FieldPath* m_parent = nullptr;
    std::string_view m_text;
    std::size_t m_index = 0;
    bool m_indexed = false;
};

}  // namespace remora::executor
