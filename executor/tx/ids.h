#pragma once
// Where ids and versions come from. Both are pure functions of the transaction and of what it
// read, so every executor (pre-executor, primary, sequential reference) derives the same ones.

#include <cstdint>
#include <span>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/tx/lookup_table.h"
#include "executor/tx/object.h"

namespace remora::executor {

// The id of the `creation_index`-th object (0, 1, ...) created by the transaction:
// BLAKE2b-256(BE32(len(tag)) ‖ "remora/created-object/v1" ‖ tx digest ‖ BE32(creation_index)).
ObjectId created_object_id(const common::Digest& tx_digest, std::uint32_t creation_index);

// The id of the child (dynamic) object of `parent` under `key`:
// BLAKE2b-256(BE32(len(tag)) ‖ "remora/dynamic-object/v1" ‖ parent id ‖ key).
// The key is the last field, so its length needs no prefix.
ObjectId dynamic_object_id(const ObjectId& parent, ByteView key);

// The version rule (docs/design.md §2): every object a transaction writes, creates or deletes
// gets version 1 + max(versions read), the maximum taken over every object read, declared and
// dynamic, including the tombstone versions of reads that found a deleted object (so that a
// re-created object's version still grows). With nothing read, the version is 1.
// Fails (InvalidArgument) when a version read is >= limits::kVersionMax (no room above it).
common::Result<Version> output_version(std::span<const Version> versions_read);

// The same rule over a lookup table's reads (absent reads contribute their tombstone version).
common::Result<Version> output_version(const LookupTable& table);

}  // namespace remora::executor
