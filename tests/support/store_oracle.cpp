#include "tests/support/store_oracle.h"

#include <algorithm>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <string_view>

#include "common/hash.h"
#include "common/limits.h"
#include "common/random.h"
#include "storage/state_digest.h"

namespace remora::testing {

using common::Code;
using common::Status;
using storage::ObjectVersion;

namespace {

ObjectVersion to_object_version(const ObjectId& id, const OracleVersion& v) {
    return ObjectVersion{id, v.version, !v.payload.has_value(), v.payload.value_or("")};
}

}  // namespace

Status StoreOracle::validate(const storage::CommitInput& input) const {
    if (input.index != m_applied_commit + 1) {
        return {Code::kInvalidArgument,
                "commit index " + std::to_string(input.index) + " is not applied_commit + 1"};
    }
    std::set<ObjectId> seen;
    for (const storage::ObjectWrite& write : input.writes) {
        if (!seen.insert(write.id).second) {
            return {Code::kInvalidArgument, "duplicate id " + write.id.hex()};
        }
        if (write.version == 0) {
            // Versions start at 1: an absent object counts as having newest version 0.
            return {Code::kInvalidArgument, "version 0 for " + write.id.hex()};
        }
        auto it = m_objects.find(write.id);
        const OracleVersion* newest = it == m_objects.end() ? nullptr : &it->second.back();
        if (newest != nullptr && write.version <= newest->version) {
            return {Code::kInvalidArgument, "version not above newest for " + write.id.hex()};
        }
        if (write.payload && write.payload->size() > common::limits::kObjectBytesMax) {
            return {Code::kInvalidArgument, "payload over kObjectBytesMax"};
        }
    }
    return Status::ok();
}

void StoreOracle::apply(const storage::CommitInput& input) {
    REMORA_ASSERT(validate(input).is_ok());
    OracleCommit record;
    for (const storage::ObjectWrite& write : input.writes) {
        m_objects[write.id].push_back(OracleVersion{write.version, write.payload});
        m_max_version = std::max(m_max_version, write.version);
        record.writes.push_back(storage::ObjectRef{write.id, write.version, !write.payload});
    }
    std::sort(record.writes.begin(), record.writes.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    record.body = input.body;
    record.transactions = input.transactions;
    m_commits.push_back(std::move(record));
    m_applied_commit = input.index;
}

std::uint64_t StoreOracle::prune(Version watermark) {
    REMORA_ASSERT(watermark >= m_retention_watermark);
    m_retention_watermark = watermark;
    std::uint64_t dropped = 0;
    for (auto& [id, versions] : m_objects) {
        // Keep the newest version <= watermark (reads at the watermark see it) and all above.
        auto first_above =
            std::upper_bound(versions.begin(), versions.end(), watermark,
                             [](Version w, const OracleVersion& v) { return w < v.version; });
        if (first_above == versions.begin()) continue;
        dropped += static_cast<std::uint64_t>(first_above - 1 - versions.begin());
        versions.erase(versions.begin(), first_above - 1);
    }
    return dropped;
}

std::uint64_t StoreOracle::stored_versions() const {
    std::uint64_t count = 0;
    for (const auto& [id, versions] : m_objects) count += versions.size();
    return count;
}

std::uint64_t StoreOracle::live_objects() const {
    std::uint64_t count = 0;
    for (const auto& [id, versions] : m_objects) count += versions.back().payload ? 1 : 0;
    return count;
}

Digest digest_add(const Digest& a, const Digest& b) {
    // Big-endian 256-bit addition, the carry out of byte 0 dropped (mod 2^256).
    Digest sum;
    unsigned carry = 0;
    for (int i = 31; i >= 0; --i) {
        unsigned s = unsigned{a.bytes[i]} + unsigned{b.bytes[i]} + carry;
        sum.bytes[i] = static_cast<std::uint8_t>(s & 0xff);
        carry = s >> 8;
    }
    return sum;
}

Digest StoreOracle::expected_digest() const {
    Digest sum;  // the empty set's digest is 0
    for (const auto& [id, versions] : m_objects) {
        const OracleVersion& newest = versions.back();
        if (!newest.payload) continue;
        sum = digest_add(sum, storage::entry_hash(id, newest.version, *newest.payload));
    }
    return sum;
}

std::optional<storage::LatestInfo> StoreOracle::latest_info(const ObjectId& id) const {
    auto it = m_objects.find(id);
    if (it == m_objects.end()) return std::nullopt;
    return storage::LatestInfo{it->second.back().version, !it->second.back().payload};
}

std::optional<ObjectVersion> StoreOracle::latest(const ObjectId& id) const {
    auto it = m_objects.find(id);
    if (it == m_objects.end()) return std::nullopt;
    return to_object_version(id, it->second.back());
}

common::Result<std::optional<ObjectVersion>> StoreOracle::at_or_below(const ObjectId& id,
                                                                      Version version) const {
    if (version < m_retention_watermark) {
        return Status{Code::kPruned, "below the retention watermark"};
    }
    std::optional<ObjectVersion> found;
    auto it = m_objects.find(id);
    if (it == m_objects.end()) return found;
    for (const OracleVersion& v : it->second) {
        if (v.version > version) break;
        found = to_object_version(id, v);
    }
    return found;
}

std::vector<ObjectVersion> StoreOracle::history(const ObjectId& id) const {
    std::vector<ObjectVersion> out;
    auto it = m_objects.find(id);
    if (it == m_objects.end()) return out;
    for (const OracleVersion& v : it->second) out.push_back(to_object_version(id, v));
    return out;
}

const OracleCommit* StoreOracle::commit(CommitIndex index) const {
    if (index == 0 || index > m_applied_commit) return nullptr;
    return &m_commits[index - 1];
}

// --- Comparing a store with the oracle --------------------------------------------------------

std::string describe(const std::optional<ObjectVersion>& version) {
    if (!version) return "none";
    std::string out =
        "{id " + version->id.hex().substr(0, 12) + " v" + std::to_string(version->version);
    if (version->tombstone) out += " tombstone";
    out += " payload " + std::to_string(version->payload.size()) + "B xxh3 " +
           std::to_string(common::xxh3_64(version->payload));
    return out + "}";
}

namespace {

std::string describe_history(const std::vector<ObjectVersion>& versions) {
    std::string out = "[";
    for (const ObjectVersion& v : versions) out += (out.size() > 1 ? ", " : "") + describe(v);
    return out + "]";
}

std::string describe_info(const std::optional<storage::LatestInfo>& info) {
    if (!info) return "none";
    return "{v" + std::to_string(info->version) + (info->tombstone ? " tombstone}" : "}");
}

std::string difference(const std::string& what, const std::string& actual,
                       const std::string& expected) {
    return what + ": store returned " + actual + ", oracle expects " + expected;
}

}  // namespace

std::string diff_status(storage::Store& store, const StoreOracle& oracle) {
    const storage::StoreStatus& status = store.status();
    if (status.applied_commit != oracle.applied_commit()) {
        return difference("applied_commit", std::to_string(status.applied_commit),
                          std::to_string(oracle.applied_commit()));
    }
    if (status.live_objects != oracle.live_objects()) {
        return difference("live_objects", std::to_string(status.live_objects),
                          std::to_string(oracle.live_objects()));
    }
    if (status.retention_watermark != oracle.retention_watermark()) {
        return difference("retention_watermark", std::to_string(status.retention_watermark),
                          std::to_string(oracle.retention_watermark()));
    }
    const Digest expected = oracle.expected_digest();
    if (status.state_digest != expected) {
        return difference("state_digest", status.state_digest.hex(), expected.hex());
    }
    return "";
}

namespace {

// `history` is an ordered part of `full` that holds every version of `required`.
std::string diff_partial_history(const ObjectId& id, const std::vector<ObjectVersion>& history,
                                 const std::vector<ObjectVersion>& required,
                                 const std::vector<ObjectVersion>& full) {
    auto contains = [](const std::vector<ObjectVersion>& all, const ObjectVersion& v) {
        return std::find(all.begin(), all.end(), v) != all.end();
    };
    bool ok = std::is_sorted(history.begin(), history.end(),
                             [](const auto& a, const auto& b) { return a.version < b.version; });
    for (const ObjectVersion& v : history) ok = ok && contains(full, v);
    for (const ObjectVersion& v : required) ok = ok && contains(history, v);
    if (ok) return "";
    return difference(
        "object " + id.hex().substr(0, 12) + " history", describe_history(history),
        "a part of " + describe_history(full) + " holding " + describe_history(required));
}

}  // namespace

std::string diff_object(storage::Store& store, const StoreOracle& oracle, const ObjectId& id,
                        const StoreOracle* unpruned) {
    const std::string where = "object " + id.hex().substr(0, 12) + " ";
    auto info = store.latest_info(id);
    if (!info) return where + "latest_info failed: " + info.status().to_string();
    if (*info != oracle.latest_info(id)) {
        return difference(where + "latest_info", describe_info(*info),
                          describe_info(oracle.latest_info(id)));
    }
    auto latest = store.get_latest(id);
    if (!latest) return where + "get_latest failed: " + latest.status().to_string();
    if (*latest != oracle.latest(id)) {
        return difference(where + "get_latest", describe(*latest), describe(oracle.latest(id)));
    }
    auto history = store.history(id);
    if (!history) return where + "history failed: " + history.status().to_string();
    if (unpruned != nullptr) {
        return diff_partial_history(id, *history, oracle.history(id), unpruned->history(id));
    }
    if (*history != oracle.history(id)) {
        return difference(where + "history", describe_history(*history),
                          describe_history(oracle.history(id)));
    }
    return "";
}

std::string diff_reads_at(storage::Store& store, const StoreOracle& oracle, const ObjectId& id,
                          const std::vector<Version>& versions) {
    for (Version v : versions) {
        const std::string what =
            "object " + id.hex().substr(0, 12) + " get_at_or_below(" + std::to_string(v) + ")";
        auto actual = store.get_at_or_below(id, v);
        auto expected = oracle.at_or_below(id, v);
        if (!expected) {
            if (actual || actual.status().code() != Code::kPruned) {
                return difference(what, actual ? describe(*actual) : actual.status().to_string(),
                                  "Pruned");
            }
            continue;
        }
        if (!actual) return difference(what, actual.status().to_string(), describe(*expected));
        if (*actual != *expected) return difference(what, describe(*actual), describe(*expected));
    }
    return "";
}

std::string diff_store(storage::Store& store, const StoreOracle& oracle, std::size_t id_pool_size,
                       const StoreOracle* unpruned) {
    if (std::string diff = diff_status(store, oracle); !diff.empty()) return diff;
    for (std::uint64_t k = 0; k < id_pool_size; ++k) {
        const ObjectId id = pool_id(k);
        std::string diff = diff_object(store, oracle, id, unpruned);
        if (diff.empty() && unpruned != nullptr) {
            std::vector<Version> probes = probe_versions(oracle, id);
            for (Version v : probe_versions(*unpruned, id)) probes.push_back(v);
            diff = diff_reads_at(store, oracle, id, probes);
        }
        if (!diff.empty()) return diff;
    }
    auto recomputed = store.recompute_digest();
    if (!recomputed) return "recompute_digest failed: " + recomputed.status().to_string();
    if (recomputed->state_digest != store.status().state_digest) {
        return difference("recomputed digest", recomputed->state_digest.hex(),
                          store.status().state_digest.hex());
    }
    if (recomputed->live_objects != store.status().live_objects) {
        return difference("recomputed live objects", std::to_string(recomputed->live_objects),
                          std::to_string(store.status().live_objects));
    }
    if (oracle.applied_commit() > 0) {
        auto record = store.read_commit(oracle.applied_commit());
        if (!record) return "read_commit of the applied commit: " + record.status().to_string();
        if (record->state_digest != oracle.expected_digest()) {
            return difference("commit record digest", record->state_digest.hex(),
                              oracle.expected_digest().hex());
        }
    }
    if (store.read_commit(oracle.applied_commit() + 1).is_ok()) {
        return "the store holds commit " + std::to_string(oracle.applied_commit() + 1) +
               " past its applied commit";
    }
    return "";
}

std::vector<Version> probe_versions(const StoreOracle& oracle, const ObjectId& id) {
    constexpr Version kMax = std::numeric_limits<Version>::max();
    std::set<Version> probes = {0, 1, oracle.retention_watermark(), oracle.max_version() + 1, kMax};
    if (oracle.retention_watermark() > 0) probes.insert(oracle.retention_watermark() - 1);
    probes.insert(oracle.retention_watermark() + 1);
    for (const ObjectVersion& v : oracle.history(id)) {
        probes.insert(v.version - 1);
        probes.insert(v.version);
        if (v.version < kMax) probes.insert(v.version + 1);
    }
    return {probes.begin(), probes.end()};
}

// --- Generator ------------------------------------------------------------------------------

namespace {

ObjectId tagged_id(std::string_view tag, std::uint64_t k) {
    common::Bytes k_be;
    common::put_be64(k_be, k);
    return common::blake2b_256({tag, k_be});
}

// Eight bytes per draw: the crash writer replays every commit at each start.
common::Bytes random_bytes(std::mt19937_64& rng, std::size_t size) {
    common::Bytes out(size, '\0');
    common::fill_random_bytes(rng, out.data(), size);
    return out;
}

common::Bytes random_payload(std::mt19937_64& rng, const GeneratorOptions& options) {
    // One payload in eight is empty: an empty live object must still count in the digest.
    if (common::below_modulo(rng, 8) == 0) return {};
    return random_bytes(rng, 1 + common::below_modulo(rng, options.payload_bytes_max));
}

storage::ObjectWrite generate_write(std::mt19937_64& rng, CommitIndex index, const ObjectId& id,
                                    const StoreOracle& state, const GeneratorOptions& options) {
    const Version gap = common::below_modulo(rng, 4);
    auto info = state.latest_info(id);
    if (!info) {
        // Creation: versions of new objects track the commit index, so that the watermarks
        // the tests choose cut through many objects' histories.
        // Now and then a tombstone instead: an id created and deleted inside one commit
        // leaves one, so that its versions are never issued again.
        if (common::below_modulo(rng, 8) == 0) return {id, index + gap, std::nullopt};
        return {id, index + gap, random_payload(rng, options)};
    }
    const Version next = info->version + 1 + gap;
    // A deletion, or a tombstone over a tombstone (a re-creation deleted in the same commit).
    if (common::below_modulo(rng, 4) == 0) return {id, next, std::nullopt};
    return {id, next, random_payload(rng, options)};  // update, or re-creation
}

}  // namespace

ObjectId pool_id(std::uint64_t k) { return tagged_id("remora/test/pool", k); }
ObjectId unknown_id(std::uint64_t k) { return tagged_id("remora/test/unknown", k); }

storage::CommitInput generate_commit(std::uint64_t seed, CommitIndex index,
                                     const StoreOracle& state, const GeneratorOptions& options) {
    REMORA_ASSERT(index == state.applied_commit() + 1);
    REMORA_ASSERT(options.id_pool_size > 0 && options.writes_max <= options.id_pool_size);
    // std::mt19937_64 (fully specified by the standard) with our own draws, so that a seed means
    // the same commits everywhere.
    std::mt19937_64 rng(common::mix_seed(seed, index));

    storage::CommitInput input;
    input.index = index;
    // Distinct pool slots by a partial Fisher-Yates shuffle; the order of the writes is random
    // too, so the store's own ordering of a batch is exercised. Some commits write nothing.
    std::vector<std::uint64_t> slots(options.id_pool_size);
    for (std::size_t i = 0; i < slots.size(); ++i) slots[i] = i;
    const std::size_t write_count = common::below_modulo(rng, options.writes_max + 1);
    for (std::size_t i = 0; i < write_count; ++i) {
        std::swap(slots[i], slots[i + common::below_modulo(rng, slots.size() - i)]);
        input.writes.push_back(generate_write(rng, index, pool_id(slots[i]), state, options));
    }
    input.body = random_bytes(rng, common::below_modulo(rng, options.body_bytes_max + 1));
    const std::size_t tx_count = common::below_modulo(rng, options.transactions_max + 1);
    for (std::uint32_t position = 0; position < tx_count; ++position) {
        common::Bytes tag;
        common::put_be64(tag, seed);
        common::put_be64(tag, index);
        common::put_be32(tag, position);
        input.transactions.push_back({common::blake2b_256({"remora/test/tx", tag}), position});
    }
    REMORA_ASSERT(state.validate(input).is_ok());
    return input;
}

StoreOracle replay_generated(std::uint64_t seed, CommitIndex last,
                             const GeneratorOptions& options) {
    StoreOracle oracle;
    for (CommitIndex index = 1; index <= last; ++index) {
        oracle.apply(generate_commit(seed, index, oracle, options));
    }
    return oracle;
}

}  // namespace remora::testing
