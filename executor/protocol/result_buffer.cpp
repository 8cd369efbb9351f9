#include "executor/protocol/result_buffer.h"

#include <algorithm>
#include <utility>

#include "executor/protocol/limits.h"

namespace remora::executor::protocol {
namespace {

constexpr std::size_t kSpareNodesMax = 4096;

}  // namespace

ResultBuffer::ResultBuffer(std::size_t txs_max, std::uint64_t ttl_commits)
    : m_txs_max(txs_max), m_ttl_commits(ttl_commits) {
    REMORA_ASSERT(txs_max >= 1 && ttl_commits >= 1);
}

std::map<Digest, BufferedTx>::iterator ResultBuffer::oldest() {
    while (!m_order.empty()) {
        auto it = m_entries.find(m_order.front().second);
        if (it != m_entries.end() && it->second.sequence == m_order.front().first) return it;
        m_order.pop_front();
    }
    return m_entries.end();
}

BufferedTx& ResultBuffer::entry_for(const Digest& tx, CommitIndex now) {
    auto it = m_entries.find(tx);
    if (it != m_entries.end()) return it->second;
    while (m_entries.size() >= m_txs_max) {
        auto dropped = oldest();
        m_counters.dropped_full += dropped->second.results.size();
        m_entries.erase(dropped);
        m_order.pop_front();
    }
    if (m_order.size() >= 2 * m_entries.size() + 64) {
        std::erase_if(m_order, [this](const std::pair<std::uint64_t, Digest>& slot) {
            auto live = m_entries.find(slot.second);
            return live == m_entries.end() || live->second.sequence != slot.first;
        });
    }
    BufferedTx entry;
    entry.arrived_after = now;
    entry.sequence = m_next_sequence++;
    m_order.emplace_back(entry.sequence, tx);
    if (m_spare.empty()) return m_entries.emplace(tx, std::move(entry)).first->second;
    auto node = std::move(m_spare.back());
    m_spare.pop_back();
    node.key() = tx;
    node.mapped() = std::move(entry);
    return m_entries.insert(std::move(node)).position->second;
}

BufferOutcome ResultBuffer::add(PreExecResult result, CommitIndex now) {
    BufferedTx& entry = entry_for(result.tx_digest, now);
    auto same =
        std::find_if(entry.results.begin(), entry.results.end(),
                     [&](const PreExecResult& r) { return r.pre_executor == result.pre_executor; });
    if (same != entry.results.end()) {
        if (result.revision < same->revision) return BufferOutcome::kOutdated;
        *same = std::move(result);
        return BufferOutcome::kReplaced;
    }
    if (entry.results.size() >= limits::kResultsPerTxMax) return BufferOutcome::kTooManyResults;
    entry.results.push_back(std::move(result));
    return BufferOutcome::kBuffered;
}

void ResultBuffer::note_routed(const Digest& tx, PreExecutorId id, CommitIndex now) {
    entry_for(tx, now).routed_to = id;
}

const BufferedTx* ResultBuffer::find(const Digest& tx) const {
    auto it = m_entries.find(tx);
    return it == m_entries.end() ? nullptr : &it->second;
}

std::optional<BufferedTx> ResultBuffer::take(const Digest& tx) {
    auto it = m_entries.find(tx);
    if (it == m_entries.end()) return std::nullopt;
    auto node = m_entries.extract(it);  // its slot in m_order goes stale
    BufferedTx entry = std::move(node.mapped());
    if (m_spare.size() < kSpareNodesMax) m_spare.push_back(std::move(node));
    return entry;
}

void ResultBuffer::expire(CommitIndex now) {
    for (auto it = oldest(); it != m_entries.end(); it = oldest()) {
        if (it->second.arrived_after + m_ttl_commits > now) return;
        m_counters.expired += it->second.results.size();
        m_entries.erase(it);
        m_order.pop_front();
    }
}

}  // namespace remora::executor::protocol
