#pragma once
// Genesis as a stream (docs/workloads.md, "Genesis in parts"): a source hands out the initial
// objects one at a time, in a fixed order, without holding the whole state; genesis_parts cuts
// the stream into parts that each fit one store commit (kGenesisPartObjectsMax objects and
// kGenesisPartBytesMax bytes of contents), each part sorted by id. A genesis that fits one part
// is exactly the one commit it always was.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "common/limits.h"
#include "common/status.h"
#include "executor/tx/object.h"

namespace remora::executor {

// Bounds of one part, which is one commit (docs/style.md §3: a limit on everything): its
// objects, and their contents and type tags in bytes. The body carries each object and the
// writes carry it again, so a part stays near 2 x 32 MiB whatever the state's size.
inline constexpr std::size_t kGenesisPartObjectsMax = 1 << 16;
inline constexpr std::size_t kGenesisPartBytesMax = std::size_t{32} * 1024 * 1024;
static_assert(kGenesisPartObjectsMax <= common::limits::kCommitWritesMax);
static_assert(2 * (kGenesisPartBytesMax + common::limits::kObjectBytesMax) <
              common::limits::kCommitBodyBytesMax);

class GenesisSource {
public:
    virtual ~GenesisSource() = default;
    // Objects the source hands out in all.
    virtual std::uint64_t size() const = 0;
    // The next object; nullopt once all size() were handed out.
    virtual std::optional<Object> next() = 0;
};

// A source over objects held by the caller (who keeps them alive while the source is used).
class SpanGenesisSource final : public GenesisSource {
public:
    explicit SpanGenesisSource(std::span<const Object> objects) : m_objects(objects) {}
    std::uint64_t size() const override { return m_objects.size(); }
    std::optional<Object> next() override {
        if (m_next >= m_objects.size()) return std::nullopt;
        return m_objects[m_next++];
    }

private:
    std::span<const Object> m_objects;
    std::size_t m_next = 0;
};

// Calls `part` with consecutive parts of the source's objects until it is exhausted or `part`
// fails (that status is returned). Each part is non-empty, sorted by id, holds at most
// kGenesisPartObjectsMax objects, and its contents and type tags total at most
// kGenesisPartBytesMax unless it is a single object. An empty source gives one empty part, so
// that every genesis is at least one commit. A part is cut by counts and sizes only, so the
// same source always gives the same parts.
common::Status genesis_parts(GenesisSource& source,
                             const std::function<common::Status(std::vector<Object>&)>& part);

}  // namespace remora::executor
