#include "storage/helper_thread.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>

#include "common/status.h"

namespace remora::storage {

std::unique_ptr<HelperThread> HelperThread::start() {
    std::unique_ptr<HelperThread> helper(new HelperThread());
    try {
        helper->m_thread = std::thread([raw = helper.get()] { raw->loop(); });
    } catch (const std::system_error&) {
        return nullptr;
    }
    return helper;
}

HelperThread::~HelperThread() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        REMORA_ASSERT(m_posted == nullptr && !m_running);
        m_stop = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable()) m_thread.join();  // not joinable when start() failed to start it
}

void HelperThread::post(Job& job) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        REMORA_ASSERT(m_posted == nullptr && !m_running);
        m_posted = &job;
    }
    m_wake.notify_one();
}

void HelperThread::settle() {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_posted = nullptr;
    m_idle.wait(lock, [this] { return !m_running; });
}

void HelperThread::loop() {
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stop || m_posted != nullptr; });
        if (m_stop) return;
        Job* job = std::exchange(m_posted, nullptr);
        m_running = true;
        lock.unlock();
        job->run();
        lock.lock();
        m_running = false;
        m_idle.notify_one();
    }
}

void PopulateJob::set(char* data, std::size_t bytes) {
    m_data = data;
    m_bytes = bytes;
    m_abort.store(false, std::memory_order_relaxed);
}

void PopulateJob::run() {
    constexpr std::size_t kPiece = 16 << 10;  // four pages: a short wait for abort()
    for (std::size_t done = 0; done < m_bytes; done += kPiece) {
        if (m_abort.load(std::memory_order_relaxed)) return;
        const std::size_t piece = std::min(kPiece, m_bytes - done);
        if (madvise(m_data + done, piece, MADV_POPULATE_WRITE) != 0 && errno == EINVAL) {
            m_unsupported.store(true, std::memory_order_relaxed);
            return;
        }
    }
}

}  // namespace remora::storage
