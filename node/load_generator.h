#pragma once
// An open-loop client of a primary's ingress port (docs/tools/remora-loadgen.md): it submits a
// workload's transactions at a fixed rate whatever the node answers (a slow node shows up as
// latency, never as a lower offered rate), and measures the time from each submission to its
// ExecutionSummary. The transactions are generated and encoded before the clock starts.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "executor/workload/workload.h"

namespace remora::node {

struct LoadConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    executor::workload::WorkloadConfig workload;
    // Transactions of the workload's stream to pass over first: those an earlier run against the
    // same node already submitted (the stream assumes generation order from genesis).
    std::uint64_t skip = 0;
    double rate = 1000;                       // transactions per second, > 0
    double duration_s = 10;                   // of submission, > 0
    std::uint32_t drain_timeout_ms = 10'000;  // after the last submission, for the summaries
    std::uint32_t connect_timeout_ms = 5000;
};

common::Status validate_load_config(const LoadConfig& config);

// One second of a run, counted from the first submission.
struct LoadSecond {
    std::uint64_t submitted = 0;
    std::uint64_t summaries = 0;
    double latency_ms_p50 = 0;  // of the summaries received in that second
    double latency_ms_p99 = 0;
};

struct LoadReport {
    std::uint64_t offered = 0;    // transactions scheduled
    std::uint64_t submitted = 0;  // written to the socket
    std::uint64_t summaries = 0;  // answered with an ExecutionSummary
    std::uint64_t succeeded = 0;  // ... whose status is success
    std::uint64_t aborted = 0;    // ... whose status is an abort (a result, not an error)
    std::map<std::string, std::uint64_t> refused;  // by reason (SubmitRefused)
    std::uint64_t unanswered = 0;       // neither summary nor refusal by the end of the drain
    std::uint64_t protocol_errors = 0;  // replies that did not decode or match nothing
    std::string connection_error;       // the connection failed or closed early ("" if not)
    double submit_seconds = 0;          // first to last submission
    double seconds = 0;                 // first submission to last answer
    double offered_tps = 0;
    double committed_tps = 0;  // summaries / seconds
    double latency_ms_p50 = 0;
    double latency_ms_p90 = 0;
    double latency_ms_p99 = 0;
    double latency_ms_max = 0;
    double generate_seconds = 0;     // preparing the transactions, off the clock
    std::vector<LoadSecond> series;  // per second, from the first submission
};

// Progress while running: called about once a second with the report so far.
using LoadProgress = std::function<void(const LoadReport&)>;

// Connects, says hello, runs the load, drains. Errors: the workload does not build, the node
// cannot be reached or refuses the hello; a connection lost midway is reported in the report.
common::Result<LoadReport> run_load(const LoadConfig& config, const LoadProgress& progress = {});

}  // namespace remora::node
