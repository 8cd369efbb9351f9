// ExecutionObserver: phases and reads are reported in order, and observing an execution never
// changes its result.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "executor/exec/execute.h"
#include "executor/tx/effects.h"
#include "tests/executor/exec_support.h"
#include "tests/executor/tx_fixtures.h"

namespace remora::executor::testing {
namespace {

// Writes down every call as text: "+vm", "-vm" for a phase, "r" for a read (begin and end
// checked to pair up, and to fall inside a phase).
class RecordingObserver : public ExecutionObserver {
public:
    void on_phase_begin(ExecutionPhase phase) override {
        CHECK_FALSE(m_in_phase);
        m_in_phase = true;
        log.push_back(std::string("+") + execution_phase_name(phase));
    }
    void on_phase_end(ExecutionPhase phase) override {
        CHECK(m_in_phase);
        CHECK_FALSE(m_in_read);
        m_in_phase = false;
        log.push_back(std::string("-") + execution_phase_name(phase));
    }
    void on_read_begin() override {
        CHECK(m_in_phase);
        CHECK_FALSE(m_in_read);
        m_in_read = true;
    }
    void on_read_end() override {
        CHECK(m_in_read);
        m_in_read = false;
        log.emplace_back("r");
        ++reads;
    }
    bool balanced() const { return !m_in_phase && !m_in_read; }

    std::vector<std::string> log;
    std::size_t reads = 0;

private:
    bool m_in_phase = false;
    bool m_in_read = false;
};

// Fails every read of one id, as a broken disk would.
class FailingState : public StateReader {
public:
    FailingState(StateReader& base, ObjectId bad) : m_base(base), m_bad(bad) {}
    common::Result<ObjectLookup> read(const ObjectId& id) override {
        if (id == m_bad) return common::Status(common::Code::kIoError, "disk on fire");
        return m_base.read(id);
    }

private:
    StateReader& m_base;
    ObjectId m_bad;
};

const std::string kIncrement =
    ".func main\n    push 0\n    host input_read\n    btoi\n    push 1\n    add\n    itob\n"
    "    push 0\n    host input_id\n    swap\n    host object_write\n    ret\n";

Scenario counter_scenario(Tweak tweak = Tweak::kNone) {
    return {.name = "increment",
            .source = kIncrement,
            .inputs = {InputObject::shared(counter_id())},
            .tweak = tweak};
}

// The observed and the unobserved execution of `s`, compared; returns the observer's log.
RecordingObserver observe(const Scenario& s) {
    Transaction tx = scenario_transaction(s);
    InMemoryState plain_state = scenario_state(s);
    InMemoryState observed_state = scenario_state(s);
    auto plain = execute_transaction(tx, plain_state);
    RecordingObserver observer;
    ExecutionOptions options;
    options.observer = &observer;
    auto observed = execute_transaction(tx, observed_state, options);
    REQUIRE(plain.is_ok());
    REQUIRE(observed.is_ok());
    CHECK(canonical_effects_bytes(observed->effects) == canonical_effects_bytes(plain->effects));
    CHECK(observed->table == plain->table);
    CHECK(observer.balanced());
    // Every state read the table records went through the observed reader, once.
    CHECK(observer.reads == observed->table.reads.size());
    return observer;
}

using Log = std::vector<std::string>;

}  // namespace

TEST_CASE("exec observer: a successful execution reports every phase, reads inside them",
          "[exec][observer]") {
    // The counter input, then the package; no reads in the VM.
    CHECK(observe(counter_scenario()).log ==
          Log{"+authenticate", "-authenticate", "+load_inputs", "r", "-load_inputs",
              "+load_program", "r", "-load_program", "+vm", "-vm", "+finish", "-finish"});

    // A dynamic child reached by the program is read inside the VM phase.
    Scenario child = {.name = "child_get",
                      .source = program(".func main\n    pushc {COUNTER}\n    pushc \"k\"\n"
                                        "    host child_get\n    pop\n    ret\n"),
                      .inputs = {InputObject::shared(counter_id())}};
    CHECK(observe(child).log == Log{"+authenticate", "-authenticate", "+load_inputs", "r",
                                    "-load_inputs", "+load_program", "r", "-load_program", "+vm",
                                    "r", "-vm", "+finish", "-finish"});
}

TEST_CASE("exec observer: aborts report the phases that ran, and nothing else",
          "[exec][observer]") {
    CHECK(observe(counter_scenario(Tweak::kBadSignature)).log ==
          Log{"+authenticate", "-authenticate"});
    CHECK(observe(counter_scenario(Tweak::kMissingPackage)).log ==
          Log{"+authenticate", "-authenticate", "+load_inputs", "r", "-load_inputs",
              "+load_program", "r", "-load_program", "+finish", "-finish"});
    Scenario missing_input = counter_scenario();
    missing_input.inputs = {InputObject::owned(hash_of(0x99), 1)};
    CHECK(observe(missing_input).log == Log{"+authenticate", "-authenticate", "+load_inputs", "r",
                                            "-load_inputs", "+finish", "-finish"});
    Scenario user_abort = {.name = "abort", .source = ".func main\n    push 7\n    abort\n"};
    CHECK(observe(user_abort).log == Log{"+authenticate", "-authenticate", "+load_inputs",
                                         "-load_inputs", "+load_program", "r", "-load_program",
                                         "+vm", "-vm", "+finish", "-finish"});
}

TEST_CASE("exec observer: a state failure still ends the phase it happened in",
          "[exec][observer]") {
    Scenario s = counter_scenario();
    InMemoryState base = scenario_state(s);
    FailingState state(base, counter_id());
    RecordingObserver observer;
    ExecutionOptions options;
    options.observer = &observer;
    auto result = execute_transaction(scenario_transaction(s), state, options);
    REQUIRE_FALSE(result.is_ok());
    CHECK(result.status().code() == common::Code::kIoError);
    CHECK(observer.balanced());
    CHECK(observer.log ==
          Log{"+authenticate", "-authenticate", "+load_inputs", "r", "-load_inputs"});
}

TEST_CASE("exec observer: phase names", "[exec][observer]") {
    CHECK(std::string(execution_phase_name(ExecutionPhase::kAuthenticate)) == "authenticate");
    CHECK(std::string(execution_phase_name(ExecutionPhase::kLoadInputs)) == "load_inputs");
    CHECK(std::string(execution_phase_name(ExecutionPhase::kLoadProgram)) == "load_program");
    CHECK(std::string(execution_phase_name(ExecutionPhase::kVm)) == "vm");
    CHECK(std::string(execution_phase_name(ExecutionPhase::kFinish)) == "finish");
}

}  // namespace remora::executor::testing
