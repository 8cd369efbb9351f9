#include "executor/workload/zipf.h"

#include <algorithm>
#include <cmath>

#include "common/status.h"

namespace remora::executor::workload {

ZipfSampler::ZipfSampler(std::uint64_t n, double theta) : m_n(n) {
    REMORA_ASSERT(n >= 1 && theta >= 0.0);
    if (theta == 0.0 || n == 1) return;
    // A cumulative table and a binary search: O(n) memory once, O(log n) per draw, exact for
    // any theta (the closed-form approximations of Gray et al. only hold for theta < 1).
    m_cdf.resize(n);
    double total = 0.0;
    for (std::uint64_t k = 0; k < n; ++k) {
        total += 1.0 / std::pow(static_cast<double>(k + 1), theta);
        m_cdf[k] = total;
    }
    for (double& c : m_cdf) c /= total;
    m_cdf.back() = 1.0;
}

std::uint64_t ZipfSampler::sample(Rng& rng) const {
    if (m_cdf.empty()) return common::below_unbiased(rng, m_n);
    double u = common::unit_interval(rng);
    auto it = std::upper_bound(m_cdf.begin(), m_cdf.end(), u);
    if (it == m_cdf.end()) return m_n - 1;
    return static_cast<std::uint64_t>(it - m_cdf.begin());
}

}  // namespace remora::executor::workload
