#pragma once
// One helper thread that a store keeps for its lifetime, so that large commits can split CPU
// work (entry hashing) between two threads without starting a thread per commit, and so that
// the latest-version cache's new memory is faulted in while RocksDB writes (PopulateJob).
//
// Protocol (one owner thread, which the store's one-thread-at-a-time rule gives us):
//   post(job)  hands the job over; the helper calls job.run() at most once, whenever it wakes.
//   settle()   returns once the helper is not running the job and never will: a job it has not
//              taken up yet is withdrawn, one it is running is waited for. Only after settle()
//              may the owner read what the job wrote or destroy the job.
// Every hand-over goes through one mutex, so what the owner wrote before post() is visible to
// job.run(), and what job.run() wrote is visible to the owner after settle().

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>

namespace remora::storage {

class HelperThread {
public:
    class Job {
    public:
        virtual void run() = 0;

    protected:
        ~Job() = default;
    };

    // nullptr when no thread can be had (the caller then does the work itself).
    static std::unique_ptr<HelperThread> start();
    // Stops and joins the thread. REQUIRES: no job posted and not settled.
    ~HelperThread();
    HelperThread(const HelperThread&) = delete;
    HelperThread& operator=(const HelperThread&) = delete;

    void post(Job& job);
    void settle();

private:
    HelperThread() = default;
    void loop();

    std::mutex m_mutex;
    std::condition_variable m_wake;  // the helper waits here for a job or the stop
    std::condition_variable m_idle;  // settle() waits here for the helper to finish its job
    Job* m_posted = nullptr;         // handed over, not yet taken up
    bool m_running = false;          // the helper is inside job.run()
    bool m_stop = false;
    std::thread m_thread;
};

// A job that faults in (madvise MADV_POPULATE_WRITE: as if written, with no byte changed) a span
// of memory that stays mapped while the job may run, so the owner may use that memory
// meanwhile. It works in small pieces, so that abort() takes effect soon.
class PopulateJob final : public HelperThread::Job {
public:
    // REQUIRES: the helper is not running this job (settled).
    void set(char* data, std::size_t bytes);
    void run() override;
    void abort() { m_abort.store(true, std::memory_order_relaxed); }
    // The kernel does not know MADV_POPULATE_WRITE (before Linux 5.14): posting is useless.
    bool unsupported() const { return m_unsupported.load(std::memory_order_relaxed); }

private:
    char* m_data = nullptr;
    std::size_t m_bytes = 0;
    std::atomic<bool> m_abort{false};
    std::atomic<bool> m_unsupported{false};
};

}  // namespace remora::storage
