#include "tests/support/temp_dir.h"

#include <stdexcept>

namespace remora::testing {

namespace {

common::TempDir create_or_throw(const std::string& prefix) {
    auto dir = common::TempDir::create(prefix);
    if (!dir) throw std::runtime_error(dir.status().to_string());
    return std::move(dir).value();
}

}  // namespace

TempDir::TempDir(const std::string& prefix)
    : m_dir(create_or_throw(prefix)), m_path(m_dir.path()) {}

}  // namespace remora::testing
