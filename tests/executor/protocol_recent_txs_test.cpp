// The primary's memory of recent transactions (recent_txs.h) against a plain model of its
// contract: random operations over a small pool of digests, so that digests recur, entries are
// forgotten and the index's probe runs wrap around and close up again.

#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "common/random.h"
#include "executor/protocol/limits.h"
#include "executor/protocol/recent_txs.h"

using namespace remora;
using remora::common::Digest;
using remora::executor::protocol::RecentTxs;

namespace {

// The contract, written the obvious way: a map from digest to its newest entry and the order
// of insertion; the oldest insertion is forgotten once there are more than `capacity`.
class Model {
public:
    explicit Model(std::size_t capacity) : m_capacity(capacity) {}

    std::uint64_t insert(const Digest& tx, std::optional<Digest> effects, std::uint64_t epoch,
                         std::uint32_t slot) {
        const std::uint64_t sequence = m_next++;
        m_entries[tx] = Entry{effects, sequence, epoch, slot};
        m_order.emplace_back(sequence, tx);
        if (m_order.size() > m_capacity) {
            auto [old_sequence, old_tx] = m_order.front();
            m_order.pop_front();
            auto it = m_entries.find(old_tx);
            if (it != m_entries.end() && it->second.sequence == old_sequence) m_entries.erase(it);
        }
        return sequence;
    }
    void resolve(const Digest& tx, std::uint64_t sequence, const Digest& effects) {
        auto it = m_entries.find(tx);
        if (it != m_entries.end() && it->second.sequence == sequence) it->second.effects = effects;
    }
    bool contains(const Digest& tx) const { return m_entries.count(tx) != 0; }
    std::optional<Digest> find(const Digest& tx) const {
        auto it = m_entries.find(tx);
        return it == m_entries.end() ? std::nullopt : it->second.effects;
    }
    std::optional<std::uint32_t> pending_slot(const Digest& tx, std::uint64_t epoch) const {
        auto it = m_entries.find(tx);
        if (it == m_entries.end() || it->second.effects || it->second.epoch != epoch) {
            return std::nullopt;
        }
        return it->second.slot;
    }
    std::size_t size() const { return m_entries.size(); }

private:
    struct Entry {
        std::optional<Digest> effects;  // nullopt: pending
        std::uint64_t sequence = 0;
        std::uint64_t epoch = 0;
        std::uint32_t slot = 0;
    };
    std::size_t m_capacity;
    std::map<Digest, Entry> m_entries;
    std::deque<std::pair<std::uint64_t, Digest>> m_order;
    std::uint64_t m_next = 0;
};

Digest digest_of(common::Xoshiro256StarStar& rng) {
    Digest d;
    for (auto& b : d.bytes) b = static_cast<std::uint8_t>(rng());
    return d;
}

}  // namespace

TEST_CASE("recent transactions answer as the model over random operations", "[protocol][recent]") {
    for (std::uint64_t seed = 1; seed <= 300; ++seed) {
        common::Xoshiro256StarStar rng(seed);
        const std::size_t capacity = 1 + common::below_modulo(rng, 40);
        RecentTxs recent(capacity, /*hash_key=*/seed);
        Model model(capacity);
        std::vector<Digest> pool;
        const std::size_t pool_size = 1 + capacity + common::below_modulo(rng, 3 * capacity);
        for (std::size_t i = 0; i < pool_size; ++i) pool.push_back(digest_of(rng));
        std::vector<std::pair<Digest, std::uint64_t>> pending;  // what add_pending returned
        std::uint64_t epoch = 0;
        INFO("seed " << seed << ", capacity " << capacity << ", pool " << pool_size);
        for (int step = 0; step < 400; ++step) {
            const Digest& tx = pool[common::below_modulo(rng, pool.size())];
            const Digest effects = digest_of(rng);
            switch (common::below_modulo(rng, 6)) {
                case 0:
                    recent.add(tx, effects);
                    model.insert(tx, effects, 0, 0);
                    break;
                case 1: {
                    if (common::below_modulo(rng, 4) == 0) ++epoch;
                    const auto slot = static_cast<std::uint32_t>(common::below_modulo(rng, 1000));
                    const std::uint64_t sequence = recent.add_pending(tx, epoch, slot);
                    REQUIRE(sequence == model.insert(tx, std::nullopt, epoch, slot));
                    pending.emplace_back(tx, sequence);
                    break;
                }
                case 2:
                    if (!pending.empty()) {  // any earlier entry: forgotten, superseded or live
                        auto [ptx, sequence] = pending[common::below_modulo(rng, pending.size())];
                        recent.resolve(ptx, sequence, effects);
                        model.resolve(ptx, sequence, effects);
                    }
                    break;
                case 3: {
                    const std::uint64_t asked = epoch - common::below_modulo(rng, 2);
                    REQUIRE(recent.pending_slot(tx, asked) == model.pending_slot(tx, asked));
                    break;
                }
                default:
                    break;
            }
            for (const Digest& any : pool) {
                REQUIRE(recent.contains(any) == model.contains(any));
                const Digest* found = recent.find(any);
                const std::optional<Digest> expected = model.find(any);
                REQUIRE((found == nullptr) == !expected.has_value());
                if (found != nullptr) REQUIRE(*found == *expected);
            }
            REQUIRE(recent.size() == model.size());
        }
    }
}

TEST_CASE("recent transactions keep their answers across index growth", "[protocol][recent]") {
    common::Xoshiro256StarStar rng(7);
    // Above the default capacity the index is sized for, so it doubles while filling.
    const std::size_t capacity = executor::protocol::limits::kRecentTxsDefault + 1000;
    RecentTxs recent(capacity, /*hash_key=*/0);
    Model model(capacity);
    std::vector<Digest> seen;
    for (std::size_t i = 0; i < 2 * capacity; ++i) {
        const Digest tx = digest_of(rng);
        const Digest effects = digest_of(rng);
        recent.add(tx, effects);
        model.insert(tx, effects, 0, 0);
        seen.push_back(tx);
    }
    REQUIRE(recent.size() == capacity);
    for (const Digest& tx : seen) {
        const Digest* found = recent.find(tx);
        const std::optional<Digest> expected = model.find(tx);
        REQUIRE((found == nullptr) == !expected.has_value());
        if (found != nullptr) REQUIRE(*found == *expected);
    }
}
