#include "executor/sequential/commit_body.h"

#include <algorithm>

#include "common/limits.h"
#include "executor/commit_body_generated.h"
#include "executor/tx/effects_codec.h"
#include "executor/tx/fb_effects.h"
#include "executor/tx/fb_transaction.h"
#include "executor/tx/object_codec.h"
#include "executor/tx/transaction_codec.h"

namespace remora::executor {
namespace {

using common::Code;
using common::Status;

flatbuffers::Offset<flatbuffers::Vector<std::uint8_t>> bytes_vector(
    flatbuffers::FlatBufferBuilder& builder, const common::Bytes& bytes) {
    return builder.CreateVector(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

flatbuffers::Offset<flatbuffers::Vector<std::uint8_t>> identity_vector(
    flatbuffers::FlatBufferBuilder& builder, const ExecutorIdentity& identity) {
    return builder.CreateVector(identity.digest.bytes.data(), identity.digest.bytes.size());
}

common::ByteView view(const flatbuffers::Vector<std::uint8_t>* v) {
    if (v == nullptr) return {};
    return {reinterpret_cast<const char*>(v->data()), v->size()};
}

}  // namespace

namespace {

// Each committed transaction's encodings (transaction, effects), in order.
using EncodedTxs = std::vector<std::pair<common::Bytes, common::Bytes>>;

template <typename Entries>
EncodedTxs encode_txs(std::size_t count, const Entries& entry_at) {
    EncodedTxs encoded;
    encoded.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto [transaction, effects] = entry_at(i);
        encoded.emplace_back(encode_transaction(*transaction), encode_effects(*effects));
    }
    return encoded;
}

// Room for the encoded transactions and the body's own fields, so that the builder's buffer is
// allocated once instead of doubling (and copying) a dozen times for a large commit. The
// bytes it finishes with do not depend on this.
std::size_t body_capacity(const EncodedTxs& encoded) {
    std::size_t bytes = 1024;
    for (const auto& [tx, fx] : encoded) bytes += tx.size() + fx.size() + 64;
    return bytes;
}

// Appends the committed transactions, in order, to `builder`.
flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::CommittedTx>>> committed_txs(
    flatbuffers::FlatBufferBuilder& builder, const EncodedTxs& encoded) {
    std::vector<flatbuffers::Offset<fb::CommittedTx>> entries;
    entries.reserve(encoded.size());
    for (const auto& [tx_bytes, fx_bytes] : encoded) {
        auto tx = bytes_vector(builder, tx_bytes);
        auto fx = bytes_vector(builder, fx_bytes);
        entries.push_back(fb::CreateCommittedTx(builder, tx, fx));
    }
    return builder.CreateVector(entries);
}

}  // namespace

namespace {

// Room for the body of `effects` (a generous estimate: each object's bytes twice, plus room for
// the fixed fields of a transaction and its effects), so that the builder rarely grows. Untouched
// room costs only address space. The bytes it finishes with do not depend on this.
std::size_t body_capacity(std::span<const Effects> effects) {
    std::size_t bytes = 1024;
    for (const Effects& e : effects) {
        bytes += 2048 + 2 * e.status.detail.size() + 64 * e.deleted.size();
        for (const auto* list : {&e.written, &e.created}) {
            for (const Object& object : *list) {
                bytes += 256 + 2 * (object.type_tag.size() + object.contents.size());
            }
        }
        for (const Event& event : e.events) bytes += 64 + event.type_tag.size() + event.data.size();
    }
    return bytes;
}

}  // namespace

common::Bytes encode_commit_body(std::span<const Transaction* const> transactions,
                                 std::span<const Effects> effects,
                                 const ExecutorIdentity& identity) {
    REMORA_ASSERT(transactions.size() == effects.size());
    fb_io::Builder builder(body_capacity(effects));
    // Each transaction and its effects are finished in one reused builder and copied straight
    // into the body, in the order committed_txs() adds them: the same bytes, without two byte
    // strings and two fresh builders per transaction.
    fb_io::Builder scratch(4096);
    std::vector<flatbuffers::Offset<fb::CommittedTx>> committed;
    committed.reserve(transactions.size());
    for (std::size_t i = 0; i < transactions.size(); ++i) {
        fb_io::finish_transaction(scratch, *transactions[i]);
        auto tx = builder.bytes(scratch.GetBufferPointer(), scratch.GetSize());
        fb_io::finish_effects(scratch, effects[i]);
        auto fx = builder.bytes(scratch.GetBufferPointer(), scratch.GetSize());
        // The order of fb::CreateCommittedTx's add_ calls.
        committed.emplace_back(
            builder.table({fb_io::Builder::offset(fb::CommittedTx::VT_EFFECTS, fx),
                           fb_io::Builder::offset(fb::CommittedTx::VT_TRANSACTION, tx)}));
    }
    auto entries = builder.offsets(committed.data(), committed.size());
    auto identity_bytes = identity_vector(builder, identity);
    fb::CommitBodyBuilder root(builder);
    root.add_format_version(kCommitBodyFormatVersion);
    root.add_transactions(entries);
    root.add_rules_version(identity.rules_version);
    root.add_executor_identity(identity_bytes);
    fb::FinishCommitBodyBuffer(builder, root.Finish());
    return {reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize()};
}

common::Bytes encode_commit_body(const CommitBody& body) {
    const EncodedTxs encoded = encode_txs(body.transactions.size(), [&](std::size_t i) {
        return std::pair{&body.transactions[i].transaction, &body.transactions[i].effects};
    });
    flatbuffers::FlatBufferBuilder builder(body_capacity(encoded));
    auto transactions = committed_txs(builder, encoded);
    flatbuffers::Offset<fb::GenesisRecord> genesis;
    if (body.genesis) {
        std::vector<flatbuffers::Offset<fb::GenesisObject>> objects;
        objects.reserve(body.genesis_objects.size());
        for (const Object& object : body.genesis_objects) {
            objects.push_back(
                fb::CreateGenesisObject(builder, bytes_vector(builder, encode_object(object))));
        }
        auto workload = builder.CreateString(body.genesis_workload);
        genesis = fb::CreateGenesisRecord(builder, workload, builder.CreateVector(objects));
    }
    auto identity_bytes = identity_vector(builder, body.identity);
    fb::CommitBodyBuilder root(builder);
    root.add_format_version(kCommitBodyFormatVersion);
    if (body.genesis) root.add_genesis(genesis);
    root.add_transactions(transactions);
    root.add_rules_version(body.identity.rules_version);
    root.add_executor_identity(identity_bytes);
    fb::FinishCommitBodyBuffer(builder, root.Finish());
    return {reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize()};
}

common::Result<CommitBody> decode_commit_body(common::ByteView bytes) {
    if (bytes.size() > common::limits::kCommitBodyBytesMax) {
        return Status{Code::kCorruption, "commit body larger than the limit"};
    }
    // FlatBuffers reads scalars in place: copy to an aligned buffer first.
    std::vector<std::uint8_t> aligned(bytes.begin(), bytes.end());
    flatbuffers::Verifier verifier(aligned.data(), aligned.size(), /*max_depth=*/8,
                                   /*max_tables=*/1u << 22);
    if (!fb::VerifyCommitBodyBuffer(verifier)) {
        return Status{Code::kCorruption, "commit body fails FlatBuffers verification"};
    }
    const fb::CommitBody* root = fb::GetCommitBody(aligned.data());
    CommitBody body;
    if (root->format_version() == kCommitBodyFormatV1) {
        body.identity = executor_identity(kRulesV1);
    } else if (root->format_version() == kCommitBodyFormatVersion) {
        const auto* digest = root->executor_identity();
        if (root->rules_version() == 0 || digest == nullptr ||
            digest->size() != body.identity.digest.bytes.size()) {
            return Status{Code::kCorruption,
                          "commit body lacks its rules version or 32-byte executor identity"};
        }
        body.identity.rules_version = root->rules_version();
        std::copy(digest->begin(), digest->end(), body.identity.digest.bytes.begin());
    } else {
        return Status{Code::kFormatVersion, "commit body format version " +
                                                std::to_string(root->format_version()) +
                                                " (this build reads 1 and 2)"};
    }
    if (root->genesis() != nullptr) {
        body.genesis = true;
        if (root->genesis()->workload() != nullptr) {
            body.genesis_workload = root->genesis()->workload()->str();
        }
        if (root->genesis()->objects() != nullptr) {
            std::size_t position = 0;
            for (const fb::GenesisObject* entry : *root->genesis()->objects()) {
                auto object = decode_object(view(entry->object()));
                if (!object) {
                    return object.status().with_context("genesis object " +
                                                        std::to_string(position));
                }
                ++position;
                body.genesis_objects.push_back(std::move(object).value());
            }
        }
    }
    if (root->transactions() == nullptr) return body;
    body.transactions.reserve(root->transactions()->size());
    std::size_t position = 0;
    for (const fb::CommittedTx* entry : *root->transactions()) {
        std::string where = "commit body transaction " + std::to_string(position++);
        auto tx = decode_transaction(view(entry->transaction()));
        if (!tx) return tx.status().with_context(where);
        auto effects = decode_effects(view(entry->effects()));
        if (!effects) return effects.status().with_context(where);
        body.transactions.push_back({std::move(tx).value(), std::move(effects).value()});
    }
    return body;
}

}  // namespace remora::executor
