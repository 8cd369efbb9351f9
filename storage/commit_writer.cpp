#include "storage/commit_writer.h"

#include <chrono>
#include <system_error>
#include <utility>

#include "storage/store.h"

namespace remora::storage {
namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t ns_since(Clock::time_point start) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
}

}  // namespace

CommitWriter::CommitWriter(rocksdb::DB& db, const rocksdb::WriteOptions& options, bool sync_thread,
                           std::size_t depth, CommitIndex durable,
                           const std::function<void(CommitIndex)>& observer)
    : m_db(db),
      m_options(options),
      m_sync_thread(sync_thread),
      m_depth(depth < 1 ? 1 : depth),
      m_observer(observer),
      m_written(durable),
      m_durable(durable) {
    // The sync thread's DB::SyncWAL makes each batch durable; the write itself only reaches
    // the log file (in the operating system's hands, so a killed process loses nothing) and
    // the memtables.
    if (m_sync_thread) m_options.sync = false;
}

std::unique_ptr<CommitWriter> CommitWriter::start(
    rocksdb::DB& db, const rocksdb::WriteOptions& options, std::size_t depth, CommitIndex durable,
    const std::function<void(CommitIndex)>& observer) {
    // DB::SyncWAL needs a log file that may be synced beside a write (RocksDB's in-memory
    // environment's may not): asked once, on a log with nothing to sync. Without it the writer
    // writes with `sync` itself, as the store does unpipelined.
    const bool sync_thread = options.sync && db.SyncWAL().ok();
    std::unique_ptr<CommitWriter> writer(
        new CommitWriter(db, options, sync_thread, depth, durable, observer));
    try {
        writer->m_thread = std::thread([w = writer.get()] { w->write_loop(); });
        if (writer->m_sync_thread) {
            writer->m_syncer = std::thread([w = writer.get()] { w->sync_loop(); });
        }
    } catch (const std::system_error&) {
        return nullptr;  // the destructor stops the thread that did start
    }
    return writer;
}

CommitWriter::~CommitWriter() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_one();
    m_sync_wake.notify_one();
    if (m_thread.joinable()) m_thread.join();
    if (m_syncer.joinable()) m_syncer.join();
}

bool CommitWriter::may_write() const { return !m_sync_thread || m_written - m_durable <= m_depth; }

bool CommitWriter::idle() const {
    return m_queue.empty() && !m_busy && !m_syncing && (m_written == m_durable || m_sync_failed);
}

void CommitWriter::write_loop() {
    disable_rocksdb_counters_on_this_thread();  // nobody reads this thread's counters
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [&] {
            const bool failed = m_write_failed.has_value() || m_sync_failed;
            return (!m_queue.empty() && (failed || may_write())) || (m_stop && m_queue.empty());
        });
        if (m_queue.empty()) break;  // stopping with nothing left to write
        Job& job = m_queue.front();
        if (m_write_failed || m_sync_failed) {
            m_queue.pop_front();  // after a failure nothing later may land
            m_done.notify_all();
            continue;
        }
        m_busy = true;
        lock.unlock();
        const auto start = Clock::now();
        rocksdb::Status s = m_db.Write(m_options, &job.batch);
        const std::uint64_t spent = ns_since(start);
        if (s.ok() && !m_sync_thread && m_observer) m_observer(job.index);
        lock.lock();
        m_busy = false;
        ++m_stats.writes;
        m_stats.write_ns += spent;
        if (s.ok()) {
            m_written = job.index;
            if (!m_sync_thread) m_durable = job.index;
        } else {
            // RocksDB left the memtables as they were; what was written before stays and is
            // synced as usual, and the failure is reported once it is (progress()).
            m_write_failed = job.index;
            m_error = s.ToString();
        }
        m_queue.pop_front();
        m_sync_wake.notify_one();
        m_done.notify_all();
    }
}

void CommitWriter::sync_loop() {
    disable_rocksdb_counters_on_this_thread();
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        // Stops once the writer has nothing left and everything it wrote is synced.
        m_sync_wake.wait(lock, [&] {
            return (m_written > m_durable && !m_sync_failed) ||
                   (m_stop && m_queue.empty() && !m_busy);
        });
        if (m_written == m_durable || m_sync_failed) break;
        const CommitIndex from = m_durable + 1;
        const CommitIndex to = m_written;  // SyncWAL covers every write that returned before it
        m_syncing = true;
        lock.unlock();
        const auto start = Clock::now();
        rocksdb::Status s = m_db.SyncWAL();
        const std::uint64_t spent = ns_since(start);
        if (s.ok() && m_observer) {
            for (CommitIndex i = from; i <= to; ++i) m_observer(i);
        }
        lock.lock();
        m_syncing = false;
        ++m_stats.syncs;
        m_stats.sync_ns += spent;
        if (s.ok()) {
            m_durable = to;
        } else {
            m_sync_failed = true;
            m_error = "syncing the log: " + s.ToString();
        }
        m_wake.notify_one();  // room to write, or batches to drop
        m_done.notify_all();
    }
}

void CommitWriter::submit(CommitIndex index, rocksdb::WriteBatch batch) {
    // Queued before waiting for room: the writer goes from the batch it is writing straight to
    // this one, instead of waking the owner and waiting for it to hand this one over. When
    // submit() returns, at most `depth` batches are queued or being written, as if it had
    // waited first.
    std::unique_lock<std::mutex> lock(m_mutex);
    m_queue.push_back(Job{index, std::move(batch)});
    m_wake.notify_one();
    const auto start = Clock::now();
    m_done.wait(lock, [&] { return room_for_owner(); });
    m_stats.wait_ns += ns_since(start);
}

bool CommitWriter::room_for_owner() {
    if (m_queue.size() > m_depth) return false;
    const CommitIndex unsynced = m_written - m_durable;
    if (unsynced == 0 || m_queue.size() + unsynced <= m_depth) return true;
    // A memtable flush takes a core for tens of milliseconds, and on a machine with no core
    // to spare every commit in flight waits behind it: while one runs, the owner does not get
    // ahead of the fsyncs, which keeps a commit's latency where it was without the sync thread
    // (docs/storage_format.md, "The commit pipeline").
    std::uint64_t flushes = 0;
    return !m_db.GetIntProperty(rocksdb::DB::Properties::kNumRunningFlushes, &flushes) ||
           flushes == 0;
}

CommitWriter::Progress CommitWriter::progress() const {
    Progress p{m_durable, std::nullopt, m_error, false};
    if (m_sync_failed) {
        p.failed = m_durable + 1;
        p.fatal = true;
    } else if (m_write_failed && m_durable == m_written) {
        p.failed = m_write_failed;  // every batch before it is durable
    }
    return p;
}

CommitWriter::Progress CommitWriter::wait(CommitIndex index) {
    std::unique_lock<std::mutex> lock(m_mutex);
    const auto start = Clock::now();
    m_done.wait(lock, [&] { return m_durable >= index || progress().failed || idle(); });
    m_stats.wait_ns += ns_since(start);
    return progress();
}

CommitWriter::Progress CommitWriter::poll() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return progress();
}

void CommitWriter::reset(CommitIndex durable) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_done.wait(lock, [&] { return idle(); });
    m_write_failed.reset();
    m_error.clear();
    m_written = durable;
    m_durable = durable;
}

CommitWriter::Stats CommitWriter::stats() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_stats;
}

}  // namespace remora::storage
