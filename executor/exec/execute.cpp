#include "executor/exec/execute.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "executor/exec/authorize.h"
#include "executor/exec/package_object.h"
#include "executor/exec/precompile_log.h"
#include "executor/exec/rules.h"
#include "executor/exec/tx_host.h"
#include "executor/exec/tx_objects.h"
#include "executor/exec/vm_status.h"
#include "executor/tx/ids.h"
#include "executor/tx/limits.h"
#include "executor/vm/interpreter.h"
#include "executor/vm/package_codec.h"

namespace remora::executor {
namespace {

// Reports the current phase to the observer, if any: next() ends the current phase and
// begins another, and the destructor ends the current one (on every return path).
class PhaseScope {
public:
    PhaseScope(ExecutionObserver* observer, ExecutionPhase phase)
        : m_observer(observer), m_phase(phase) {
        if (m_observer != nullptr) m_observer->on_phase_begin(m_phase);
    }
    ~PhaseScope() {
        if (m_observer != nullptr) m_observer->on_phase_end(m_phase);
    }
    PhaseScope(const PhaseScope&) = delete;
    PhaseScope& operator=(const PhaseScope&) = delete;

    // REQUIRES: `phase` does not come before the current phase.
    void next(ExecutionPhase phase) {
        REMORA_ASSERT(phase >= m_phase);
        if (phase == m_phase) return;
        if (m_observer != nullptr) {
            m_observer->on_phase_end(m_phase);
            m_observer->on_phase_begin(phase);
        }
        m_phase = phase;
    }

private:
    ExecutionObserver* m_observer;
    ExecutionPhase m_phase;
};

// Brackets every read of `state` with the observer's read calls; answers exactly as `state`.
class ObservedState : public StateReader {
public:
    ObservedState(StateReader& state, ExecutionObserver& observer)
        : m_state(state), m_observer(observer) {}

