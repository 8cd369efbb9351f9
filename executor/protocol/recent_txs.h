#pragma once
// The primary's memory of recently committed transactions: digest -> effects digest, the
// newest `capacity` of them. Late results for these are dropped on arrival, and a result that
// read a pre-executor's speculative write is adoptable only if the writer is here with the
// effects the pre-executor computed (messages.h, SpeculativeRead). Forgetting an old
// transaction only costs a miss or a buffered result that later expires.
//
// Layout (it is looked up several times per transaction on the primary's thread): the entries
// live in a ring, entry `sequence` at position sequence % capacity, so the oldest is the one
// overwritten; a flat open-addressing index (linear probing, 8 bytes a slot, at most half
// full) maps a digest to its ring position. The index hashes the digest with a keyed hash
// (keyed_hash.h), so digests ground to collide (a transaction's digest is the sender's choice)
// cannot be made to share a probe run.

#include <cstdint>
#include <optional>
#include <vector>

#include "common/bytes.h"
#include "common/keyed_hash.h"

namespace remora::executor::protocol {

class RecentTxs {
public:
    // REQUIRES: 1 <= capacity <= limits::kRecentTxsMax. `hash_key` keys the index's hash (a
    // test's fixed layout); 0 takes the process's key.
    explicit RecentTxs(std::size_t capacity, std::uint64_t hash_key = 0);

    // Remembers that `tx` committed with effects whose digest is `effects`; the oldest entry
    // is forgotten when full.
    void add(const common::Digest& tx, const common::Digest& effects);
    // Remembers that `tx` committed, with an effects digest not computed yet: the transaction at
    // position `slot` of the commit that the caller numbers `epoch`. Until resolve() gives its
    // digest, contains() finds it and find() does not (a speculative read of its writes is not
    // confirmed: at worst a miss, never a wrong adoption). Returns the entry's sequence number
    // for resolve().
    std::uint64_t add_pending(const common::Digest& tx, std::uint64_t epoch, std::uint32_t slot);
    // Gives the pending entry `sequence` of `tx` its effects digest; nothing if it was forgotten
    // or `tx` was added again since.
    void resolve(const common::Digest& tx, std::uint64_t sequence, const common::Digest& effects);
    // The commit position of `tx` while its entry is pending under `epoch`, else nullopt.
    std::optional<std::uint32_t> pending_slot(const common::Digest& tx, std::uint64_t epoch) const;
    // Whether `tx` is remembered as committed, its digest computed or not.
    bool contains(const common::Digest& tx) const { return find_entry(tx) != nullptr; }
    // The effects digest `tx` committed with, or nullptr when it is not remembered or its
    // digest is still pending.
    const common::Digest* find(const common::Digest& tx) const;
    // Distinct digests remembered.
    std::size_t size() const { return m_size; }

private:
    struct Entry {
        common::Digest tx;
        common::Digest effects;
        std::uint64_t sequence = 0;
        std::uint64_t epoch = 0;  // pending only
        std::uint32_t slot = 0;   // pending only
        bool pending = false;
    };
    // An index slot: the ring position + 1 (0: empty) and the digest's 32-bit hash, whose low
    // bits are the slot it belongs in and which screens out most other digests without
    // touching the ring.
    struct IndexSlot {
        std::uint32_t position_plus_one = 0;
        std::uint32_t hash = 0;
    };

    std::uint32_t hash(const common::Digest& tx) const;
    // The index slot holding `tx`, or the empty slot that ends its probe run.
    std::size_t probe(const common::Digest& tx, std::uint32_t h) const;
    const Entry* find_entry(const common::Digest& tx) const;
    void insert(const Entry& entry);
    // Takes out the index slot of ring position `position` (whose digest is `tx`), if the
    // index still points there, closing the gap (backward shift).
    void unindex(const common::Digest& tx, std::uint32_t position);
    void grow_index();

    std::size_t m_capacity;
    common::KeyedHash256 m_hasher;
    std::vector<Entry> m_ring;  // grows to m_capacity, then wraps
    std::vector<IndexSlot> m_index;
    std::size_t m_mask = 0;  // m_index.size() - 1, a power of two minus one
    std::size_t m_size = 0;  // occupied index slots
    std::uint64_t m_next_sequence = 0;
};

}  // namespace remora::executor::protocol
