// The manifest codec: what it writes reads back, and no byte string makes it crash or accept
// something malformed.

#include <filesystem>
#include <fstream>
#include <random>

#include <catch2/catch.hpp>

#include "common/limits.h"
#include "recovery/snapshot.h"
#include "recovery/snapshot_manifest.h"
#include "tests/support/temp_dir.h"

namespace remora::testing {
namespace {

namespace fs = std::filesystem;
using common::Code;
using recovery::SnapshotManifest;

SnapshotManifest sample_manifest() {
    SnapshotManifest m;
    m.store_format_version = 1;
    m.shard_count = 16;
    m.commit_index = 123456789;
    for (std::size_t i = 0; i < m.state_digest.bytes.size(); ++i) {
        m.state_digest.bytes[i] = static_cast<std::uint8_t>(i * 7 + 1);
    }
    m.live_objects = 4242;
    m.created_unix_ms = 1700000000000;
    m.files = {{"000012.sst", 4096, 0x0123456789abcdefULL},
               {"CURRENT", 16, 42},
               {"MANIFEST-000005", 163, 0xfedcba9876543210ULL},
               {"OPTIONS-000007", 6904, 7}};
    return m;
}

common::Status decode_error(common::ByteView bytes) {
    auto decoded = recovery::decode_manifest(bytes, "/snap/REMORA-SNAPSHOT");
    REQUIRE_FALSE(decoded.is_ok());
    REQUIRE_THAT(decoded.status().message(), Catch::Contains("/snap/REMORA-SNAPSHOT"));
    return decoded.status();
}

TEST_CASE("manifest encode/decode round trip", "[manifest]") {
    SnapshotManifest m = sample_manifest();
    common::Bytes bytes = recovery::encode_manifest(m);
    REQUIRE(bytes.substr(4, 4) == "RMSN");
    auto decoded = recovery::decode_manifest(bytes, "x");
    REQUIRE(decoded.is_ok());
    REQUIRE(*decoded == m);

    m.files.clear();  // an empty list is well-formed (verify compares it with db/)
    REQUIRE(*recovery::decode_manifest(recovery::encode_manifest(m), "x") == m);
}

TEST_CASE("manifest of another snapshot format is kFormatVersion", "[manifest]") {
    for (std::uint32_t version : {0u, recovery::kSnapshotFormatVersion + 1, 0xffffffffu}) {
        SnapshotManifest m = sample_manifest();
        m.snapshot_format_version = version;
        common::Status status = decode_error(recovery::encode_manifest(m));
        REQUIRE(status.code() == Code::kFormatVersion);
        REQUIRE_THAT(status.message(), Catch::Contains(std::to_string(version)));
    }
}

TEST_CASE("garbage manifests are kCorruption naming the file", "[manifest]") {
    const common::Bytes good = recovery::encode_manifest(sample_manifest());
    SECTION("empty") { REQUIRE(decode_error("").code() == Code::kCorruption); }
    SECTION("short") { REQUIRE(decode_error("RMSN").code() == Code::kCorruption); }
    SECTION("text") {
        REQUIRE(decode_error("this is not a manifest at all, just text").code() ==
                Code::kCorruption);
    }
    SECTION("wrong identifier") {
        common::Bytes bytes = good;
        bytes[4] = 'X';
        REQUIRE_THAT(decode_error(bytes).message(), Catch::Contains("identifier"));
    }
    SECTION("every truncation") {
        for (std::size_t size = 0; size < good.size(); ++size) {
            INFO("size " << size);
            // Cutting only trailing alignment padding may leave the same manifest; anything
            // else is corrupt.
            auto decoded = recovery::decode_manifest(good.substr(0, size), "t");
            if (decoded) {
                REQUIRE(*decoded == sample_manifest());
                REQUIRE(size + 8 > good.size());
            } else {
                REQUIRE(decoded.status().code() == Code::kCorruption);
            }
        }
    }
    SECTION("root offset pointing outside the buffer") {
        common::Bytes bytes = good;
        bytes[0] = bytes[1] = bytes[2] = bytes[3] = '\xff';
        REQUIRE(decode_error(bytes).code() == Code::kCorruption);
    }
    SECTION("random bytes behind a valid identifier") {
        std::mt19937_64 rng(99);
        for (int round = 0; round < 2000; ++round) {
            common::Bytes bytes(8 + rng() % 256, '\0');
            for (char& c : bytes) c = static_cast<char>(rng());
            bytes.replace(4, 4, "RMSN");
            auto decoded = recovery::decode_manifest(bytes, "r");
            REQUIRE(decoded.status().code() != Code::kOk);
        }
    }
}

TEST_CASE("every single-byte change of a manifest decodes safely", "[manifest]") {
    // Each flip either still decodes (a changed scalar: verify's cross-checks catch those) or is
    // an error; it never crashes, and the sanitizer build checks it reads in bounds.
    const common::Bytes good = recovery::encode_manifest(sample_manifest());
    std::size_t rejected = 0;
    for (std::size_t i = 0; i < good.size(); ++i) {
        for (std::uint8_t mask : {0x01, 0x80, 0xff}) {
            common::Bytes bytes = good;
            bytes[i] = static_cast<char>(bytes[i] ^ mask);
            auto decoded = recovery::decode_manifest(bytes, "f");
            if (!decoded) {
                ++rejected;
                Code code = decoded.status().code();
                REQUIRE((code == Code::kCorruption || code == Code::kFormatVersion));
            }
        }
    }
    REQUIRE(rejected > 0);
}

TEST_CASE("manifests with bad file lists are kCorruption", "[manifest]") {
    SnapshotManifest m = sample_manifest();
    SECTION("unsorted") { std::swap(m.files[0], m.files[1]); }
    SECTION("duplicate") { m.files[1].name = m.files[0].name; }
    SECTION("a path, not a name") { m.files[0].name = "../../etc/passwd"; }
    SECTION("dot-dot") { m.files[0].name = ".."; }
    SECTION("empty name") { m.files[0].name = ""; }
    SECTION("NUL inside") { m.files[3].name = std::string("OPT\0IONS", 8); }
    SECTION("overlong name") { m.files[3].name = "Z" + std::string(300, 'a'); }
    SECTION("zero shards") { m.shard_count = 0; }
    SECTION("too many shards") { m.shard_count = common::limits::kShardCountMax + 1; }
    REQUIRE(decode_error(recovery::encode_manifest(m)).code() == Code::kCorruption);
}

TEST_CASE("read_manifest bounds the file size before reading", "[manifest]") {
    TempDir tmp("remora-manifest");
    const std::string snapshot = tmp.sub("snapshot-00000000000000000001");
    fs::create_directories(snapshot);
    const std::string path = snapshot + "/" + recovery::kManifestFileName;
    {
        std::ofstream out(path, std::ios::binary);
        out << recovery::encode_manifest(sample_manifest());
    }
    REQUIRE(*recovery::read_manifest(snapshot) == sample_manifest());

    // A sparse file one byte over the limit: rejected from its size, never allocated.
    fs::resize_file(path, common::limits::kSnapshotManifestBytesMax + 1);
    auto oversized = recovery::read_manifest(snapshot);
    REQUIRE(oversized.status().code() == Code::kCorruption);
    REQUIRE_THAT(oversized.status().message(), Catch::Contains(path));

    fs::remove(path);
    fs::create_directory(path);  // a directory where the manifest should be
    auto directory = recovery::read_manifest(snapshot);
    REQUIRE(directory.status().code() == Code::kCorruption);
    REQUIRE_THAT(directory.status().message(), Catch::Contains(path));
}

}  // namespace
}  // namespace remora::testing
