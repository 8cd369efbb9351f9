#pragma once
// What one side of the storage benchmark measured, and its summary (rates, percentiles).

#include <cstdint>
#include <vector>

namespace remora::tools::bench {

// Raw measurements of one side: one wall-clock latency per commit, plus the thread CPU time
// spent inside that side's timed regions.
struct SideMeasurement {
    std::vector<double> commit_seconds;  // steady_clock, one entry per commit
    double cpu_seconds = 0;              // CLOCK_THREAD_CPUTIME_ID, this thread only
};

struct SideSummary {
    std::uint64_t commits = 0;
    std::uint64_t writes = 0;
    double seconds = 0;  // sum of the commit latencies
    double commits_per_s = 0;
    double writes_per_s = 0;
    double p50_ms = 0;  // nearest-rank percentiles of the commit latencies
    double p99_ms = 0;
    double max_ms = 0;
    double cpu_s = 0;
};

// REQUIRES: every commit wrote `writes_per_commit` objects.
SideSummary summarize(const SideMeasurement& measurement, std::uint64_t writes_per_commit);

// Nearest-rank percentile (q in (0, 1]) of `sorted` (ascending); 0 for an empty vector.
double percentile(const std::vector<double>& sorted, double q);

// Seconds of CPU time this thread has used (CLOCK_THREAD_CPUTIME_ID).
double thread_cpu_seconds();

}  // namespace remora::tools::bench
