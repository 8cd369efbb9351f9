#include "executor/vm/host_functions.h"

#include "common/limits.h"
#include "common/status.h"
#include "executor/vm/limits.h"

namespace remora::executor::vm {
namespace {

using F = HostFunction;

constexpr HostParam kInt{ValueKind::kInt, 0, UINT64_MAX};
constexpr HostParam kId{ValueKind::kBytes, 32, 32};
constexpr HostParam kData{ValueKind::kBytes, 0, limits::kBytesLengthMax};
constexpr HostParam kTypeTag{ValueKind::kBytes, 1, limits::kTypeTagBytesMax};
constexpr HostParam kKey{ValueKind::kBytes, 1, limits::kChildKeyBytesMax};
constexpr HostParam kBool{ValueKind::kInt, 0, 1};
constexpr HostParam kRound{ValueKind::kInt, 1, limits::kIteratedHashRoundsMax};
constexpr HostParam kSig{ValueKind::kBytes, 64, 64};
constexpr HostParam kNone{};

// Costs follow measurements on the project's machine (docs/vm.md, host calls) with 1 gas ~ 15 ns:
// an Ed25519 verify (~45 us) is 3000 gas, a BLAKE2b round on 32 bytes (~220 ns) 20 gas. State
// access is priced like a cached RocksDB read (~3 us) or write.
// clang-format off
constexpr HostSignature kHostFunctions[] = {
    // function, name, argc, args (push order), results, result, precompile, gas: base,
    // per input word, per output word, per round
    {F::kInputRead,      "input_read",      1, {kInt},             1, kData, false, 200,  0,  3, 0},
    {F::kInputId,        "input_id",        1, {kInt},             1, kId,   false, 50,   0,  0, 0},
    {F::kObjectRead,     "object_read",     1, {kId},              1, kData, false, 300,  0,  3, 0},
    {F::kObjectWrite,    "object_write",    2, {kId, kData},       0, kNone, false, 300,  5,  0, 0},
    {F::kObjectCreate,   "object_create",   2, {kTypeTag, kData},  1, kId,   false, 500,  5,  0, 0},
    {F::kObjectDelete,   "object_delete",   1, {kId},              0, kNone, false, 200,  0,  0, 0},
    {F::kObjectTransfer, "object_transfer", 2, {kId, kId},         0, kNone, false, 200,  0,  0, 0},
    {F::kChildGet,       "child_get",       2, {kId, kKey},        1, kData, false, 400,  1,  3, 0},
    {F::kChildSet,       "child_set",       3, {kId, kKey, kData}, 0, kNone, false, 500,  5,  0, 0},
    {F::kChildExists,    "child_exists",    2, {kId, kKey},        1, kBool, false, 300,  1,  0, 0},
    {F::kChildRemove,    "child_remove",    2, {kId, kKey},        0, kNone, false, 300,  1,  0, 0},
    {F::kBlake2b256,     "blake2b_256",     1, {kData},            1, kId,   true,  60,   6,  0, 0},
    {F::kSha256,         "sha256",          1, {kData},            1, kId,   true,  60,   12, 0, 0},
    {F::kEd25519Verify,  "ed25519_verify",  3, {kId, kData, kSig}, 1, kBool, true,  3000, 6,  0, 0},
    {F::kIteratedHash,   "iterated_hash",   2, {kData, kRound},    1, kId,   true,  60,   6,  0, 20},
    {F::kEmitEvent,      "emit_event",      2, {kTypeTag, kData},  0, kNone, false, 100,  5,  0, 0},
    {F::kTxSender,       "tx_sender",       0, {},                 1, kId,   false, 20,   0,  0, 0},
};
// clang-format on

}  // namespace

const HostSignature* host_signature(std::uint8_t id) {
    for (const HostSignature& sig : kHostFunctions) {
        if (static_cast<std::uint8_t>(sig.function) == id) return &sig;
    }
    return nullptr;
}

const HostSignature* host_signature_by_name(std::string_view name) {
    for (const HostSignature& sig : kHostFunctions) {
        if (sig.name == name) return &sig;
    }
    return nullptr;
}

std::size_t host_function_count() { return std::size(kHostFunctions); }

const HostSignature& host_function_at(std::size_t i) {
    REMORA_ASSERT(i < std::size(kHostFunctions));
    return kHostFunctions[i];
}

}  // namespace remora::executor::vm
