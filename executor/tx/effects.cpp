#include "executor/tx/effects.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "common/hash.h"
#include "executor/tx/canonical.h"
#include "executor/tx/field_path.h"
#include "executor/tx/limits.h"

namespace remora::executor {
namespace {

common::Status invalid(const std::string& message) {
    return {common::Code::kInvalidArgument, "effects." + message};
}

std::string too_many(std::size_t n, std::size_t limit, const char* what) {
    return std::to_string(n) + " " + what + " exceed the limit of " + std::to_string(limit);
}

// Checks one changed object's version against the version shared by all changed objects.
common::Status check_version(const FieldPath& field, Version version,
                             std::optional<Version>& shared) {
    if (version == 0 || version > limits::kVersionMax) {
        return invalid(field.str() + ".version: " + std::to_string(version) + " is outside 1.." +
                       std::to_string(limits::kVersionMax));
    }
    if (shared && *shared != version) {
        return invalid(field.str() + ".version: " + std::to_string(version) +
                       " differs from the transaction's output version " + std::to_string(*shared));
    }
    shared = version;
    return common::Status::ok();
}

template <typename T>
common::Status check_sorted(const std::vector<T>& items, const char* list) {
    for (std::size_t i = 1; i < items.size(); ++i) {
        if (!(items[i - 1].id < items[i].id)) {
            return invalid(std::string(list) + "[" + std::to_string(i) +
                           "]: ids must be strictly ascending (normalize_effects sorts them)");
        }
    }
    return common::Status::ok();
}

common::Status validate_objects(const Effects& e) {
    std::size_t changed = e.written.size() + e.created.size() + e.deleted.size();
    if (changed > limits::kEffectsObjectsMax) {
        return invalid("written/created/deleted: " +
                       too_many(changed, limits::kEffectsObjectsMax, "changed objects"));
    }
    std::size_t contents_bytes = 0;
    for (const Object& object : e.written) contents_bytes += object.contents.size();
    for (const Object& object : e.created) contents_bytes += object.contents.size();
    if (contents_bytes > limits::kEffectsContentsBytesMax) {
        return invalid("written/created: " + too_many(contents_bytes,
                                                      limits::kEffectsContentsBytesMax,
                                                      "bytes of contents"));
    }
    REMORA_RETURN_IF_ERROR(check_sorted(e.written, "written"));
    REMORA_RETURN_IF_ERROR(check_sorted(e.created, "created"));
    REMORA_RETURN_IF_ERROR(check_sorted(e.deleted, "deleted"));
    std::optional<Version> version;
    std::vector<ObjectId> ids;
    ids.reserve(changed);
    struct NamedList {
        const char* name;
        const char* in_effects;  // the name validate_object gives
        const std::vector<Object>* objects;
    };
    for (auto [name, in_effects, objects] : {NamedList{"written", "effects.written", &e.written},
                                             NamedList{"created", "effects.created", &e.created}}) {
        const FieldPath list(name);
        const FieldPath effects_list(in_effects);
        for (std::size_t i = 0; i < objects->size(); ++i) {
            const Object& object = (*objects)[i];
            REMORA_RETURN_IF_ERROR(validate_object(object, FieldPath(effects_list, i)));
            REMORA_RETURN_IF_ERROR(check_version(FieldPath(list, i), object.version, version));
            ids.push_back(object.id);
        }
    }
    const FieldPath deleted("deleted");
    for (std::size_t i = 0; i < e.deleted.size(); ++i) {
        REMORA_RETURN_IF_ERROR(check_version(FieldPath(deleted, i), e.deleted[i].version, version));
        ids.push_back(e.deleted[i].id);
    }
    std::sort(ids.begin(), ids.end());
    auto dup = std::adjacent_find(ids.begin(), ids.end());
    if (dup != ids.end()) {
        return invalid("written/created/deleted: object " + dup->hex() + " appears twice");
    }
    return common::Status::ok();
}

}  // namespace

const char* abort_code_name(AbortCode code) {
    switch (code) {
        case AbortCode::kNone:
            return "None";
        case AbortCode::kInvalidAuthenticator:
            return "InvalidAuthenticator";
        case AbortCode::kSenderNotSigner:
            return "SenderNotSigner";
        case AbortCode::kInputNotFound:
            return "InputNotFound";
        case AbortCode::kInputVersionMismatch:
            return "InputVersionMismatch";
        case AbortCode::kInputOwnership:
            return "InputOwnership";
        case AbortCode::kPackageNotFound:
            return "PackageNotFound";
        case AbortCode::kBytecodeRejected:
            return "BytecodeRejected";
        case AbortCode::kInvalidEntry:
            return "InvalidEntry";
        case AbortCode::kOutOfGas:
            return "OutOfGas";
        case AbortCode::kStepLimit:
            return "StepLimit";
        case AbortCode::kStackOverflow:
            return "StackOverflow";
        case AbortCode::kCallDepthExceeded:
            return "CallDepthExceeded";
        case AbortCode::kTypeMismatch:
            return "TypeMismatch";
        case AbortCode::kArithmeticOverflow:
            return "ArithmeticOverflow";
        case AbortCode::kArithmeticUnderflow:
            return "ArithmeticUnderflow";
        case AbortCode::kDivisionByZero:
            return "DivisionByZero";
        case AbortCode::kMemoryLimit:
            return "MemoryLimit";
        case AbortCode::kBytesTooLong:
            return "BytesTooLong";
        case AbortCode::kIndexOutOfRange:
            return "IndexOutOfRange";
        case AbortCode::kConversionFailed:
            return "ConversionFailed";
        case AbortCode::kUserAbort:
            return "UserAbort";
        case AbortCode::kHostError:
            return "HostError";
        case AbortCode::kHostArgumentInvalid:
            return "HostArgumentInvalid";
        case AbortCode::kHostCallLimit:
            return "HostCallLimit";
        case AbortCode::kDuplicate:
            return "Duplicate";
        case AbortCode::kExpired:
            return "Expired";
    }
    return "Unknown";
}

void normalize_effects(Effects& effects) {
    auto by_id = [](const auto& a, const auto& b) { return a.id < b.id; };
    std::sort(effects.written.begin(), effects.written.end(), by_id);
    std::sort(effects.created.begin(), effects.created.end(), by_id);
    std::sort(effects.deleted.begin(), effects.deleted.end(), by_id);
}

common::Status validate_execution_status(const ExecutionStatus& status, const std::string& field) {
    const auto fail = [&](const std::string& message) {
        return common::Status(common::Code::kInvalidArgument, field + "." + message);
    };
    if (static_cast<std::uint16_t>(status.code) > kAbortCodeMax) {
        return fail("code: unknown abort code " +
                    std::to_string(static_cast<std::uint16_t>(status.code)));
    }
    if (status.detail.size() > limits::kAbortDetailBytesMax) {
        return fail("detail: " +
                    too_many(status.detail.size(), limits::kAbortDetailBytesMax, "bytes"));
    }
    if (status.is_success() && !status.detail.empty()) {
        return fail("detail: a successful status carries no detail");
    }
    bool has_value = status.code == AbortCode::kUserAbort || status.code == AbortCode::kHostError;
    if (!has_value && status.abort_value != 0) {
        return fail("abort_value: " + std::to_string(status.abort_value) +
                    " is set, but only UserAbort and HostError carry a value");
    }
    return common::Status::ok();
}

common::Status validate_effects(const Effects& e) {
    REMORA_RETURN_IF_ERROR(validate_execution_status(e.status, "effects.status"));
    REMORA_RETURN_IF_ERROR(validate_objects(e));
    if (e.events.size() > limits::kEventsMax) {
        return invalid("events: " + too_many(e.events.size(), limits::kEventsMax, "events"));
    }
    for (std::size_t i = 0; i < e.events.size(); ++i) {
        if (e.events[i].type_tag.size() > limits::kTypeTagBytesMax) {
            return invalid(
                "events[" + std::to_string(i) + "].type_tag: " +
                too_many(e.events[i].type_tag.size(), limits::kTypeTagBytesMax, "bytes"));
        }
        if (e.events[i].data.size() > limits::kEventBytesMax) {
            return invalid("events[" + std::to_string(i) + "].data: " +
                           too_many(e.events[i].data.size(), limits::kEventBytesMax, "bytes"));
        }
    }
    return common::Status::ok();
}

Bytes canonical_effects_bytes(const Effects& e) {
    // Room for the fixed fields and each object's fixed part (id, version, owner, two lengths:
    // at most 113 bytes) plus its variable part, so the buffer is allocated once.
    std::size_t expected = 128 + e.status.detail.size() + 40 * e.deleted.size();
    for (const auto* list : {&e.written, &e.created}) {
        for (const Object& object : *list) {
            expected += 113 + object.type_tag.size() + object.contents.size();
        }
    }
    for (const Event& event : e.events) expected += 8 + event.type_tag.size() + event.data.size();
    CanonicalWriter w(kEffectsDomain, expected);
    w.hash(e.tx_digest);
    w.u16(static_cast<std::uint16_t>(e.status.code));
    w.u64(e.status.abort_value);
    w.bytes(e.status.detail);
    w.u64(e.gas_used);
    for (const auto* list : {&e.written, &e.created}) {
        w.count(list->size());
        for (const Object& object : *list) append_canonical_object(w.buffer(), object);
    }
    w.count(e.deleted.size());
    for (const DeletedObject& d : e.deleted) {
        w.hash(d.id);
        w.u64(d.version);
    }
    w.count(e.events.size());
    for (const Event& event : e.events) {
        w.bytes(event.type_tag);
        w.bytes(event.data);
    }
    return w.take();
}

Digest effects_digest(const Effects& effects) {
    return common::blake2b_256(canonical_effects_bytes(effects));
}

}  // namespace remora::executor
