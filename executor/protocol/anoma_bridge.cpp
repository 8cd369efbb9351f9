#include "executor/protocol/anoma_bridge.h"

#include <algorithm>

namespace remora::executor::protocol {

ExecutorFinished executor_finished(const Effects& effects, const Digest& digest,
                                   TxFingerprint timestamp) {
    return ExecutorFinished{timestamp, effects.tx_digest, effects.status.code, effects.gas_used,
                            digest};
}

ExecutionSummary execution_summary(const Effects& effects, const Digest& digest,
                                   TxFingerprint timestamp) {
    return ExecutionSummary{timestamp, effects.tx_digest, effects.status, effects.gas_used, digest};
}

std::vector<KvsWrite> kvs_writes(const Effects& effects, TxFingerprint timestamp) {
    std::vector<KvsWrite> writes;
    if (!effects.status.is_success()) return writes;
    writes.reserve(effects.written.size() + effects.created.size() + effects.deleted.size());
    for (const auto* list : {&effects.written, &effects.created}) {
        for (const Object& object : *list) {
            writes.push_back(KvsWrite{timestamp, object.id, object.version, object});
        }
    }
    for (const DeletedObject& deleted : effects.deleted) {
        writes.push_back(KvsWrite{timestamp, deleted.id, deleted.version, std::nullopt});
    }
    return writes;
}

std::vector<KvsRead> kvs_reads(const StateUpdate& update) {
    const TxFingerprint timestamp{update.to_commit + 1, 0};
    std::vector<KvsRead> reads;
    reads.reserve(update.objects.size() + update.tombstones.size());
    for (const Object& object : update.objects) {
        reads.push_back(KvsRead{timestamp, object.id, object.version, object});
    }
    for (const DeletedObject& deleted : update.tombstones) {
        reads.push_back(KvsRead{timestamp, deleted.id, deleted.version, std::nullopt});
    }
    std::sort(reads.begin(), reads.end(),
              [](const KvsRead& a, const KvsRead& b) { return a.key < b.key; });
    return reads;
}

}  // namespace remora::executor::protocol
