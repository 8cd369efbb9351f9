#include "executor/protocol/ordered_replay.h"

#include <algorithm>
#include <utility>

namespace remora::executor::protocol {

common::Result<const OrderedWrite*> OrderedView::served_by(const ObjectId& id) {
    auto object = m_writes.find(id);
    if (object == m_writes.end()) return static_cast<const OrderedWrite*>(nullptr);
    auto write = object->second.lower_bound(m_at);
    if (write == object->second.begin()) return static_cast<const OrderedWrite*>(nullptr);
    --write;
    auto confirmed = m_confirmed.read_version(id);
    if (!confirmed) return confirmed.status();
    // The confirmed state is the primary's: at an equal or higher version it wins.
    if (write->second.lookup.version <= confirmed->version) {
        return static_cast<const OrderedWrite*>(nullptr);
    }
    return &write->second;
}

common::Result<ObjectLookup> OrderedView::read(const ObjectId& id) {
    auto served = served_by(id);
    if (!served) return served.status();
    if (served.value() == nullptr) return m_confirmed.read(id);
    const OrderedWrite& w = *served.value();
    m_served.insert_or_assign(id,
                              SpeculativeRead{id, w.lookup.version, w.writer_tx, w.writer_effects});
    return w.lookup;
}

common::Result<VersionLookup> OrderedView::read_version(const ObjectId& id) {
    auto served = served_by(id);
    if (!served) return served.status();
    if (served.value() == nullptr) return m_confirmed.read_version(id);
    return VersionLookup{served.value()->lookup.exists(), served.value()->lookup.version};
}

std::vector<SpeculativeRead> OrderedView::speculative_reads() const {
    std::vector<SpeculativeRead> reads;
    reads.reserve(m_served.size());
    for (const auto& [id, read] : m_served) reads.push_back(read);
    return reads;
}

std::vector<ObjectId> OrderedReplay::note_effects(const Effects& effects,
                                                  const Digest& effects_digest) {
    std::vector<ObjectId> changed;
    const Digest& tx = effects.tx_digest;
    auto known = m_known.find(tx);
    if (known != m_known.end() && known->second.effects_digest == effects_digest) return changed;
    auto position = m_positions.find(tx);
    if (position != m_positions.end() && known != m_known.end()) {
        unplace(tx, position->second, changed);
    }
    if (known == m_known.end()) m_arrivals.push_back(tx);
    m_known[tx] = Known{std::make_shared<const Effects>(effects), effects_digest};
    if (position != m_positions.end()) place(tx, position->second, changed);
    // The bound on what waits for an order: the oldest unplaced entries go.
    while (m_arrivals.size() > 2 * m_ordered_txs_max) {
        const Digest oldest = m_arrivals.front();
        m_arrivals.pop_front();
        if (m_positions.count(oldest) != 0) continue;
        m_known.erase(oldest);
        m_own.erase(oldest);
    }
    return changed;
}

void OrderedReplay::note_own(const Transaction& tx, const LookupTable* hints,
                             const PreExecResult& result) {
    auto [it, fresh] = m_own.try_emplace(result.tx_digest);
    Own& own = it->second;
    auto position = m_positions.find(result.tx_digest);
    if (!fresh && position != m_positions.end())
        index_reads(result.tx_digest, position->second, false);
    if (fresh) {
        own.tx = tx;
        if (hints != nullptr) own.hints = *hints;
    } else {
        ++own.revision;
    }
    own.table = result.table;
    own.speculative = result.speculative_reads;
    if (position != m_positions.end()) index_reads(result.tx_digest, position->second, true);
}

OrderedReplay::Own* OrderedReplay::own(const Digest& tx) {
    auto it = m_own.find(tx);
    return it == m_own.end() ? nullptr : &it->second;
}

std::optional<OrderPosition> OrderedReplay::position(const Digest& tx) const {
    auto it = m_positions.find(tx);
    if (it == m_positions.end()) return std::nullopt;
    return it->second;
}

const Digest* OrderedReplay::at(const OrderPosition& position) const {
    auto it = m_order.find(position);
    return it == m_order.end() ? nullptr : &it->second;
}

void OrderedReplay::retire_through(CommitIndex commit) {
    while (!m_batch_commits.empty() && m_batch_commits.begin()->second != 0 &&
           m_batch_commits.begin()->second <= commit) {
        m_retired_batches = std::max(m_retired_batches, m_batch_commits.begin()->first + 1);
        m_batch_commits.erase(m_batch_commits.begin());
    }
}

bool OrderedReplay::retired(const OrderPosition& position) const {
    return position.batch < m_retired_batches;
}

std::vector<ObjectId> OrderedReplay::learn_order(const TentativeOrder& order,
                                                 std::vector<OrderPosition>& own_positions) {
    ++m_counters.orders;
    if (order.batch < m_retired_batches) return {};
    m_batch_commits[order.batch] = order.commit;
    std::vector<ObjectId> changed;
    for (std::size_t i = 0; i < order.txs.size(); ++i) {
        const Digest& tx = order.txs[i];
        const OrderPosition position{order.batch, static_cast<std::uint32_t>(i)};
        auto old = m_positions.find(tx);
        if (old != m_positions.end()) {
            if (old->second == position) continue;
            // Announced again elsewhere (a reordering source, or a duplicate transaction).
            ++m_counters.reordered;
            if (m_known.count(tx) != 0) unplace(tx, old->second, changed);
            if (m_own.count(tx) != 0) index_reads(tx, old->second, false);
            m_order.erase(old->second);
        }
        if (auto displaced = m_order.find(position); displaced != m_order.end()) {
            const Digest other = displaced->second;
            if (m_known.count(other) != 0) unplace(other, position, changed);
            if (m_own.count(other) != 0) index_reads(other, position, false);
            m_positions.erase(other);
        }
        m_positions[tx] = position;
        m_order[position] = tx;
        if (m_known.count(tx) != 0) place(tx, position, changed);
        if (m_own.count(tx) != 0) {
            index_reads(tx, position, true);
            own_positions.push_back(position);
        }
    }
    while (m_order.size() > m_ordered_txs_max) forget_oldest_batch();
    return changed;
}

void OrderedReplay::readers_after(const ObjectId& id, const OrderPosition& after,
                                  std::set<OrderPosition>& out) const {
    auto it = m_readers.find(id);
    if (it == m_readers.end()) return;
    for (auto p = it->second.upper_bound(after); p != it->second.end(); ++p) out.insert(*p);
}

void OrderedReplay::readers(const ObjectId& id, std::set<OrderPosition>& out) const {
    auto it = m_readers.find(id);
    if (it == m_readers.end()) return;
    out.insert(it->second.begin(), it->second.end());
}

const OrderedWrite* OrderedReplay::last_write(const ObjectId& id) const {
    auto it = m_writes.find(id);
    if (it == m_writes.end() || it->second.empty()) return nullptr;
    return &it->second.rbegin()->second;
}

void OrderedReplay::place(const Digest& tx, const OrderPosition& position,
                          std::vector<ObjectId>& changed) {
    const Known& known = m_known.at(tx);
    const Effects& effects = *known.effects;
    if (!effects.status.is_success()) return;
    for (const auto* list : {&effects.written, &effects.created}) {
        for (const Object& object : *list) {
            m_writes[object.id][position] =
                OrderedWrite{ObjectLookup{object, object.version}, tx, known.effects_digest};
            changed.push_back(object.id);
        }
    }
    for (const DeletedObject& deleted : effects.deleted) {
        m_writes[deleted.id][position] =
            OrderedWrite{ObjectLookup{std::nullopt, deleted.version}, tx, known.effects_digest};
        changed.push_back(deleted.id);
    }
}

void OrderedReplay::unplace(const Digest& tx, const OrderPosition& position,
                            std::vector<ObjectId>& changed) {
    const Effects& effects = *m_known.at(tx).effects;
    auto drop = [&](const ObjectId& id) {
        auto object = m_writes.find(id);
        if (object == m_writes.end()) return;
        object->second.erase(position);
        if (object->second.empty()) m_writes.erase(object);
        changed.push_back(id);
    };
    for (const Object& object : effects.written) drop(object.id);
    for (const Object& object : effects.created) drop(object.id);
    for (const DeletedObject& deleted : effects.deleted) drop(deleted.id);
}

void OrderedReplay::index_reads(const Digest& tx, const OrderPosition& position, bool add) {
    for (const ObjectRead& read : m_own.at(tx).table.reads) {
        if (add) {
            m_readers[read.id].insert(position);
            continue;
        }
        auto it = m_readers.find(read.id);
        if (it == m_readers.end()) continue;
        it->second.erase(position);
        if (it->second.empty()) m_readers.erase(it);
    }
}

void OrderedReplay::forget_oldest_batch() {
    const std::uint64_t batch = m_order.begin()->first.batch;
    std::vector<ObjectId> ignored;
    while (!m_order.empty() && m_order.begin()->first.batch == batch) {
        const OrderPosition position = m_order.begin()->first;
        const Digest tx = m_order.begin()->second;
        if (m_known.count(tx) != 0) unplace(tx, position, ignored);
        if (m_own.count(tx) != 0) index_reads(tx, position, false);
        m_known.erase(tx);
        m_own.erase(tx);
        m_positions.erase(tx);
        m_order.erase(m_order.begin());
        ++m_counters.forgotten;
    }
}

}  // namespace remora::executor::protocol
