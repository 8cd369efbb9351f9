#pragma once
// A pre-executor's record of the tentative order (docs/remora_protocol.md, "Convergence: the
// tentative order"): the sequencer announces each batch's order when it cuts it, long before
// the commit. The pre-executor places every transaction whose effects it knows (its own
// results, peers' forwards) at its position, and re-checks its own results against the state
// that order gives: what the last earlier-ordered writer of each object it read wrote, else its
// confirmed store. A result whose reads differ is re-executed there and sent again (a
// superseding result). Nothing here is trusted by the primary: a replacement result passes the
// same adopt check as any other.
//
// Deterministic: ordered maps only; positions compare (batch, index).

#include <compare>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "executor/exec/state.h"
#include "executor/protocol/messages.h"
#include "executor/tx/transaction.h"

namespace remora::executor::protocol {

// A transaction's place in the tentative order.
struct OrderPosition {
    std::uint64_t batch = 0;  // the sequencer's batch number
    std::uint32_t index = 0;  // in the batch

    // NOLINTNEXTLINE(modernize-use-nullptr): its synthesized `< 0`, llvm-project#53961
    auto operator<=>(const OrderPosition&) const = default;
};

// Sequencer -> pre-executor, when a batch is cut: its transactions in the order cut. An
// ordering source that reorders later makes these positions wrong: that costs misses only.
struct TentativeOrder {
    std::uint64_t batch = 0;
    // The primary commit this batch is expected to become (0: unknown). Once a state update
    // says the primary is past it, its own results are final and never re-checked.
    CommitIndex commit = 0;
    std::vector<Digest> txs;
};

// One write at a position: the object (or a tombstone) and who wrote it, with the effects
// digest computed here.
struct OrderedWrite {
    ObjectLookup lookup;
    Digest writer_tx;
    Digest writer_effects;
};

// The state at one position: for each id the last write ordered before it when that is newer
// than the confirmed state, else the confirmed state. Records the reads it served from writes
// (their writers), like SpeculativeView.
class OrderedView : public StateReader {
public:
    using Writes = std::map<ObjectId, std::map<OrderPosition, OrderedWrite>>;
    OrderedView(const Writes& writes, StateReader& confirmed, OrderPosition at)
        : m_writes(writes), m_confirmed(confirmed), m_at(at) {}

    common::Result<ObjectLookup> read(const ObjectId& id) override;
    common::Result<VersionLookup> read_version(const ObjectId& id) override;
    // The write a read of `id` would be served from; nullptr: the confirmed state.
    common::Result<const OrderedWrite*> served_by(const ObjectId& id);
    void begin() { m_served.clear(); }
    std::vector<SpeculativeRead> speculative_reads() const;

private:
    const Writes& m_writes;
    StateReader& m_confirmed;
    OrderPosition m_at;
    std::map<ObjectId, SpeculativeRead> m_served;
};

struct ReplayCounters {
    std::uint64_t orders = 0;          // tentative orders learnt
    std::uint64_t checks = 0;          // own results re-checked against an order
    std::uint64_t replays = 0;         // re-executed and sent again (superseding results)
    std::uint64_t replays_capped = 0;  // would have been, past replays_per_tx_max
    std::uint64_t reordered = 0;       // transactions an order placed elsewhere than before
    std::uint64_t healed = 0;          // overlay entries replaced by the ordered state
    std::uint64_t forgotten = 0;       // positions dropped at the bound

    bool operator==(const ReplayCounters&) const = default;
};

// The bookkeeping; PreExecutor drives it and executes.
class OrderedReplay {
public:
    struct Own {
        Transaction tx;
        std::optional<LookupTable> hints;
        LookupTable table;                         // of the result last sent
        std::vector<SpeculativeRead> speculative;  // of the result last sent
        std::uint32_t revision = 0;
        std::uint32_t replays = 0;
    };

    OrderedReplay(std::size_t ordered_txs_max) : m_ordered_txs_max(ordered_txs_max) {}

    // The effects of `tx_digest` as known here now (own or forwarded; digest computed here).
    // Returns the ids whose ordered writes changed.
    std::vector<ObjectId> note_effects(const Effects& effects, const Digest& effects_digest);
    // An own result, as sent.
    void note_own(const Transaction& tx, const LookupTable* hints, const PreExecResult& result);
    Own* own(const Digest& tx);
    // Places a batch. Returns the ids whose ordered writes changed, and the positions of own
    // transactions in it.
    std::vector<ObjectId> learn_order(const TentativeOrder& order,
                                      std::vector<OrderPosition>& own_positions);
    std::optional<OrderPosition> position(const Digest& tx) const;
    const Digest* at(const OrderPosition& position) const;
    // Own positioned transactions after `after` that read `id`.
    void readers_after(const ObjectId& id, const OrderPosition& after,
                       std::set<OrderPosition>& out) const;
    // Own positioned transactions reading `id` anywhere.
    void readers(const ObjectId& id, std::set<OrderPosition>& out) const;
    // The last ordered write of `id` (any position), if any.
    const OrderedWrite* last_write(const ObjectId& id) const;
    bool is_positioned(const Digest& tx) const { return position(tx).has_value(); }
    // The primary committed through `commit`: own results of batches expected at or before it
    // are final (their writes stay, as what later positions read).
    void retire_through(CommitIndex commit);
    bool retired(const OrderPosition& position) const;

    const OrderedView::Writes& writes() const { return m_writes; }
    ReplayCounters& counters() { return m_counters; }
    const ReplayCounters& counters() const { return m_counters; }

private:
    struct Known {
        std::shared_ptr<const Effects> effects;
        Digest effects_digest;
    };
    void place(const Digest& tx, const OrderPosition& position, std::vector<ObjectId>& changed);
    void unplace(const Digest& tx, const OrderPosition& position, std::vector<ObjectId>& changed);
    void index_reads(const Digest& tx, const OrderPosition& position, bool add);
    void forget_oldest_batch();

    std::size_t m_ordered_txs_max;
    std::map<Digest, Known> m_known;
    std::map<Digest, Own> m_own;
    std::map<Digest, OrderPosition> m_positions;
    std::map<OrderPosition, Digest> m_order;
    OrderedView::Writes m_writes;
    std::map<ObjectId, std::set<OrderPosition>> m_readers;  // own positioned txs by read id
    std::deque<Digest> m_arrivals;  // known or own digests in arrival order, for the bound
    std::map<std::uint64_t, CommitIndex> m_batch_commits;  // batch -> expected commit
    std::uint64_t m_retired_batches = 0;                   // batches below this are final
    ReplayCounters m_counters;
};

}  // namespace remora::executor::protocol
