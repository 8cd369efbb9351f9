// The tuned encoders (fb_io::Builder's fused vectors, offsets gathered on the stack, the commit
// body through one reused scratch builder) against the encoders as they were before, written
// with FlatBuffers' own calls only (tx_reference_codec): on seeded random values, including
// defaults that FlatBuffers leaves out, empty and odd-length byte strings, every owner and
// program kind, and lists longer than the encoders keep on the stack, every byte must agree.

#include <catch2/catch.hpp>

#include <vector>

#include "common/random.h"
#include "executor/sequential/commit_body.h"
#include "executor/tx/effects_codec.h"
#include "executor/tx/object_codec.h"
#include "executor/tx/transaction_codec.h"
#include "tests/executor/tx_reference_codec.h"

using namespace remora::executor;
using namespace remora::testing;
namespace common = remora::common;

namespace {

class Draw {
public:
    explicit Draw(std::uint64_t seed) : m_bits(seed) {}

    std::uint64_t below(std::uint64_t n) { return m_bits() % n; }
    // Zero a quarter of the time: FlatBuffers leaves a scalar field at its default out.
    std::uint64_t scalar() { return below(4) == 0 ? 0 : m_bits(); }
    // Mostly a few, now and then more than the encoders gather on the stack (16).
    std::size_t count() { return below(4) == 0 ? below(40) : below(5); }
    common::Bytes bytes(std::size_t size_max) {
        common::Bytes out(below(size_max + 1), '\0');
        for (char& c : out) c = static_cast<char>(m_bits());
        return out;
    }
    template <std::size_t N>
    void fill(std::array<std::uint8_t, N>& out) {
        for (auto& b : out) b = static_cast<std::uint8_t>(m_bits());
    }
    common::Hash256 hash() {
        common::Hash256 h;
        fill(h.bytes);
        return h;
    }

    Object object() {
        Object o;
        o.id = hash();
        o.version = scalar();
        switch (below(4)) {
            case 0:
                o.owner = OwnedByAddress{hash()};
                break;
            case 1:
                o.owner = SharedOwner{};
                break;
            case 2:
                o.owner = OwnedByParent{hash()};
                break;
            default:
                o.owner = ImmutableOwner{};
                break;
        }
        o.type_tag = bytes(70);
        o.contents = bytes(below(8) == 0 ? 3000 : 200);
        return o;
    }

    Transaction transaction() {
        Transaction tx;
        tx.sender = hash();
        tx.nonce = scalar();
        for (std::size_t i = count(); i > 0; --i) {
            Authenticator a;
            fill(a.public_key.bytes);
            fill(a.signature.bytes);
            tx.authenticators.push_back(a);
        }
        for (std::size_t i = count(); i > 0; --i) {
            InputObject input;
            input.id = hash();
            input.kind = below(2) == 0 ? InputObject::Kind::kOwned : InputObject::Kind::kShared;
            input.version = scalar();
            tx.inputs.push_back(input);
        }
        tx.gas_budget = scalar();
        if (below(2) == 0) {
            tx.program = PackageCall{hash(), bytes(70)};
        } else {
            tx.program = InlineBytecode{bytes(300)};
        }
        for (std::size_t i = count(); i > 0; --i) {
            if (below(2) == 0) {
                tx.arguments.emplace_back(scalar());
            } else {
                tx.arguments.emplace_back(bytes(50));
            }
        }
        tx.expiry = scalar();
        return tx;
    }

    Effects effects() {
        Effects e;
        e.tx_digest = hash();
        e.status.code = static_cast<AbortCode>(below(kAbortCodeMax + 1));
        e.status.abort_value = scalar();
        e.status.detail = bytes(40);
        e.gas_used = scalar();
        for (std::size_t i = count(); i > 0; --i) e.written.push_back(object());
        for (std::size_t i = count(); i > 0; --i) e.created.push_back(object());
        for (std::size_t i = count(); i > 0; --i) e.deleted.push_back({hash(), scalar()});
        for (std::size_t i = count(); i > 0; --i) e.events.push_back({bytes(70), bytes(100)});
        return e;
    }

private:
    common::Xoshiro256StarStar m_bits;
};

}  // namespace

TEST_CASE("the tuned encoders give the bytes of FlatBuffers' own calls", "[tx][format]") {
    Draw draw(0xB0D7'C07'0011);
    for (int round = 0; round < 400; ++round) {
        INFO("round " << round);
        const Object object = draw.object();
        REQUIRE(encode_object(object) == reference_encode_object(object));
        const Transaction tx = draw.transaction();
        REQUIRE(encode_transaction(tx) == reference_encode_transaction(tx));
        const Effects effects = draw.effects();
        REQUIRE(encode_effects(effects) == reference_encode_effects(effects));
    }
}

TEST_CASE("a commit body from spans is the bytes of the per-transaction reference encoder",
          "[tx][format]") {
    Draw draw(0xB0D7'C07'0012);
    for (int round = 0; round < 60; ++round) {
        INFO("round " << round);
        // Empty commits too, and commits whose entries start at every alignment.
        const std::size_t size = round == 0 ? 0 : draw.below(12);
        std::vector<Transaction> txs;
        std::vector<Effects> effects;
        CommitBody body;
        for (std::size_t i = 0; i < size; ++i) {
            txs.push_back(draw.transaction());
            effects.push_back(draw.effects());
            body.transactions.push_back({txs.back(), effects.back()});
        }
        std::vector<const Transaction*> pointers;
        for (const Transaction& tx : txs) pointers.push_back(&tx);
        const ExecutorIdentity identity = executor_identity();
        const common::Bytes expected = reference_encode_commit_body(pointers, effects, identity);
        REQUIRE(encode_commit_body(pointers, effects, identity) == expected);
        REQUIRE(encode_commit_body(body) == expected);
    }
}
