#include "executor/protocol/state_update_builder.h"

#include <algorithm>
#include <set>
#include <utility>

#include "executor/tx/object_codec.h"

namespace remora::executor::protocol {

void WriteLog::add(CommitIndex index, std::vector<storage::ObjectRef> writes) {
    if (m_capacity == 0) return;
    REMORA_ASSERT(m_commits.empty() || m_commits.back().first + 1 == index);
    m_commits.emplace_back(index, std::move(writes));
    if (m_commits.size() > m_capacity) m_commits.pop_front();
}

const std::vector<storage::ObjectRef>* WriteLog::find(CommitIndex index) const {
    if (m_commits.empty() || index < m_commits.front().first || index > m_commits.back().first) {
        return nullptr;
    }
    return &m_commits[index - m_commits.front().first].second;
}

namespace {

// The distinct ids changed in commits first..last, the most recently changed first, at most
// `objects_max`. Sets `complete` to false when the bound cut the list.
common::Result<std::vector<ObjectId>> changed_ids(storage::Store& store, const WriteLog& log,
                                                  CommitIndex first, CommitIndex last,
                                                  std::size_t objects_max, bool& complete) {
    std::vector<ObjectId> ids;
    std::set<ObjectId> seen;
    for (CommitIndex c = last; c >= first && c > 0; --c) {
        std::vector<storage::ObjectRef> read;
        const std::vector<storage::ObjectRef>* writes = log.find(c);
        if (writes == nullptr) {
            auto record = store.read_commit(c);
            if (!record) return record.status();
            read = std::move(record->writes);
            writes = &read;
        }
        for (const storage::ObjectRef& ref : *writes) {
            if (seen.count(ref.id) != 0) continue;
            if (ids.size() >= objects_max) {
                complete = false;
                return ids;
            }
            seen.insert(ref.id);
            ids.push_back(ref.id);
        }
    }
    return ids;
}

}  // namespace

common::Result<StateUpdate> build_state_update(storage::Store& store, const WriteLog& log,
                                               PreExecutorId pre_executor, CommitIndex from_commit,
                                               const StateUpdateBounds& bounds) {
    StateUpdate update;
    update.pre_executor = pre_executor;
    update.to_commit = store.status().applied_commit;
    update.from_commit = std::min(from_commit, update.to_commit);
    if (update.from_commit == update.to_commit) {
        update.encoded_bytes = state_update_bytes(update);
        return update;
    }
    CommitIndex first = update.from_commit + 1;
    if (update.to_commit - update.from_commit > bounds.commits_max) {
        first = update.to_commit - bounds.commits_max + 1;
        update.complete = false;
    }
    auto ids =
        changed_ids(store, log, first, update.to_commit, bounds.objects_max, update.complete);
    if (!ids) return ids.status();
    std::uint64_t bytes = 0;
    for (const ObjectId& id : ids.value()) {  // most recently changed first
        auto latest = store.get_latest(id);
        if (!latest) return latest.status();
        if (!latest.value()) continue;  // never happens: the newest version is never pruned
        const storage::ObjectVersion& version = *latest.value();
        if (version.tombstone) {
            update.tombstones.push_back({id, version.version});
            continue;
        }
        if (bytes + version.payload.size() > bounds.bytes_max) {
            update.complete = false;
            break;
        }
        bytes += version.payload.size();
        auto object = decode_object(version.payload);
        if (!object) return object.status().with_context("stored object " + id.hex());
        update.objects.push_back(std::move(object).value());
    }
    auto by_id = [](const auto& a, const auto& b) { return a.id < b.id; };
    std::sort(update.objects.begin(), update.objects.end(), by_id);
    std::sort(update.tombstones.begin(), update.tombstones.end(), by_id);
    update.encoded_bytes = limits::kStateUpdateHeaderBytes + bytes +
                           update.tombstones.size() * limits::kStateUpdateTombstoneBytes;
    return update;
}

}  // namespace remora::executor::protocol
