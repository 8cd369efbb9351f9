#pragma once
// Helpers for the executor-function tests (exec_*_test.cpp): a standard pre-state, programs in
// assembler text with named placeholders, and scenarios written as data (docs/style.md: a scenario
// states the pre-state, the transaction and the expected effects; the test body is a loop).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "executor/exec/execute.h"
#include "executor/exec/state.h"
#include "executor/tx/effects.h"
#include "executor/tx/transaction.h"
#include "tests/executor/tx_fixtures.h"  // alice(), bob(), hash_of()

namespace remora::executor::testing {

inline constexpr std::uint64_t kGasPlenty = 10'000'000;

// --- The standard world -------------------------------------------------------------------------
ObjectId coin_id();      // alice's coin: owned by alice, version 3, contents BE64(100)
ObjectId bob_coin_id();  // bob's coin: owned by bob, version 4, contents BE64(50)
ObjectId counter_id();   // shared, version 7, contents BE64(5)
ObjectId config_id();    // immutable, version 2, contents "cfg"
ObjectId package_id();   // the scenario's program, published at version 1
ObjectId deleted_id();   // a tombstone at version 12
ObjectId child_id(const ObjectId& parent, std::string_view key);
// Children in the world: counter/"k" (version 9, "kid") and config/"c" (version 2, "cc");
// counter/"gone" is a tombstone at version 40.
Address alice_address();
Address bob_address();

Bytes be64(std::uint64_t v);
// The gas charged before the VM for a transaction with one authenticator and `inputs` inputs.
std::uint64_t intrinsic(std::size_t inputs);

// The standard world without a package.
InMemoryState standard_world();

// Assembler text with placeholders replaced by 0x-literals: {COIN} {BOB_COIN} {COUNTER}
// {CONFIG} {BOB} {ALICE}.
std::string program(std::string_view text);
// `body` (which may use locals >= 1 and must leave the stack as it found it) run `n` times in
// `main`, local 0 counting.
std::string repeat_program(std::uint64_t n, std::string_view body, int locals = 1);
// A byte literal of `n` copies of 'a' for a .const line.
std::string big_literal(std::size_t n);

// --- Scenarios ----------------------------------------------------------------------------------
enum class Tweak {
    kNone,
    kBadSignature,       // alice's signature with one bit flipped
    kSignedByBob,        // sender alice, only bob signs
    kInline,             // the program as inline bytecode (entry: function 0)
    kInlineRaw,          // the source text itself as inline bytecode (not a package)
    kMissingPackage,     // a package call to an id with no object
    kNotAPackage,        // a package call to alice's coin
    kGarbagePackage,     // a package object whose contents are not a package
    kUnverifiedPackage,  // a package object holding assembled code that fails the verifier
};

struct Expect {
    AbortCode code = AbortCode::kNone;
    std::uint64_t abort_value = 0;
    std::vector<ObjectId> written;
    std::vector<ObjectId> created;  // ids known up front (children)
    std::size_t created_new = 0;    // plus created_object_id(digest, 0..created_new-1)
    std::vector<ObjectId> deleted;
    Version version = 0;  // every changed object's version
    std::vector<Event> events;
    std::uint64_t gas = 0;   // exact when non-zero; otherwise only > 0
    std::string detail_has;  // a substring of the abort detail
};

struct Scenario {
    std::string name;
    std::vector<Object> pre;  // added to the standard world
    std::string source;
    std::string entry = "main";
    std::vector<InputObject> inputs;
    std::vector<Value> args;
    std::uint64_t gas = kGasPlenty;
    Tweak tweak = Tweak::kNone;
    Expect expect;
    // Further checks on the result (object contents, owners).
    std::function<void(const Transaction&, const ExecutionResult&)> check;
};

Transaction scenario_transaction(const Scenario& s);
InMemoryState scenario_state(const Scenario& s);

// Executes the scenario and checks its expectations, then checks that a second run and a run
// with the first run's own lookup table as hints give byte-identical effects and an equal table.
void run_scenario(const Scenario& s);

// Finds the object with `id` in written or created; fails the test when absent.
const Object& changed_object(const Effects& effects, const ObjectId& id);

}  // namespace remora::executor::testing
