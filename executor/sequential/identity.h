#pragma once
// The executor's identity: which deterministic rules a commit was executed under. Two builds
// with the same identity compute byte-identical effects for the same transaction and state;
// the primary adopts a result, or takes a hint, only from its own identity, and every commit
// body records the identity it was executed under, so replay-verify applies the rules of the
// day (docs/execution.md, "Rules versions and the executor identity").
//
// The identity is the rules version with a digest over everything else that decides effects:
// the VM's opcode and host-function gas schedule, the executor's intrinsic gas, and the
// standard packages the workloads publish.

#include <cstdint>

#include <string>

#include "common/bytes.h"

namespace remora::executor {

// Rules version 1: commit bodies of format 1. An object created and deleted inside one commit
// left no tombstone, so its versions could be issued again (the bug this version fixed).
inline constexpr std::uint32_t kRulesV1 = 1;
// Rules version 2: such an object leaves its tombstone; a version names one content forever.
inline constexpr std::uint32_t kRulesV2 = 2;
inline constexpr std::uint32_t kRulesCurrent = kRulesV2;

struct ExecutorIdentity {
    std::uint32_t rules_version = kRulesCurrent;
    common::Digest digest;  // BLAKE2b-256 over the rules version, gas schedule and packages

    bool operator==(const ExecutorIdentity&) const = default;
};

// Whether this build implements `rules_version`.
bool rules_version_known(std::uint32_t rules_version);

// This build's identity under `rules_version`. REQUIRES: rules_version_known(rules_version).
const ExecutorIdentity& executor_identity(std::uint32_t rules_version = kRulesCurrent);

// "rules v2, 3f5a…" (the first 8 bytes of the digest in hex), for messages.
std::string describe_identity(const ExecutorIdentity& identity);

}  // namespace remora::executor
