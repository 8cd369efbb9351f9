#pragma once
// Ed25519 through libsodium: deterministic key pairs from 32-byte seeds (genesis and workloads
// derive their accounts from seeds), detached signatures, verification, and addresses.
// Every function initialises libsodium on first use, once, thread-safely.

#include <array>
#include <cstdint>

#include "common/bytes.h"
#include "executor/tx/object.h"

namespace remora::executor {

struct PublicKey {
    std::array<std::uint8_t, 32> bytes{};
    // NOLINTNEXTLINE(modernize-use-nullptr): its synthesized `< 0`, llvm-project#53961
    auto operator<=>(const PublicKey&) const = default;
    ByteView view() const { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }
};

struct Signature {
    std::array<std::uint8_t, 64> bytes{};
    // NOLINTNEXTLINE(modernize-use-nullptr): its synthesized `< 0`, llvm-project#53961
    auto operator<=>(const Signature&) const = default;
    ByteView view() const { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }
};

struct Seed {
    std::array<std::uint8_t, 32> bytes{};
};

// libsodium's 64-byte secret key (seed ‖ public key). Not printable, not comparable.
struct KeyPair {
    PublicKey public_key;
    std::array<std::uint8_t, 64> secret_key{};
};

// Calls sodium_init() exactly once per process; asserts it succeeded (it fails only when the
// system has no entropy source, which the executor never needs since keys come from seeds).
void ensure_sodium_initialized();

// The same seed always gives the same key pair.
KeyPair keypair_from_seed(const Seed& seed);

// Deterministic (Ed25519 signatures do not use randomness).
Signature sign(const KeyPair& keys, ByteView message);

// False for a wrong signature, a wrong message, or a public key that is not a valid point.
bool verify_signature(const PublicKey& key, const Signature& signature, ByteView message);

// BLAKE2b-256(BE32(len(tag)) ‖ "remora/address/v1" ‖ public key).
Address address_of(const PublicKey& key);

}  // namespace remora::executor
