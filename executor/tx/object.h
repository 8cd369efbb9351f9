#pragma once
// An object of the state (docs/design.md §2): a 32-byte id, a version, an owner, a type tag and
// bounded contents. The executor's whole state is a set of these, one live version per id.

#include <cstdint>
#include <string>
#include <variant>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/tx/field_path.h"

namespace remora::executor {

using common::Bytes;
using common::ByteView;
using common::Hash256;
using common::ObjectId;
using common::Version;
using Address = common::Hash256;  // BLAKE2b-256 of an Ed25519 public key (crypto.h)

// Application-defined type of an object or event: a short byte string (0..kTypeTagBytesMax
// bytes, conventionally ASCII such as "coin" or "nft/item"). A string rather than a number so
// that packages name their types without a central registry, and it is the form the VM's host
// calls take (object_create, emit_event).
using TypeTag = Bytes;

struct OwnedByAddress {
    Address address;
    bool operator==(const OwnedByAddress&) const = default;
};
struct SharedOwner {
    bool operator==(const SharedOwner&) const = default;
};
// A child (dynamic) object of `parent`, reached by key at run time (ids.h).
struct OwnedByParent {
    ObjectId parent;
    bool operator==(const OwnedByParent&) const = default;
};
struct ImmutableOwner {
    bool operator==(const ImmutableOwner&) const = default;
};

// The order of alternatives is the owner kind number on the wire and in canonical bytes.
using Owner = std::variant<OwnedByAddress, SharedOwner, OwnedByParent, ImmutableOwner>;

struct Object {
    ObjectId id;
    Version version = 0;
    Owner owner = SharedOwner{};
    TypeTag type_tag;
    Bytes contents;  // at most limits::kObjectContentsBytesMax

    bool operator==(const Object&) const = default;
};

// Semantic bounds: 1 <= version <= kVersionMax, type tag and contents within their limits. `field`
// names the object in the message ("effects.written[2]"); it is written out only for an error.
common::Status validate_object(const Object& object, const FieldPath& field = "object");

// Canonical bytes of an object's fields, without a domain tag (docs/transactions.md): the form
// nested inside the effects encoding.
void append_canonical_object(Bytes& out, const Object& object);

// Domain-tagged canonical bytes of one object, and their BLAKE2b-256.
Bytes canonical_object_bytes(const Object& object);
Hash256 object_digest(const Object& object);

}  // namespace remora::executor
