#pragma once
// An in-memory model of storage::Store (the expected-state oracle of the property and crash
// tests), and a deterministic generator of commits against it.
//
// The oracle is deliberately naive: a map from id to every version in order, and the digest
// recomputed from scratch by summing entry hashes, so that it shares no accumulator, cache or
// pruning code with the store it checks. Only the per-entry hash comes from the storage library
// (it is the documented definition; the sum and the choice of the live set are ours).

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/store.h"
#include "storage/types.h"

namespace remora::testing {

using common::CommitIndex;
using common::Digest;
using common::ObjectId;
using common::Version;

// One stored version: a payload, or a tombstone when `payload` is nullopt.
struct OracleVersion {
    Version version = 0;
    std::optional<common::Bytes> payload;
};

// What the oracle remembers of each applied commit (the parts of storage::CommitRecord that do
// not need the digest, which the oracle only computes on demand).
struct OracleCommit {
    std::vector<storage::ObjectRef> writes;  // sorted by id
    common::Bytes body;
    std::vector<storage::TxLocation> transactions;
};

class StoreOracle {
public:
    // Store::commit's REQUIRES list (storage/store.h), plus versions >= 1; ok when the store
    // must accept `input`.
    common::Status validate(const storage::CommitInput& input) const;
    // REQUIRES: validate(input).is_ok().
    void apply(const storage::CommitInput& input);
    // Drops, per object, every version older than its newest version <= `watermark`, and
    // returns how many it dropped. REQUIRES: watermark >= retention_watermark().
    std::uint64_t prune(Version watermark);
    // Stored versions over all objects, tombstones included.
    std::uint64_t stored_versions() const;

    CommitIndex applied_commit() const { return m_applied_commit; }
    Version retention_watermark() const { return m_retention_watermark; }
    std::uint64_t live_objects() const;
    // Largest version ever written (0 for an empty oracle).
    Version max_version() const { return m_max_version; }
    // The state digest of the live set, computed from scratch (docs/storage_format.md).
    Digest expected_digest() const;

    std::optional<storage::LatestInfo> latest_info(const ObjectId& id) const;
    std::optional<storage::ObjectVersion> latest(const ObjectId& id) const;
    // Newest version <= `version`; Code::kPruned when version < retention_watermark().
    common::Result<std::optional<storage::ObjectVersion>> at_or_below(const ObjectId& id,
                                                                      Version version) const;
    // Stored versions, oldest first, tombstones included.
    std::vector<storage::ObjectVersion> history(const ObjectId& id) const;
    // nullptr unless 1 <= index <= applied_commit().
    const OracleCommit* commit(CommitIndex index) const;

    const std::map<ObjectId, std::vector<OracleVersion>>& objects() const { return m_objects; }

private:
    std::map<ObjectId, std::vector<OracleVersion>> m_objects;  // versions ascending
    std::vector<OracleCommit> m_commits;                       // [i] is commit i + 1
    CommitIndex m_applied_commit = 0;
    Version m_retention_watermark = 0;
    Version m_max_version = 0;
};

// Adds two 256-bit numbers modulo 2^256, both encoded as the digest definition says.
Digest digest_add(const Digest& a, const Digest& b);

// --- Deterministic commit generator ---------------------------------------------------------

struct GeneratorOptions {
    std::size_t id_pool_size = 48;  // the ids commits draw from (pool_id(0..size-1))
    std::size_t writes_max = 8;     // writes per commit, at most
    std::size_t payload_bytes_max = 2048;
    std::size_t body_bytes_max = 64;
    std::size_t transactions_max = 3;
};

// The k-th id of the pool: the same for every seed, so that ids differ only in their history.
ObjectId pool_id(std::uint64_t k);
// An id the generator never writes (k-th of a disjoint family), for reads of unknown objects.
ObjectId unknown_id(std::uint64_t k);

// A valid commit number `index` over `state`: creations, updates (version = newest + 1 + a small
// gap), deletions of live objects and re-creations above a tombstone. A pure function of
// (seed, index, state, options): no clock, no unordered iteration.
// REQUIRES: index == state.applied_commit() + 1.
storage::CommitInput generate_commit(std::uint64_t seed, CommitIndex index,
                                     const StoreOracle& state,
                                     const GeneratorOptions& options = {});

// The oracle after generated commits 1..last (what a store fed by the generator must hold).
StoreOracle replay_generated(std::uint64_t seed, CommitIndex last,
                             const GeneratorOptions& options = {});

// --- Comparing a store with the oracle --------------------------------------------------------
// Each returns "" when the store agrees, else a sentence naming the first difference (so a
// test can REQUIRE(diff == "") and print it).

// Applied commit, digest, live objects and retention watermark of the store's status().
std::string diff_status(storage::Store& store, const StoreOracle& oracle);
// latest_info, get_latest and history of `id`. With `unpruned`, see diff_store.
std::string diff_object(storage::Store& store, const StoreOracle& oracle, const ObjectId& id,
                        const StoreOracle* unpruned = nullptr);
// get_at_or_below(id, v) for each v in `versions` (kPruned expected below the watermark).
std::string diff_reads_at(storage::Store& store, const StoreOracle& oracle, const ObjectId& id,
                          const std::vector<Version>& versions);
// Versions worth probing for `id`: 0, 1, every stored version and its neighbours, both sides
// of the watermark, just above the newest version, and the largest version.
std::vector<Version> probe_versions(const StoreOracle& oracle, const ObjectId& id);
// Everything a reader sees of the store against the oracle: the status, every pool id
// (pool_id(0..id_pool_size-1): latest_info, get_latest, history), the recomputed digest and
// live count, the record of the applied commit and the absence of the next one. With
// `unpruned` (the oracle's commits, never pruned), a prune may have been cut short: an
// object's history may still hold versions that `oracle` pruned, as long as it is an ordered
// part of `unpruned`'s history that holds all of `oracle`'s; and the reads at every probe
// version of both oracles (diff_reads_at) must be `oracle`'s.
std::string diff_store(storage::Store& store, const StoreOracle& oracle, std::size_t id_pool_size,
                       const StoreOracle* unpruned = nullptr);
// One-line description of a read result, for messages.
std::string describe(const std::optional<storage::ObjectVersion>& version);

}  // namespace remora::testing
