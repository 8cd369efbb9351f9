#pragma once
// Host functions callable with the `host ID` instruction: ids, fixed signatures and gas. The
// VM checks arity (verifier) and argument types and sizes (run time, before calling the host),
// and charges gas; executor/vm/host.h says what each one means.

#include <array>
#include <cstdint>
#include <string_view>

namespace remora::executor::vm {

enum class HostFunction : std::uint8_t {
    // Objects. Ids and addresses are 32-byte strings.
    kInputRead = 0x01,       // (index:int) -> contents:bytes
    kInputId = 0x02,         // (index:int) -> id
    kObjectRead = 0x03,      // (id) -> contents:bytes
    kObjectWrite = 0x04,     // (id, contents:bytes) -> ()
    kObjectCreate = 0x05,    // (type_tag:bytes, contents:bytes) -> id
    kObjectDelete = 0x06,    // (id) -> ()
    kObjectTransfer = 0x07,  // (id, recipient:address) -> ()
    // Dynamic child objects, named by (parent id, key).
    kChildGet = 0x10,     // (parent, key:bytes) -> contents:bytes
    kChildSet = 0x11,     // (parent, key:bytes, contents:bytes) -> ()
    kChildExists = 0x12,  // (parent, key:bytes) -> 0|1
    kChildRemove = 0x13,  // (parent, key:bytes) -> ()
    // Precompiles: pure functions of their arguments.
    kBlake2b256 = 0x20,     // (data) -> 32 bytes
    kSha256 = 0x21,         // (data) -> 32 bytes
    kEd25519Verify = 0x22,  // (pubkey:32, message, signature:64) -> 0|1
    kIteratedHash = 0x23,   // (data, rounds:int) -> 32 bytes
    // Transaction context and events.
    kEmitEvent = 0x30,  // (type_tag:bytes, data:bytes) -> ()
    kTxSender = 0x31,   // () -> address
};

enum class ValueKind : std::uint8_t { kInt, kBytes };

// One argument (or the result) of a host function. For bytes the bounds apply to the length,
// for integers to the value. A value outside them aborts with kHostArgumentInvalid.
struct HostParam {
    ValueKind kind = ValueKind::kInt;
    std::uint64_t min = 0;
    std::uint64_t max = UINT64_MAX;
};

inline constexpr std::size_t kHostArgsMax = 3;

struct HostSignature {
    HostFunction function;
    std::string_view name;
    std::uint8_t arg_count;
    std::array<HostParam, kHostArgsMax> args;  // in push order: args[arg_count-1] is on top
    std::uint8_t result_count;                 // 0 or 1
    HostParam result;                          // meaningful when result_count == 1
    bool precompile;                           // routed to HostInterface::precompile
    // Gas: base, plus per 32-byte word of all byte arguments (charged before the call), plus
    // per word of the byte result (charged after it), plus per round (iterated_hash only).
    std::uint32_t gas_base;
    std::uint32_t gas_per_input_word;
    std::uint32_t gas_per_output_word;
    std::uint32_t gas_per_round;
};

// nullptr for an unknown id / name.
const HostSignature* host_signature(std::uint8_t id);
const HostSignature* host_signature_by_name(std::string_view name);
// Every host function, in id order (for docs, tools and tests).
std::size_t host_function_count();
const HostSignature& host_function_at(std::size_t i);

}  // namespace remora::executor::vm
