// The commit pipeline's writer (storage/commit_writer.h) on a real RocksDB whose log fsyncs and
// table files are held on command: what submit() lets the owner do while fsyncs lag, with and
// without a memtable flush running (docs/storage_format.md, "The commit pipeline").

#include <catch2/catch.hpp>

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "storage/commit_writer.h"
#include "tests/support/temp_dir.h"

namespace remora::storage {
namespace {

using namespace std::chrono_literals;

// A file system that, while `held`, makes every fsync and every new table file wait until
// release(): a log fsync that does not come back, and a flush that cannot finish.
class HoldingFileSystem : public rocksdb::FileSystemWrapper {
public:
    explicit HoldingFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base)
        : rocksdb::FileSystemWrapper(base) {}
    const char* Name() const override { return "HoldingFileSystem"; }

    void hold() {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_held = true;
    }
    void release() {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_held = false;
        }
        m_released.notify_all();
    }
    void wait_while_held() {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_released.wait(lock, [&] { return !m_held; });
    }

    class File : public rocksdb::FSWritableFileOwnerWrapper {
    public:
        File(std::unique_ptr<rocksdb::FSWritableFile> file, HoldingFileSystem& fs)
            : rocksdb::FSWritableFileOwnerWrapper(std::move(file)), m_fs(fs) {}
        rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
            m_fs.wait_while_held();
            return FSWritableFileOwnerWrapper::Sync(options, dbg);
        }
        rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                                rocksdb::IODebugContext* dbg) override {
            m_fs.wait_while_held();
            return FSWritableFileOwnerWrapper::Fsync(options, dbg);
        }

    private:
        HoldingFileSystem& m_fs;
    };

    rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".sst") == 0) wait_while_held();
        std::unique_ptr<rocksdb::FSWritableFile> file;
        rocksdb::IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
        if (s.ok()) *result = std::make_unique<File>(std::move(file), *this);
        return s;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_released;
    bool m_held = false;
};

rocksdb::WriteBatch batch_of(int i) {
    rocksdb::WriteBatch batch;
    (void)batch.Put("key-" + std::to_string(i), std::string(1000, static_cast<char>('a' + i)));
    return batch;
}

// Polls `done` for up to 10 s.
template <typename Pred>
bool eventually(Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

}  // namespace

TEST_CASE("while a flush runs, the pipeline's owner does not get ahead of the fsyncs",
          "[pipeline]") {
    testing::TempDir tmp;
    auto fs = std::make_shared<HoldingFileSystem>(rocksdb::FileSystem::Default());
    std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
    rocksdb::Options options;
    options.create_if_missing = true;
    options.env = env.get();
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(options, tmp.sub("db"), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    const bool flushing = GENERATE(false, true);
    // Released by the end of the test however it ends, so that no thread waits forever.
    struct Release {
        HoldingFileSystem& fs;
        ~Release() { fs.release(); }
    } release{*fs};
    {
        rocksdb::WriteOptions synced;
        synced.sync = true;
        const std::function<void(CommitIndex)> no_observer;
        auto writer = CommitWriter::start(*db, synced, 1, 0, no_observer);
        REQUIRE(writer != nullptr);

        fs->hold();  // from here no fsync comes back
        writer->submit(1, batch_of(1));
        REQUIRE(eventually([&] { return writer->stats().writes >= 1; }));
        // One written batch waits for its fsync: the writer takes the next one anyway.
        writer->submit(2, batch_of(2));
        REQUIRE(eventually([&] { return writer->stats().writes >= 2; }));
        CHECK(writer->poll().durable == 0);
        if (flushing) {
            rocksdb::FlushOptions no_wait;
            no_wait.wait = false;
            REQUIRE(db->Flush(no_wait).ok());
            REQUIRE(eventually([&] {
                std::uint64_t running = 0;
                return db->GetIntProperty(rocksdb::DB::Properties::kNumRunningFlushes, &running) &&
                       running > 0;
            }));
        }
        // Two written batches wait for their fsync, so the writer leaves batch 3 queued. Without
        // a flush submit() returns at once (one batch queued); during one it waits for room
        // among the fsyncs too.
        std::atomic<bool> returned{false};
        std::thread owner([&] {
            writer->submit(3, batch_of(3));
            returned = true;
        });
        if (flushing) {
            std::this_thread::sleep_for(300ms);
            CHECK_FALSE(returned.load());
        } else {
            CHECK(eventually([&] { return returned.load(); }));
        }
        fs->release();
        CHECK(eventually([&] { return returned.load(); }));
        owner.join();
        auto progress = writer->wait(3);
        CHECK(progress.durable == 3);
        CHECK_FALSE(progress.failed.has_value());
    }
    std::string value;
    CHECK(db->Get(rocksdb::ReadOptions(), "key-3", &value).ok());
}

}  // namespace remora::storage
