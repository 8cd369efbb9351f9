#include "tools/bench/side_stats.h"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace remora::tools::bench {

double percentile(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) return 0;
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    rank = std::clamp<std::size_t>(rank, 1, sorted.size());
    return sorted[rank - 1];
}

SideSummary summarize(const SideMeasurement& measurement, std::uint64_t writes_per_commit) {
    SideSummary s;
    std::vector<double> sorted = measurement.commit_seconds;
    std::sort(sorted.begin(), sorted.end());
    s.commits = sorted.size();
    s.writes = s.commits * writes_per_commit;
    s.seconds = std::accumulate(sorted.begin(), sorted.end(), 0.0);
    if (s.seconds > 0) {
        s.commits_per_s = static_cast<double>(s.commits) / s.seconds;
        s.writes_per_s = static_cast<double>(s.writes) / s.seconds;
    }
    s.p50_ms = percentile(sorted, 0.50) * 1e3;
    s.p99_ms = percentile(sorted, 0.99) * 1e3;
    s.max_ms = sorted.empty() ? 0 : sorted.back() * 1e3;
    s.cpu_s = measurement.cpu_seconds;
    return s;
}

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace remora::tools::bench
