// Temporary directories: where they go ($TMPDIR, or /tmp), that they are fresh, that the owner
// removes them with their contents and a moved-from owner removes nothing, and a clear error
// when none can be made.

#include "common/temp_dir.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace {

namespace common = remora::common;
namespace fs = std::filesystem;

// Sets $TMPDIR for one scope and restores it.
class TmpdirOverride {
public:
    explicit TmpdirOverride(const std::string& value) {
        if (const char* old = std::getenv("TMPDIR")) m_old = old;
        ::setenv("TMPDIR", value.c_str(), 1);
    }
    ~TmpdirOverride() {
        if (m_old) {
            ::setenv("TMPDIR", m_old->c_str(), 1);
        } else {
            ::unsetenv("TMPDIR");
        }
    }
    TmpdirOverride(const TmpdirOverride&) = delete;
    TmpdirOverride& operator=(const TmpdirOverride&) = delete;

private:
    std::optional<std::string> m_old;
};

}  // namespace

TEST_CASE("a temporary directory is fresh, under $TMPDIR, and removed with its contents") {
    auto base = common::TempDir::create("remora-temp-dir-test-base");
    REQUIRE(base.is_ok());
    TmpdirOverride tmpdir(base->path());
    CHECK(common::temp_base_dir() == base->path());

    std::string path;
    {
        auto dir = common::TempDir::create("probe");
        REQUIRE(dir.is_ok());
        path = dir->path();
        CHECK(fs::path(path).parent_path() == fs::path(base->path()));
        CHECK(fs::path(path).filename().string().rfind("probe-", 0) == 0);
        CHECK(fs::is_directory(path));
        CHECK(fs::is_empty(path));
        auto other = common::make_temp_dir("probe");
        REQUIRE(other.is_ok());
        CHECK(other.value() != path);
        fs::create_directories(path + "/a/b");
        std::ofstream(path + "/a/b/file") << "x";
    }
    CHECK_FALSE(fs::exists(path));
}

TEST_CASE("a moved-from temporary directory removes nothing; the new owner removes it") {
    auto dir = common::TempDir::create("remora-temp-dir-test");
    REQUIRE(dir.is_ok());
    const std::string path = dir->path();
    std::optional<common::TempDir> owner;
    {
        common::TempDir moved = std::move(dir).value();
        owner.emplace(std::move(moved));
    }
    CHECK(fs::is_directory(path));
    owner.reset();
    CHECK_FALSE(fs::exists(path));
}

TEST_CASE("an empty $TMPDIR means /tmp; a missing one is a clear kIoError") {
    {
        TmpdirOverride tmpdir("");
        CHECK(common::temp_base_dir() == "/tmp");
    }
    TmpdirOverride tmpdir("/nonexistent-remora-dir");
    auto dir = common::make_temp_dir("probe");
    REQUIRE_FALSE(dir.is_ok());
    CHECK(dir.status().code() == common::Code::kIoError);
    CHECK_THAT(dir.status().message(), Catch::Contains("/nonexistent-remora-dir/probe-XXXXXX") &&
                                           Catch::Contains("No such file or directory"));
}
