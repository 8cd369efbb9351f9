#pragma once
// Zipf-distributed choice among n items: item k (0-based, item 0 the hottest) is drawn with
// probability proportional to 1 / (k + 1)^theta. theta = 0 is uniform; larger is more skewed
// (theta = 0.99 is YCSB's default).

#include <cstdint>
#include <vector>

#include "executor/workload/rng.h"

namespace remora::executor::workload {

class ZipfSampler {
public:
    // REQUIRES: n >= 1, theta >= 0 (WorkloadConfig bounds both).
    ZipfSampler(std::uint64_t n, double theta);

    std::uint64_t sample(Rng& rng) const;
    std::uint64_t size() const { return m_n; }

private:
    std::uint64_t m_n;
    std::vector<double> m_cdf;  // empty when uniform; else m_cdf[k] = P(item <= k)
};

}  // namespace remora::executor::workload
