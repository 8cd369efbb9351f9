#pragma once
// The store's commit pipeline (StoreOptions::pipeline_depth, docs/storage_format.md, "The
// commit pipeline"): a thread that writes the commits' WriteBatches to RocksDB, in order, while
// the committing thread decides and builds the next commits; with `sync`, a second thread that
// makes them durable (DB::SyncWAL), so that commit n+1 goes into the log and the memtables while
// commit n's fsync runs. The store keeps what is in flight readable itself (store.cpp); this
// class only moves batches to RocksDB and reports how far they got.
//
// Protocol (one owner thread, the store's):
//   submit(index, batch)  queues the batch, which the writer may take up as soon as it is
//                         done with the one before; then blocks while more than `depth`
//                         batches are queued or being written (while a flush runs: queued,
//                         being written or waiting for their fsync). Indices are
//                         consecutive.
//   wait(index) / poll()  how far the writes got: every index <= durable is written (and
//                         synced, with `sync`). After a failure `failed` names the first
//                         commit that did not become durable, once every commit before it
//                         is; the writer then writes nothing more (later batches are dropped
//                         unwritten) until reset(). `fatal`: the failure was the log's fsync,
//                         after the commits were written to the memtables, so RocksDB holds
//                         commits that are not durable and no reset can take them back: only a
//                         reopen (which replays what the log holds) continues.
// The writer starts a batch only while at most `depth` written batches wait for their fsync,
// so no more than 2 x depth + 1 commits are ever in flight; while RocksDB flushes a memtable,
// submit() counts those batches too (at most depth + 1 in flight), so that commits do not pile
// up behind the flush. Every hand-over goes through one mutex.

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
        CommitIndex durable = 0;            // every submitted index <= durable is durable
        std::optional<CommitIndex> failed;  // the first index that did not become durable
        std::string error;                  // why, when failed
        bool fatal = false;                 // the fsync failed: see the protocol above
    };
    struct Stats {
        std::uint64_t writes = 0;
        std::uint64_t write_ns = 0;  // wall time inside DB::Write (WAL, memtables; fsync too
                                     // without the sync thread)
        std::uint64_t syncs = 0;     // DB::SyncWAL calls (each covers every batch written)
        std::uint64_t sync_ns = 0;   // wall time inside them
        std::uint64_t wait_ns = 0;   // the owner's wall time blocked in submit() and wait()
    };

    // Writes to `db` (which outlives the writer) with `options`; with `options.sync` the
    // batches are written without it and a sync thread makes them durable (where the log
    // allows DB::SyncWAL; else the writer writes with `sync`). nullptr when the threads cannot
    // be had. `durable` is the index written before the first submit.
    // `observer`, when it holds a function, is called with each index as it becomes durable, on
    // the thread that made it so (it must outlive the writer and not change while batches are
    // queued).
    static std::unique_ptr<CommitWriter> start(rocksdb::DB& db,
                                               const rocksdb::WriteOptions& options,
                                               std::size_t depth, CommitIndex durable,
                                               const std::function<void(CommitIndex)>& observer);
    // Writes (and syncs) what is queued, then stops and joins the threads.
    ~CommitWriter();
    CommitWriter(const CommitWriter&) = delete;
    CommitWriter& operator=(const CommitWriter&) = delete;

    void submit(CommitIndex index, rocksdb::WriteBatch batch);
    // Blocks until every index <= `index` is durable or a failure is reported.
    Progress wait(CommitIndex index);
    Progress poll();
    // After a failure that is not fatal, once the owner has taken it back: the writer accepts
    // batches again, `durable` being the index the store stands at.
    void reset(CommitIndex durable);
    Stats stats();

private:
    CommitWriter(rocksdb::DB& db, const rocksdb::WriteOptions& options, bool sync_thread,
                 std::size_t depth, CommitIndex durable,
                 const std::function<void(CommitIndex)>& observer);
    void write_loop();
    void sync_loop();
    // REQUIRES for the rest: m_mutex held.
    Progress progress() const;
    bool may_write() const;  // room under the bound on batches waiting for their fsync
    bool room_for_owner();   // submit() may return (asks RocksDB whether a flush runs)
    bool idle() const;       // nothing queued, being written or waiting for its fsync

    struct Job {
        CommitIndex index = 0;
        rocksdb::WriteBatch batch;
    };

    rocksdb::DB& m_db;
    rocksdb::WriteOptions m_options;  // sync off when the sync thread makes batches durable
    bool m_sync_thread;               // the store's writes are synced, by m_syncer
    std::size_t m_depth;
    const std::function<void(CommitIndex)>& m_observer;
    std::mutex m_mutex;
    std::condition_variable m_wake;       // the writer waits here for a job, room or the stop
    std::condition_variable m_sync_wake;  // the sync thread waits here for a write or the stop
    std::condition_variable m_done;       // the owner waits here for room or progress
    std::deque<Job> m_queue;              // the front one is being written when m_busy
    bool m_busy = false;
    bool m_syncing = false;
    bool m_stop = false;
    CommitIndex m_written = 0;  // in RocksDB's log and memtables (synced or not)
    CommitIndex m_durable = 0;  // synced; == m_written without the sync thread
    std::optional<CommitIndex> m_write_failed;
    bool m_sync_failed = false;
    std::string m_error;
    Stats m_stats;
    std::thread m_thread;
    std::thread m_syncer;
};

}  // namespace remora::storage
