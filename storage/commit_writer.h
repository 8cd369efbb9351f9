#pragma once
// The store's commit pipeline (StoreOptions::pipeline_depth, docs/storage_format.md, "The
// commit pipeline"): one thread that writes the commits' WriteBatches to RocksDB, in order and
// with the store's write options (the WAL fsync included), while the committing thread decides
// and builds the next commits. The store keeps what is in flight readable itself (store.cpp);
// this class only moves batches to RocksDB and reports how far it got.
//
// Protocol (one owner thread, the store's):
//   submit(index, batch)  queues the batch, which the writer may take up as soon as it is
//                         done with the one before; then blocks while more than `depth`
//                         batches are queued or being written. Indices are consecutive.
//   wait(index) / poll()  how far the writes got: every index <= durable is written, and after
//                         a failed write `failed` names it; the writer then writes nothing
//                         more (later batches are dropped unwritten) until reset().
// Every hand-over goes through one mutex.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "storage/types.h"

namespace remora::storage {

class CommitWriter {
public:
    struct Progress {
        CommitIndex durable = 0;            // every submitted index <= durable is written
        std::optional<CommitIndex> failed;  // the first index whose write failed
        std::string error;                  // why, when failed
    };
    struct Stats {
        std::uint64_t writes = 0;
        std::uint64_t write_ns = 0;  // wall time inside DB::Write (WAL, memtables, fsync)
        std::uint64_t wait_ns = 0;   // the owner's wall time blocked in submit() and wait()
    };

    // Writes to `db` (which outlives the writer) with `options`; nullptr when no thread can be
    // had. `durable` is the index written before the first submit. `observer`, when it holds a
    // function, is called on the writer thread with each index written (it must outlive the
    // writer and not change while batches are queued).
    static std::unique_ptr<CommitWriter> start(rocksdb::DB& db,
                                               const rocksdb::WriteOptions& options,
                                               std::size_t depth, CommitIndex durable,
                                               const std::function<void(CommitIndex)>& observer);
    // Writes what is queued, then stops and joins the thread.
    ~CommitWriter();
    CommitWriter(const CommitWriter&) = delete;
    CommitWriter& operator=(const CommitWriter&) = delete;

    void submit(CommitIndex index, rocksdb::WriteBatch batch);
    // Blocks until every index <= `index` is written or a write failed.
    Progress wait(CommitIndex index);
    Progress poll();
    // After a failure, once the owner has taken it back: the writer accepts batches again,
    // `durable` being the index the store stands at.
    void reset(CommitIndex durable);
    Stats stats();

private:
    CommitWriter(rocksdb::DB& db, const rocksdb::WriteOptions& options, std::size_t depth,
                 CommitIndex durable, const std::function<void(CommitIndex)>& observer);
    void loop();
    Progress progress() const;  // REQUIRES: m_mutex held

    struct Job {
        CommitIndex index = 0;
        rocksdb::WriteBatch batch;
    };

    rocksdb::DB& m_db;
    rocksdb::WriteOptions m_options;
    std::size_t m_depth;
    const std::function<void(CommitIndex)>& m_observer;
    std::mutex m_mutex;
    std::condition_variable m_wake;  // the writer waits here for a job or the stop
    std::condition_variable m_done;  // the owner waits here for room or progress
    std::deque<Job> m_queue;         // the front one is being written when m_busy
    bool m_busy = false;
    bool m_stop = false;
    CommitIndex m_durable = 0;
    std::optional<CommitIndex> m_failed;
    std::string m_error;
    Stats m_stats;
    std::thread m_thread;
};

}  // namespace remora::storage
