#pragma once
// The primary's memory of recently committed transactions: digest -> effects digest, the
// newest `capacity` of them. Late results for these are dropped on arrival, and a result that
// read a pre-executor's speculative write is adoptable only if the writer is here with the
// effects the pre-executor computed (messages.h, SpeculativeRead). Forgetting an old
// transaction only costs a miss or a buffered result that later expires.

#include <cstdint>
#include <deque>
#include <optional>
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
    // Remembers that `tx` committed, with an effects digest not computed yet: the transaction at
    // position `slot` of the commit that the caller numbers `epoch`. Until resolve() gives its
    // digest, contains() finds it and find() does not (a speculative read of its writes is not
    // confirmed: at worst a miss, never a wrong adoption). Returns the entry's sequence number
    // for resolve().
    std::uint64_t add_pending(const common::Digest& tx, std::uint64_t epoch, std::uint32_t slot);
    // Gives the pending entry `sequence` of `tx` its effects digest; nothing if it was forgotten.
    void resolve(const common::Digest& tx, std::uint64_t sequence, const common::Digest& effects);
    // The commit position of `tx` while its entry is pending under `epoch`, else nullopt.
    std::optional<std::uint32_t> pending_slot(const common::Digest& tx, std::uint64_t epoch) const;
    // Whether `tx` is remembered as committed, its digest computed or not.
    bool contains(const common::Digest& tx) const { return m_entries.count(tx) != 0; }
    // The effects digest `tx` committed with, or nullptr when it is not remembered or its
    // digest is still pending.
    const common::Digest* find(const common::Digest& tx) const;
    std::size_t size() const { return m_entries.size(); }

private:
    struct Entry {
        common::Digest effects;
        std::uint64_t sequence = 0;
        bool pending = false;
        std::uint32_t slot = 0;   // pending only
        std::uint64_t epoch = 0;  // pending only
    };
    void insert(const common::Digest& tx, const Entry& entry);
    std::size_t m_capacity;
    // Looked up only, never iterated (docs/style.md §4: no unordered iteration), so order is moot.
    std::unordered_map<common::Digest, Entry, common::Hash256Hasher> m_entries;
    std::deque<std::pair<std::uint64_t, common::Digest>> m_order;  // oldest first
    std::uint64_t m_next_sequence = 0;
};

}  // namespace remora::executor::protocol