    common::Result<ObjectLookup> read(const ObjectId& id) override {
        m_observer.on_read_begin();
        common::Result<ObjectLookup> found = m_state.read(id);
        m_observer.on_read_end();
        return found;
    }

private:
    StateReader& m_state;
    ExecutionObserver& m_observer;
};

// An abort decided by one of the steps; the gas is set by the caller.
struct Abort {
    AbortCode code = AbortCode::kNone;
    std::uint64_t value = 0;
    std::string detail;
};

std::string input_name(const Transaction& tx, std::size_t i) {
    return "input " + std::to_string(i) + " (" + tx.inputs[i].id.hex() + ")";
}

// Step 1's outcome as an abort, if any: a failed signature first, then the sender.
std::optional<Abort> check_authorization(const Transaction& tx, const Authorization& auth) {
    const auto& statuses = auth.report.statuses;
    auto failed = std::find(statuses.begin(), statuses.end(), AuthenticatorStatus::kFailed);
    if (failed != statuses.end()) {
        return Abort{AbortCode::kInvalidAuthenticator, 0,
                     "authenticator " + std::to_string(failed - statuses.begin()) +
                         ": the signature does not verify"};
    }
    if (!auth.report.sender_matches) {
        return Abort{AbortCode::kSenderNotSigner, 0,
                     "sender " + tx.sender.hex() + " is the address of no authenticator"};
    }
    return std::nullopt;
}

// Why input `i` (found live as `object`) may not be used, if it may not.
std::optional<Abort> check_input(const Transaction& tx, std::size_t i, const Object& object) {
    const InputObject& input = tx.inputs[i];
    if (input.kind == InputObject::Kind::kShared) {
        if (std::holds_alternative<SharedOwner>(object.owner)) return std::nullopt;
        return Abort{AbortCode::kInputOwnership, 0,
                     input_name(tx, i) + ": declared shared, but the object is not shared"};
    }
    if (object.version != input.version) {
        return Abort{AbortCode::kInputVersionMismatch, 0,
                     input_name(tx, i) + ": declared version " + std::to_string(input.version) +
                         ", found " + std::to_string(object.version)};
    }
    const auto* owner = std::get_if<OwnedByAddress>(&object.owner);
    if ((owner != nullptr && owner->address == tx.sender) ||
        std::holds_alternative<ImmutableOwner>(object.owner)) {
        return std::nullopt;
    }
    return Abort{AbortCode::kInputOwnership, 0,
                 input_name(tx, i) + ": declared owned, but the object is not the sender's"};
}

// Step 2. Each input is read in declaration order and classified; the first failure aborts.
// A state failure returns nullopt with objects.io_error() set.
std::optional<Abort> load_inputs(const Transaction& tx, TxObjects& objects) {
    for (std::size_t i = 0; i < tx.inputs.size(); ++i) {
        vm::HostResult<Slot*> loaded = objects.load(tx.inputs[i].id, ObjectRead::Kind::kDeclared);
        if (!loaded.is_ok()) return std::nullopt;  // only a state failure (inputs <= read limit)
        Slot* slot = loaded.value();
        if (!slot->live()) {
            return Abort{AbortCode::kInputNotFound, 0,
                         input_name(tx, i) + ": no live object (version " +
                             std::to_string(slot->before.version) + ")"};
        }
        if (auto abort = check_input(tx, i, *slot->current)) return abort;
        slot->origin = Origin::kInput;
        slot->writable = !std::holds_alternative<ImmutableOwner>(slot->current->owner);
    }
    return std::nullopt;
}

// Step 3: the program's package, verified. On an abort or a state failure returns nullopt and
// sets `abort` (abort) or leaves it empty (state failure, objects.io_error()).
std::optional<vm::VerifiedPackage> load_program(const Transaction& tx, TxObjects& objects,
                                                std::optional<Abort>& abort) {
    const Bytes* bytes = nullptr;
    if (const auto* call = std::get_if<PackageCall>(&tx.program)) {
        // Declared or not, the package is a read (the table records it like any other).
        vm::HostResult<Slot*> loaded = objects.load(call->package_id, ObjectRead::Kind::kDynamic);
        if (!loaded.is_ok()) return std::nullopt;
        const Slot* slot = loaded.value();
        if (!slot->live() || !is_package_object(*slot->current)) {
            abort = Abort{
                AbortCode::kPackageNotFound, 0,
                "package " + call->package_id.hex() +
                    (slot->live() ? " is not an immutable package object" : " does not exist")};
            return std::nullopt;
        }
        bytes = &slot->current->contents;
    } else {
        bytes = &std::get<InlineBytecode>(tx.program).bytecode;
    }
    common::Result<vm::VerifiedPackage> package = vm::load_package(*bytes);
    if (!package.is_ok()) {
        abort = Abort{AbortCode::kBytecodeRejected, 0, package.status().message()};
        return std::nullopt;
    }
    return std::move(package.value());
}

std::vector<vm::Value> vm_arguments(const Transaction& tx) {
    std::vector<vm::Value> args;
    args.reserve(tx.arguments.size());
    for (const Value& arg : tx.arguments) {
        if (const auto* n = std::get_if<std::uint64_t>(&arg)) {
            args.push_back(vm::Value::integer(*n));
        } else {
            args.push_back(vm::Value::bytes(std::get<Bytes>(arg)));
        }
    }
    return args;
}

// The entry's function index: the named one for a package call, function 0 for inline code.
std::optional<std::uint16_t> entry_index(const Transaction& tx,
                                         const vm::VerifiedPackage& package) {
    if (const auto* call = std::get_if<PackageCall>(&tx.program)) {
        return package.package().find_function(call->entry_point);
    }
    return 0;
}

Abort invalid_entry(const Transaction& tx, const vm::VerifiedPackage& package,
                    std::optional<std::uint16_t> entry) {
    if (!entry) {
        return Abort{AbortCode::kInvalidEntry, 0,
                     "no function '" + std::get<PackageCall>(tx.program).entry_point + "'"};
    }
    const vm::Function& f = package.function(*entry);
    return Abort{AbortCode::kInvalidEntry, 0,
                 "function '" + f.name + "' takes " + std::to_string(f.arg_count) +
                     " arguments, got " + std::to_string(tx.arguments.size())};
}

Abort vm_abort(const vm::ExecutionOutcome& outcome, const vm::VerifiedPackage& package,
               const TxHost& host) {
    Abort abort{abort_code_for(outcome.status), 0, vm::exec_status_name(outcome.status)};
    if (outcome.status == vm::ExecStatus::kUserAbort ||
        outcome.status == vm::ExecStatus::kHostError) {
        abort.value = outcome.abort_code;
        abort.detail += "(" + std::to_string(outcome.abort_code) + ")";
    }
    abort.detail += " in '" + package.function(outcome.abort_function).name + "' at offset " +
                    std::to_string(outcome.abort_pc);
    if (outcome.status == vm::ExecStatus::kHostError) abort.detail += ": " + host.last_error();
    return abort;
}

void set_abort(Effects& effects, Abort abort, std::uint64_t gas_used) {
    effects.status.code = abort.code;
    effects.status.abort_value = abort.value;
    if (abort.detail.size() > limits::kAbortDetailBytesMax) {
        abort.detail.resize(limits::kAbortDetailBytesMax);
    }
    effects.status.detail = std::move(abort.detail);
    effects.gas_used = gas_used;
}

// Copies what the run observed into the table (on every path, aborts included).
void record(ExecutionResult& result, const TxObjects& objects, const PrecompileLog& precompiles) {
    result.table.reads = objects.reads();
    result.table.dynamic_objects = objects.dynamic_objects();
    result.table.precompile_calls = precompiles.calls();
    result.precompiles_replayed = precompiles.replayed();
}

// A LookupTable is used as hints only for this very transaction and only when well-formed.
const LookupTable* usable_hints(const LookupTable* hints, const Digest& digest) {
    if (hints == nullptr || hints->tx_digest != digest) return nullptr;
    return validate_lookup_table(*hints).is_ok() ? hints : nullptr;
}

// Steps 4 to 6 for a loaded program.
void run_program(const Transaction& tx, const Digest& digest, const vm::VerifiedPackage& package,
                 std::uint64_t intrinsic, TxObjects& objects, PrecompileLog& precompiles,
                 ExecutionResult& result, PhaseScope& phase) {
    phase.next(ExecutionPhase::kVm);
    Effects& effects = result.effects;
    const std::optional<std::uint16_t> entry = entry_index(tx, package);
    if (!entry || package.function(*entry).arg_count != tx.arguments.size()) {
        set_abort(effects, invalid_entry(tx, package, entry), intrinsic);
        return;
    }
    TxHost host(tx, digest, objects, precompiles);
    const std::vector<vm::Value> args = vm_arguments(tx);
    vm::ExecutionOutcome outcome =
        vm::execute(package, *entry, args, tx.gas_budget - intrinsic, host);
    phase.next(ExecutionPhase::kFinish);
    const std::uint64_t gas_used = intrinsic + outcome.gas_used;
    if (outcome.status == vm::ExecStatus::kInvalidEntry) {
        set_abort(effects, invalid_entry(tx, package, entry), gas_used);
        return;
    }
    if (!outcome.is_ok()) {
        set_abort(effects, vm_abort(outcome, package, host), gas_used);
        return;
    }
    effects.gas_used = gas_used;
    if (!objects.has_changes()) {
        effects.events = host.events();
        return;
    }
    std::vector<Version> versions_read;
    versions_read.reserve(objects.reads().size());
    for (const ObjectRead& read : objects.reads()) versions_read.push_back(read.version);
    common::Result<Version> version = output_version(versions_read);
    if (!version.is_ok()) {
        set_abort(effects,
                  Abort{AbortCode::kHostError, tx_host_error::kVersionExhausted,
                        "version rule: " + version.status().message()},
                  gas_used);
        return;
    }
    objects.collect_changes(version.value(), effects);
    std::size_t contents_bytes = 0;
    for (const Object& object : effects.written) contents_bytes += object.contents.size();
    for (const Object& object : effects.created) contents_bytes += object.contents.size();
    if (contents_bytes > limits::kEffectsContentsBytesMax) {
        effects.written.clear();
        effects.created.clear();
        effects.deleted.clear();
        set_abort(
            effects,
            Abort{AbortCode::kHostError, tx_host_error::kEffectsTooLarge,
                  "the changed objects hold " + std::to_string(contents_bytes) +
                      " bytes, more than " + std::to_string(limits::kEffectsContentsBytesMax)},
            gas_used);
        return;
    }
    effects.events = host.events();
}

}  // namespace

const char* execution_phase_name(ExecutionPhase phase) {
    switch (phase) {
        case ExecutionPhase::kAuthenticate:
            return "authenticate";
        case ExecutionPhase::kLoadInputs:
            return "load_inputs";
        case ExecutionPhase::kLoadProgram:
            return "load_program";
        case ExecutionPhase::kVm:
            return "vm";
        case ExecutionPhase::kFinish:
            return "finish";
    }
    return "unknown";
}

common::Result<ExecutionResult> execute_transaction(const Transaction& tx, StateReader& state,
                                                    const ExecutionOptions& options) {
    REMORA_RETURN_IF_ERROR(validate_transaction(tx));
    const Digest digest = transaction_digest(tx);
    const LookupTable* hints = usable_hints(options.hints, digest);
    ExecutionResult result;
    result.effects.tx_digest = digest;
    result.table.tx_digest = digest;
    const std::uint64_t intrinsic = intrinsic_gas(tx);

    // Step 1: authenticators.
    PhaseScope phase(options.observer, ExecutionPhase::kAuthenticate);
    Authorization auth = authorize(tx, digest, hints);
    result.table.authenticators = std::move(auth.checks);
    result.table.sender_matches = auth.report.sender_matches;
    result.authenticators_skipped = auth.skipped;
    if (auto abort = check_authorization(tx, auth)) {
        set_abort(result.effects, std::move(*abort), std::min(intrinsic, tx.gas_budget));
        return result;
    }
    if (intrinsic > tx.gas_budget) {
        set_abort(result.effects,
                  Abort{AbortCode::kOutOfGas, 0,
                        "the intrinsic gas " + std::to_string(intrinsic) + " exceeds the budget " +
                            std::to_string(tx.gas_budget)},
                  tx.gas_budget);
        return result;
    }

    phase.next(ExecutionPhase::kLoadInputs);
    // With an observer, reads go through a wrapper that reports them (and answers the same).
    std::optional<ObservedState> observed;
    if (options.observer != nullptr) observed.emplace(state, *options.observer);
    TxObjects objects(observed ? static_cast<StateReader&>(*observed) : state);
    PrecompileLog precompiles(hints);
    if (hints != nullptr) REMORA_RETURN_IF_ERROR(objects.prefetch(hints->dynamic_objects));

    // Steps 2 and 3: the declared inputs, then the program.
    std::optional<Abort> abort = load_inputs(tx, objects);
    std::optional<vm::VerifiedPackage> package;
    if (!abort && objects.io_error().is_ok()) {
        phase.next(ExecutionPhase::kLoadProgram);
        package = load_program(tx, objects, abort);
    }
    if (!objects.io_error().is_ok()) return objects.io_error();
    if (abort) {
        set_abort(result.effects, std::move(*abort), intrinsic);
    } else {
        REMORA_ASSERT(package.has_value());  // load_program fails only with an abort or io_error
        // Steps 4 to 6.
        run_program(tx, digest, *package, intrinsic, objects, precompiles, result, phase);
        if (!objects.io_error().is_ok()) return objects.io_error();
    }
    phase.next(ExecutionPhase::kFinish);
    record(result, objects, precompiles);
    normalize_effects(result.effects);
    REMORA_ASSERT(validate_effects(result.effects).is_ok());
    REMORA_ASSERT(validate_lookup_table(result.table).is_ok());
    return result;
}

}  // namespace remora::executor
