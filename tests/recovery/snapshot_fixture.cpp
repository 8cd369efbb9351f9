#include "tests/recovery/snapshot_fixture.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace remora::testing {

namespace fs = std::filesystem;

SourceStore::SourceStore(std::string dir, std::uint64_t seed, std::uint32_t shard_count)
    : m_dir(std::move(dir)), m_seed(seed) {
    storage::StoreOptions options;
    options.create_if_missing = true;
    options.shard_count = shard_count;
    options.sync = false;  // durability of commits is the storage crash test's subject
    m_store = require_ok(storage::Store::open(m_dir, storage::OpenMode::kReadWrite, options));
}

void SourceStore::commit_until(common::CommitIndex last) {
    while (m_oracle.applied_commit() < last) {
        storage::CommitInput input =
            generate_commit(m_seed, m_oracle.applied_commit() + 1, m_oracle);
        common::Status status = m_store->commit(input);
        INFO("commit " << input.index << ": " << status.to_string());
        REQUIRE(status.is_ok());
        m_oracle.apply(input);
    }
    REQUIRE(m_store->status().applied_commit == last);
}

std::string find_db_file(const std::string& snapshot_path, const std::string& prefix,
                         const std::string& suffix) {
    fs::path db = fs::path(snapshot_path) / recovery::kSnapshotDbDirName;
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(db)) names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
        if (name.starts_with(prefix) && name.ends_with(suffix)) return (db / name).string();
    }
    FAIL("no file " << prefix << "*" << suffix << " in " << db);
    return {};
}

void flip_byte(const std::string& path, std::uint64_t offset) {
    REQUIRE(offset < fs::file_size(path));
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(file.good());
    file.seekg(static_cast<std::streamoff>(offset));
    char byte = 0;
    file.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x01);
    file.seekp(static_cast<std::streamoff>(offset));
    file.write(&byte, 1);
    file.close();
    REQUIRE_FALSE(file.fail());
}

std::string copy_snapshot(const std::string& snapshot_path, const std::string& parent) {
    fs::create_directories(parent);
    fs::path target = fs::path(parent) / fs::path(snapshot_path).filename();
    fs::copy(snapshot_path, target, fs::copy_options::recursive);
    return target.string();
}

void overwrite_manifest(const std::string& snapshot_path, common::ByteView bytes) {
    std::ofstream out(fs::path(snapshot_path) / recovery::kManifestFileName,
                      std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    REQUIRE_FALSE(out.fail());
}

std::vector<common::ObjectId> all_pool_ids() {
    std::vector<common::ObjectId> ids;
    for (std::uint64_t k = 0; k < GeneratorOptions{}.id_pool_size; ++k) ids.push_back(pool_id(k));
    return ids;
}

}  // namespace remora::testing
