#include "executor/tx/canonical.h"

#include <limits>

#include "common/status.h"

namespace remora::executor {

void CanonicalWriter::bytes(common::ByteView data) {
    count(data.size());
    m_out.append(data);
}

void CanonicalWriter::count(std::size_t n) {
    REMORA_ASSERT(n <= std::numeric_limits<std::uint32_t>::max());
    common::put_be32(m_out, static_cast<std::uint32_t>(n));
}

common::Bytes domain_prefix(common::ByteView domain_tag) {
    CanonicalWriter writer(domain_tag);
    return writer.take();
}

}  // namespace remora::executor
