#include "tools/bench/random_objects.h"

#include "common/status.h"

namespace remora::tools::bench {
RandomObjectsWorkload::RandomObjectsWorkload(const RandomObjectsConfig& config)
    : m_config(config), m_rng(config.seed) {
    REMORA_ASSERT(config.objects_per_commit >= 1);
    REMORA_ASSERT(config.payload_bytes >= 2);
}

storage::CommitInput RandomObjectsWorkload::next_commit() {
    storage::CommitInput commit;
    commit.index = m_next_index++;
    commit.writes.reserve(m_config.objects_per_commit);
    for (std::uint64_t i = 0; i < m_config.objects_per_commit; ++i) {
        bool update = !m_ids.empty() && common::chance(m_rng, m_config.update_fraction);
        bool written = false;
        for (int draw = 0; update && !written && draw < kUpdateDrawsMax; ++draw) {
            std::size_t slot = common::below_multiply_shift(m_rng, m_ids.size());
            if (m_last_commit[slot] == commit.index) continue;
            commit.writes.push_back(update_object(slot));
            m_last_commit[slot] = commit.index;
            written = true;
        }
        if (!written) {
            commit.writes.push_back(create_object());
            m_last_commit.back() = commit.index;
        }
    }
    return commit;
}

storage::ObjectWrite RandomObjectsWorkload::create_object() {
    common::ObjectId id;
    common::fill_random_bytes(m_rng, id.bytes.data(), id.bytes.size());
    m_ids.push_back(id);
    m_versions.push_back(1);
    m_last_commit.push_back(0);
    return {id, 1, random_payload()};
}

storage::ObjectWrite RandomObjectsWorkload::update_object(std::size_t slot) {
    ++m_updates;
    common::Version version = ++m_versions[slot];
    return {m_ids[slot], version, random_payload()};
}

common::Bytes RandomObjectsWorkload::random_payload() {
    std::size_t low = m_config.payload_bytes / 2;
    std::size_t size =
        low + common::below_multiply_shift(m_rng, m_config.payload_bytes + 1);  // [p/2, 3p/2]
    common::Bytes payload(size, '\0');
    common::fill_random_bytes(m_rng, payload.data(), size);
    return payload;
}

}  // namespace remora::tools::bench
