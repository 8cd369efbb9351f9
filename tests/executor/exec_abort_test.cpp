// Every abort path of the executor function, as data (docs/execution.md, "Abort paths").
// Each row also checks determinism and honest hints (run_scenario).

#include <catch2/catch.hpp>

#include "executor/exec/rules.h"
#include "executor/tx/limits.h"
#include "executor/vm/host.h"
#include "executor/vm/limits.h"
#include "tests/executor/exec_support.h"

namespace remora::executor::testing {
namespace {

constexpr const char* kNoop = ".func main\n    ret\n";
using vm::host_error::kNotFound;
using vm::host_error::kPermissionDenied;

// A 32 KiB constant: programs build larger strings at run time (a package object holds at most
// limits::kObjectContentsBytesMax bytes, so no constant can be as large as an object).
const std::string kHalf = ".const half " + big_literal(std::size_t{32} * 1024) + "\n";

// Pushes a string of `n` bytes (n <= 64 KiB), built from `half`.
std::string push_big(std::size_t n) {
    return "    pushc half\n    dup\n    concat\n    push 0\n    push " + std::to_string(n) +
           "\n    slice";
}

// Creates `n` objects of the largest contents, one per loop turn.
std::string big_creates(std::uint64_t n) {
    return kHalf + program(".func main locals=1\nloop:\n    pushc \"t\"\n" +
                           push_big(limits::kObjectContentsBytesMax) +
                           "\n    host object_create\n    pop\n    load 0\n    push 1\n"
                           "    add\n    dup\n    store 0\n    push " +
                           std::to_string(n) + "\n    lt\n    jnz loop\n    ret\n");
}

// Writes `contents` (a program fragment pushing bytes) over input 0.
std::string write_input0(const std::string& contents) {
    return program(".func main\n    push 0\n    host input_id\n" + contents +
                   "\n    host object_write\n    ret\n");
}

std::vector<Scenario> authorization_and_input_scenarios() {
    return {
        {.name = "bad signature",
         .source = kNoop,
         .inputs = {InputObject::owned(coin_id(), 3)},
         .tweak = Tweak::kBadSignature,
         .expect = {.code = AbortCode::kInvalidAuthenticator,
                    .gas = intrinsic(1),
                    .detail_has = "authenticator 0"}},
        {.name = "bad signature with a budget below the base charge",
         .source = kNoop,
         .gas = 10,
         .tweak = Tweak::kBadSignature,
         .expect = {.code = AbortCode::kInvalidAuthenticator, .gas = 10}},
        {.name = "sender not signer",
         .source = kNoop,
         .tweak = Tweak::kSignedByBob,
         .expect = {.code = AbortCode::kSenderNotSigner, .gas = intrinsic(0)}},
        {.name = "base charge over the budget",
         .source = kNoop,
         .gas = intrinsic(0) - 1,
         .expect = {.code = AbortCode::kOutOfGas, .gas = intrinsic(0) - 1}},
        {.name = "unknown input",
         .source = kNoop,
         .inputs = {InputObject::owned(coin_id(), 3), InputObject::owned(hash_of(0x99), 1)},
         .expect = {.code = AbortCode::kInputNotFound,
                    .gas = intrinsic(2),
                    .detail_has = "input 1"}},
        {.name = "deleted input",
         .source = kNoop,
         .inputs = {InputObject::shared(deleted_id())},
         .expect = {.code = AbortCode::kInputNotFound, .detail_has = "version 12"}},
        {.name = "wrong-version input",
         .source = kNoop,
         .inputs = {InputObject::owned(coin_id(), 2)},
         .expect = {.code = AbortCode::kInputVersionMismatch,
                    .detail_has = "declared version 2, found 3"}},
        {.name = "input owned by another address",
         .source = kNoop,
         .inputs = {InputObject::owned(bob_coin_id(), 4)},
         .expect = {.code = AbortCode::kInputOwnership}},
        {.name = "shared object declared owned",
         .source = kNoop,
         .inputs = {InputObject::owned(counter_id(), 7)},
         .expect = {.code = AbortCode::kInputOwnership}},
        {.name = "owned object declared shared",
         .source = kNoop,
         .inputs = {InputObject::shared(coin_id())},
         .expect = {.code = AbortCode::kInputOwnership}},
        {.name = "dynamic child declared as an input",
         .source = kNoop,
         .inputs = {InputObject::owned(child_id(counter_id(), "k"), 9)},
         .expect = {.code = AbortCode::kInputOwnership}},
    };
}

std::vector<Scenario> program_scenarios() {
    return {
        {.name = "package not found",
         .source = kNoop,
         .tweak = Tweak::kMissingPackage,
         .expect = {.code = AbortCode::kPackageNotFound, .gas = intrinsic(0)}},
        {.name = "package id names an object that is no package",
         .source = kNoop,
         .tweak = Tweak::kNotAPackage,
         .expect = {.code = AbortCode::kPackageNotFound}},
        {.name = "invalid inline bytecode",
         .source = "not a package",
         .tweak = Tweak::kInlineRaw,
         .expect = {.code = AbortCode::kBytecodeRejected, .gas = intrinsic(0)}},
        {.name = "package object with undecodable contents",
         .source = kNoop,
         .tweak = Tweak::kGarbagePackage,
         .expect = {.code = AbortCode::kBytecodeRejected}},
        {.name = "package that fails the verifier",
         .source = ".func main\n    push 1\n",
         .tweak = Tweak::kUnverifiedPackage,
         .expect = {.code = AbortCode::kBytecodeRejected,
                    .detail_has = "function 'main' offset 0: control falls off the end"}},
        {.name = "unknown entry point",
         .source = kNoop,
         .entry = "nope",
         .expect = {.code = AbortCode::kInvalidEntry,
                    .gas = intrinsic(0),
                    .detail_has = "no function 'nope'"}},
        {.name = "wrong argument count",
         .source = ".func main args=1\n    ret\n",
         .expect = {.code = AbortCode::kInvalidEntry, .detail_has = "takes 1 arguments, got 0"}},
    };
}

std::vector<Scenario> vm_scenarios() {
    const std::string spin = ".func main\nloop:\n    jmp loop\n";
    return {
        {.name = "out of gas in the VM",
         .source = spin,
         .gas = intrinsic(0) + 1001,
         .expect = {.code = AbortCode::kOutOfGas, .gas = intrinsic(0) + 1001}},
        {.name = "step limit",
         .source = spin,
         .expect = {.code = AbortCode::kStepLimit,
                    .gas = intrinsic(0) + 2'000'000,
                    .detail_has = "step_limit in 'main' at offset 0"}},
        {.name = "user abort",
         .source = ".func main\n    push 7\n    abort\n",
         .expect = {.code = AbortCode::kUserAbort,
                    .abort_value = 7,
                    .gas = intrinsic(0) + 2,
                    .detail_has = "user_abort(7) in 'main' at offset 9"}},
        {.name = "division by zero",
         .source = ".func main\n    push 1\n    push 0\n    div\n    pop\n    ret\n",
         .expect = {.code = AbortCode::kDivisionByZero}},
        {.name = "type mismatch",
         .source = ".func main\n    pushc \"a\"\n    push 1\n    add\n    pop\n    ret\n",
         .expect = {.code = AbortCode::kTypeMismatch}},
        {.name = "host argument invalid (empty child key)",
         .source = program(".func main\n    pushc {COUNTER}\n    pushc \"\"\n"
                           "    host child_exists\n    pop\n    ret\n"),
         .inputs = {InputObject::shared(counter_id())},
         .expect = {.code = AbortCode::kHostArgumentInvalid}},
        {.name = "host call limit",
         .source = repeat_program(remora::executor::vm::limits::kHostCallsMax + 1,
                                  "    host tx_sender\n    pop"),
         .expect = {.code = AbortCode::kHostCallLimit}},
        {.name = "writes and events are discarded on a later abort",
         .source = ".func main\n    pushc \"e\"\n    pushc \"d\"\n    host emit_event\n"
                   "    push 0\n    host input_id\n    pushc \"new\"\n    host object_write\n"
                   "    pushc \"t\"\n    pushc \"c\"\n    host object_create\n    pop\n"
                   "    push 9\n    abort\n",
         .inputs = {InputObject::owned(coin_id(), 3)},
         .expect = {.code = AbortCode::kUserAbort, .abort_value = 9}},
    };
}

// Host errors: permissions and bounds of the transaction host.
std::vector<Scenario> host_scenarios() {
    const auto host_error = [](std::uint32_t code, std::string detail = "") {
        return Expect{
            .code = AbortCode::kHostError, .abort_value = code, .detail_has = std::move(detail)};
    };
    return {
        {.name = "immutable write",
         .source = write_input0("    pushc \"x\""),
         .inputs = {InputObject::owned(config_id(), 2)},
         .expect = host_error(kPermissionDenied,
                              "host_error(3) in 'main' at offset 14: object_write: object " +
                                  config_id().hex() + " is read-only")},
        {.name = "dynamic child of a non-input",
         .source = program(".func main\n    pushc {BOB_COIN}\n    pushc \"k\"\n"
                           "    host child_get\n    pop\n    ret\n"),
         .expect = host_error(kPermissionDenied, "child_get: parent")},
        {.name = "grandchild before its parent is reached",
         .source = ".func main args=1\n    load 0\n    pushc \"x\"\n    host child_exists\n"
                   "    pop\n    ret\n",
         .inputs = {InputObject::shared(counter_id())},
         .args = {Value{Bytes(child_id(counter_id(), "k").view())}},
         .expect = host_error(kPermissionDenied)},
        {.name = "object_read of an object that is not an input",
         .source = program(".func main\n    pushc {BOB_COIN}\n    host object_read\n"
                           "    pop\n    ret\n"),
         .expect = host_error(kPermissionDenied)},
        {.name = "child_set under an immutable parent",
         .source = program(".func main\n    pushc {CONFIG}\n    pushc \"new\"\n    pushc \"v\"\n"
                           "    host child_set\n    ret\n"),
         .inputs = {InputObject::owned(config_id(), 2)},
         .expect = host_error(kPermissionDenied, "read-only")},
        {.name = "transfer of a shared object",
         .source = program(".func main\n    pushc {COUNTER}\n    pushc {BOB}\n"
                           "    host object_transfer\n    ret\n"),
         .inputs = {InputObject::shared(counter_id())},
         .expect = host_error(kPermissionDenied, "not owned by an address")},
        {.name = "transfer of a dynamic child",
         .source = program(".func main args=1\n    pushc {COUNTER}\n    pushc \"k\"\n"
                           "    host child_exists\n    pop\n    load 0\n    pushc {BOB}\n"
                           "    host object_transfer\n    ret\n"),
         .inputs = {InputObject::shared(counter_id())},
         .args = {Value{Bytes(child_id(counter_id(), "k").view())}},
         .expect = host_error(kPermissionDenied)},
        {.name = "absent child (host error not_found)",
         .source = program(".func main\n    pushc {COUNTER}\n    pushc \"absent\"\n"
                           "    host child_get\n    pop\n    ret\n"),
         .inputs = {InputObject::shared(counter_id())},
         .expect = host_error(kNotFound)},
        {.name = "child_remove of an absent child",
         .source = program(".func main\n    pushc {COUNTER}\n    pushc \"gone\"\n"
                           "    host child_remove\n    ret\n"),
         .inputs = {InputObject::shared(counter_id())},
         .expect = host_error(kNotFound)},
        {.name = "read after delete",
         .source = ".func main\n    push 0\n    host input_id\n    host object_delete\n"
                   "    push 0\n    host input_read\n    pop\n    ret\n",
         .inputs = {InputObject::owned(coin_id(), 3)},
         .expect = host_error(kNotFound, "was deleted")},
        {.name = "undeclared input index",
         .source = ".func main\n    push 1\n    host input_read\n    pop\n    ret\n",
         .inputs = {InputObject::owned(coin_id(), 3)},
         .expect = host_error(kNotFound, "input 1 is not declared")},
        {.name = "oversized object (object_write)",
         .source = kHalf + write_input0(push_big(limits::kObjectContentsBytesMax + 1)),
         .inputs = {InputObject::owned(coin_id(), 3)},
         .expect = host_error(tx_host_error::kObjectTooLarge, "64513 bytes")},
        {.name = "oversized object (child_set)",
         .source = kHalf + program(".func main\n    pushc {COUNTER}\n    pushc \"k\"\n" +
                                   push_big(limits::kObjectContentsBytesMax + 1) +
                                   "\n    host child_set\n    ret\n"),
         .inputs = {InputObject::shared(counter_id())},
         .expect = host_error(tx_host_error::kObjectTooLarge)},
        {.name = "largest object contents are fine",
         .source = kHalf + write_input0(push_big(limits::kObjectContentsBytesMax)),
         .inputs = {InputObject::owned(coin_id(), 3)},
         .expect = {.written = {coin_id()}, .version = 4}},
        {.name = "too many events",
         .source = repeat_program(limits::kEventsMax + 1,
                                  "    pushc \"e\"\n    pushc \"d\"\n    host emit_event"),
         .expect = host_error(tx_host_error::kTooManyEvents)},
        {.name = "event data too large",
         .source = ".const big " + big_literal(limits::kEventBytesMax + 1) + "\n" +
                   ".func main\n    pushc \"e\"\n    pushc big\n    host emit_event\n    ret\n",
         .expect = host_error(tx_host_error::kEventTooLarge)},
        {.name = "too many changed objects",
         .source = repeat_program(limits::kEffectsObjectsMax + 1,
                                  "    pushc \"t\"\n    pushc \"c\"\n    host object_create\n"
                                  "    pop"),
         .expect = host_error(tx_host_error::kTooManyChangedObjects)},
        {.name = "changed objects holding more than 16 MiB together",
         .source =
             big_creates(limits::kEffectsContentsBytesMax / limits::kObjectContentsBytesMax + 1),
         .expect = {.code = AbortCode::kHostError,
                    .abort_value = tx_host_error::kEffectsTooLarge,
                    .detail_has = "more than 16777216"}},
        {.name = "changed objects holding up to 16 MiB together are fine",
         .source = big_creates(limits::kEffectsContentsBytesMax / limits::kObjectContentsBytesMax),
         .expect = {.created_new =
                        limits::kEffectsContentsBytesMax / limits::kObjectContentsBytesMax,
                    .version = 2}},  // reads: the package (version 1) and absent created ids
        {.name = "too many precompile calls",
         .source = repeat_program(limits::kPrecompileCallsMax + 1,
                                  "    pushc \"x\"\n    host blake2b_256\n    pop"),
         .expect = host_error(tx_host_error::kTooManyPrecompileCalls)},
        {.name = "too many dynamic objects",
         .source = repeat_program(limits::kDynamicObjectsMax + 1,
                                  "    pushc {COUNTER}\n    load 0\n    itob\n"
                                  "    host child_exists\n    pop"),
         .inputs = {InputObject::shared(counter_id())},
         .expect = host_error(tx_host_error::kTooManyDynamicObjects)},
        {.name = "version exhausted",
         .pre = {Object{hash_of(0x17), limits::kVersionMax, OwnedByAddress{alice_address()}, "coin",
                        "x"}},
         .source = write_input0("    pushc \"y\""),
         .inputs = {InputObject::owned(hash_of(0x17), limits::kVersionMax)},
         .expect = host_error(tx_host_error::kVersionExhausted, "version rule")},
        {.name = "reading an object at the largest version is fine",
         .pre = {Object{hash_of(0x17), limits::kVersionMax, OwnedByAddress{alice_address()}, "coin",
                        "x"}},
         .source = ".func main\n    push 0\n    host input_read\n    pop\n    ret\n",
         .inputs = {InputObject::owned(hash_of(0x17), limits::kVersionMax)},
         .expect = {}},
    };
}

}  // namespace

TEST_CASE("exec: authorization and input aborts", "[exec]") {
    for (const Scenario& s : authorization_and_input_scenarios()) run_scenario(s);
}

TEST_CASE("exec: program loading aborts", "[exec]") {
    for (const Scenario& s : program_scenarios()) run_scenario(s);
}

TEST_CASE("exec: VM aborts map one for one", "[exec]") {
    for (const Scenario& s : vm_scenarios()) run_scenario(s);
}

TEST_CASE("exec: host errors", "[exec]") {
    for (const Scenario& s : host_scenarios()) run_scenario(s);
}

}  // namespace remora::executor::testing
