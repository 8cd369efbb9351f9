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

CommitWriter::CommitWriter(rocksdb::DB& db, const rocksdb::WriteOptions& options, std::size_t depth,
                           CommitIndex durable, const std::function<void(CommitIndex)>& observer)
    : m_db(db),
      m_options(options),
      m_depth(depth < 1 ? 1 : depth),
      m_observer(observer),
      m_durable(durable) {}

std::unique_ptr<CommitWriter> CommitWriter::start(
    rocksdb::DB& db, const rocksdb::WriteOptions& options, std::size_t depth, CommitIndex durable,
    const std::function<void(CommitIndex)>& observer) {
    std::unique_ptr<CommitWriter> writer(new CommitWriter(db, options, depth, durable, observer));
    try {
        writer->m_thread = std::thread([w = writer.get()] { w->loop(); });
    } catch (const std::system_error&) {
        return nullptr;
    }
    return writer;
}

CommitWriter::~CommitWriter() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void CommitWriter::loop() {
    disable_rocksdb_counters_on_this_thread();  // nobody reads this thread's counters
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [&] { return m_stop || !m_queue.empty(); });
        if (m_queue.empty()) return;  // stopping with nothing left to write
        Job& job = m_queue.front();
        if (m_failed) {
            m_queue.pop_front();  // after a failed write nothing later may land
            m_done.notify_all();
            continue;
        }
        m_busy = true;
        lock.unlock();
        const auto start = Clock::now();
        rocksdb::Status s = m_db.Write(m_options, &job.batch);
        const std::uint64_t spent = ns_since(start);
        if (s.ok() && m_observer) m_observer(job.index);
        lock.lock();
        m_busy = false;
        ++m_stats.writes;
        m_stats.write_ns += spent;
        if (s.ok()) {
            m_durable = job.index;
        } else {
            m_failed = job.index;
            m_error = s.ToString();
        }
        m_queue.pop_front();
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
    m_done.wait(lock, [&] { return m_queue.size() <= m_depth; });
    m_stats.wait_ns += ns_since(start);
}

CommitWriter::Progress CommitWriter::progress() const {
    return Progress{m_durable, m_failed, m_error};
}

CommitWriter::Progress CommitWriter::wait(CommitIndex index) {
    std::unique_lock<std::mutex> lock(m_mutex);
    const auto start = Clock::now();
    m_done.wait(lock, [&] {
        return m_durable >= index || m_failed.has_value() || (m_queue.empty() && !m_busy);
    });
    m_stats.wait_ns += ns_since(start);
    return progress();
}

CommitWriter::Progress CommitWriter::poll() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return progress();
}

void CommitWriter::reset(CommitIndex durable) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_done.wait(lock, [&] { return m_queue.empty() && !m_busy; });
    m_failed.reset();
    m_error.clear();
    m_durable = durable;
}

CommitWriter::Stats CommitWriter::stats() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_stats;
}

}  // namespace remora::storage
