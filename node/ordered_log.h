#pragma once
// The primary's ordered-batch log (docs/node.md, "The ordered-batch log"): every batch the
// embedded sequencer orders is appended here, and made durable under `primary.sync`, before the
// primary applies it. The order is then a fact that survives a crash: a primary killed between
// ordering a batch and committing it applies the same batch, in the same position, when it
// starts again, before it serves anyone. Records whose commit the store already holds are
// skipped and their segments deleted.
//
// Files: DIR/ordered/<first commit index, 20 digits>.log, each a 16-byte header ("RMORDLOG",
// version, reserved) and records [u32 payload length][u64 XXH3-64 of the payload][payload], the
// payload [u64 commit index][u32 transactions]([u32 length][transaction buffer])*, all
// big-endian. A transaction buffer is one that executor::decode_transaction accepts: the primary
// logs the bytes its client submitted (decoded and validated at admission), which for a client
// that encodes with executor::encode_transaction are exactly the bytes it would encode. A record
// cut short or failing its checksum at the end of the last segment is a torn append (never
// acknowledged, since nothing is applied before its append returns): it is dropped and the file
// truncated there. Anything else that does not read is kCorruption.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/tx/transaction.h"

namespace remora::node {

inline constexpr std::uint32_t kOrderedLogVersion = 1;
// A segment is closed and a new one started once it holds this many bytes.
inline constexpr std::uint64_t kOrderedSegmentBytes = std::uint64_t{16} << 20;
// The largest segment or record the log reads (bounds a damaged length field).
inline constexpr std::uint64_t kOrderedFileBytesMax = std::uint64_t{4} << 30;

struct OrderedRecord {
    std::uint64_t commit_index = 0;
    std::vector<common::Bytes> transactions;  // transaction buffers (see the file comment)
};

struct OrderedLogContents {
    std::vector<OrderedRecord> unapplied;  // commit_index applied + 1, + 2, ... in order
    std::uint64_t torn_bytes = 0;          // a torn append dropped from the last segment
};

class OrderedLog {
public:
    OrderedLog(const OrderedLog&) = delete;
    OrderedLog& operator=(const OrderedLog&) = delete;
    ~OrderedLog();

    // Opens (creating) `dir`, drops a torn tail, deletes segments the store already applied,
    // and returns the records after `applied`: they must continue it without a gap.
    static common::Result<std::unique_ptr<OrderedLog>> open(const std::string& dir,
                                                            std::uint64_t applied, bool sync,
                                                            OrderedLogContents& contents);

    // Reads without changing anything (a torn tail is reported, not truncated): the crash
    // test's view of a dead primary's log.
    static common::Result<OrderedLogContents> read(const std::string& dir, std::uint64_t applied);

    // Appends the batch ordered for commit `commit_index` (the next one: the last appended or
    // replayed index + 1) and returns once it is durable (fdatasync under `sync`).
    common::Status append(std::uint64_t commit_index,
                          const std::vector<executor::Transaction>& transactions);
    // The same from the transactions' buffers (each one that executor::decode_transaction
    // accepts; the log does not decode them): what the primary logs are the bytes its clients
    // submitted, not re-encoded. Encoded transactions give the same bytes as the overload above.
    common::Status append(std::uint64_t commit_index, std::span<const common::Bytes> transactions);

    // Deletes the closed segments whose every record is at or below `applied`.
    common::Status prune(std::uint64_t applied);

    std::uint64_t next_index() const;

private:
    struct Impl;
    explicit OrderedLog(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace remora::node
