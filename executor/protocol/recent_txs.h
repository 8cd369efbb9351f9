#pragma once
// The primary's memory of recently committed transactions: digest -> effects digest, the
// newest `capacity` of them. Late results for these are dropped on arrival, and a result that
// read a pre-executor's speculative write is adoptable only if the writer is here with the
// effects the pre-executor computed (messages.h, SpeculativeRead). Forgetting an old
// transaction only costs a miss or a buffered result that later expires.

#include <cstdint>
#include <deque>
#include <unordered_map>

#include "common/bytes.h"

namespace remora::executor::protocol {

class RecentTxs {
public:
    // REQUIRES: capacity >= 1.
    explicit RecentTxs(std::size_t capacity);

    // Remembers that `tx` committed with effects whose digest is `effects`; the oldest entry
    // is forgotten when full.
    void add(const common::Digest& tx, const common::Digest& effects);
    // The effects digest `tx` committed with, or nullptr when it is not remembered.
    const common::Digest* find(const common::Digest& tx) const;
    std::size_t size() const { return m_entries.size(); }

private:
    struct Entry {
        common::Digest effects;
        std::uint64_t sequence = 0;
    };
    std::size_t m_capacity;
    // Looked up only, never iterated (docs/style.md §4: no unordered iteration), so order is moot.
    std::unordered_map<common::Digest, Entry, common::Hash256Hasher> m_entries;
    std::deque<std::pair<std::uint64_t, common::Digest>> m_order;  // oldest first
    std::uint64_t m_next_sequence = 0;
};

}  // namespace remora::executor::protocol
