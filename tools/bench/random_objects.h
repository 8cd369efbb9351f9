#pragma once
// The `random-objects` workload of the storage benchmark: commits of K object writes, each
// either a new object (random 32-byte id, version 1) or an update of an earlier object
// (version = its previous version + 1). Deterministic: one seed, one sequence of commits.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/random.h"
#include "storage/types.h"

namespace remora::tools::bench {

inline constexpr const char* kRandomObjectsWorkload = "random-objects";
// An update that draws an object already written in the same commit draws again this many
// times, then writes a new object instead (a commit writes each id at most once).
inline constexpr int kUpdateDrawsMax = 4;

struct RandomObjectsConfig {
    std::uint64_t seed = 0;
    std::uint64_t objects_per_commit = 0;  // REQUIRES: >= 1
    std::size_t payload_bytes = 200;       // mean; sizes drawn uniformly from [p/2, 3p/2]
    double update_fraction = 0.5;          // share of writes that try to update
};

class RandomObjectsWorkload {
public:
    explicit RandomObjectsWorkload(const RandomObjectsConfig& config);

    // The next commit: index 1, 2, ...; no body, no transactions, only object writes.
    storage::CommitInput next_commit();

    std::uint64_t objects_created() const { return m_versions.size(); }
    std::uint64_t updates() const { return m_updates; }

private:
    storage::ObjectWrite create_object();
    storage::ObjectWrite update_object(std::size_t slot);
    common::Bytes random_payload();

    RandomObjectsConfig m_config;
    // Drawn with common::below_multiply_shift and common::chance (the documented workload).
    common::SplitMix64 m_rng;
    std::uint64_t m_next_index = 1;
    std::uint64_t m_updates = 0;
    // Every object written so far: its id, newest version, and the last commit that wrote it.
    std::vector<common::ObjectId> m_ids;
    std::vector<common::Version> m_versions;
    std::vector<std::uint64_t> m_last_commit;
};

}  // namespace remora::tools::bench
