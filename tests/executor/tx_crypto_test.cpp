// Ed25519 keys, signatures and transaction authenticators.

#include <catch2/catch.hpp>

#include "executor/tx/authenticators.h"
#include "tests/executor/tx_fixtures.h"

using namespace remora::executor;
using namespace remora::executor::testing;
namespace common = remora::common;

namespace {

std::vector<AuthenticatorStatus> all(AuthenticatorStatus status, std::size_t n) {
    return std::vector<AuthenticatorStatus>(n, status);
}

}  // namespace

TEST_CASE("key pairs are a function of the seed", "[tx][crypto]") {
    CHECK(keypair_from_seed(seed_of(1)).public_key == alice().public_key);
    CHECK(keypair_from_seed(seed_of(1)).secret_key == alice().secret_key);
    CHECK(alice().public_key != bob().public_key);
    // RFC 8032 test 1: the seed 9d61b19d... gives the public key d75a9801...
    auto seed_bytes = remora::common::from_hex(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    REQUIRE(seed_bytes);
    Seed seed;
    std::copy(seed_bytes->begin(), seed_bytes->end(), seed.bytes.begin());
    CHECK(remora::common::to_hex(keypair_from_seed(seed).public_key.view()) ==
          "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
}

TEST_CASE("signatures verify and detect tampering", "[tx][crypto]") {
    const Bytes message = "a message";
    const Signature sig = sign(alice(), message);
    CHECK(sign(alice(), message) == sig);  // Ed25519 is deterministic
    CHECK(verify_signature(alice().public_key, sig, message));
    CHECK_FALSE(verify_signature(bob().public_key, sig, message));
    CHECK_FALSE(verify_signature(alice().public_key, sig, "a messagE"));
    for (std::size_t i : {0u, 31u, 32u, 63u}) {
        Signature bad = sig;
        bad.bytes[i] ^= 0x01;
        INFO("signature byte " << i);
        CHECK_FALSE(verify_signature(alice().public_key, bad, message));
    }
    PublicKey bad_key = alice().public_key;
    bad_key.bytes[3] ^= 0x01;
    CHECK_FALSE(verify_signature(bad_key, sig, message));
    CHECK_FALSE(verify_signature(PublicKey{}, Signature{}, message));  // all zeros
}

TEST_CASE("a signed transaction is authorised", "[tx][crypto]") {
    const Transaction tx = sample_transaction();
    const AuthenticatorReport report = verify_authenticators(tx);
    CHECK(report.statuses == all(AuthenticatorStatus::kVerified, 1));
    CHECK(report.sender_matches);
    CHECK(report.authorized());

    const Transaction two = sample_inline_transaction();  // alice and bob, sender alice
    CHECK(verify_authenticators(two).statuses == all(AuthenticatorStatus::kVerified, 2));
    CHECK(verify_authenticators(two).authorized());
}

TEST_CASE("tampering with the transaction, signature or key fails that authenticator",
          "[tx][crypto]") {
    SECTION("a transaction field") {
        Transaction tx = sample_transaction();
        tx.gas_budget += 1;
        CHECK(verify_authenticators(tx).statuses == all(AuthenticatorStatus::kFailed, 1));
        CHECK_FALSE(verify_authenticators(tx).authorized());
    }
    SECTION("a signature byte") {
        Transaction tx = sample_inline_transaction();
        tx.authenticators[1].signature.bytes[10] ^= 0x80;
        auto report = verify_authenticators(tx);
        CHECK(report.statuses ==
              std::vector{AuthenticatorStatus::kVerified, AuthenticatorStatus::kFailed});
        CHECK(report.sender_matches);
        CHECK_FALSE(report.authorized());
    }
    SECTION("the public key") {
        Transaction tx = sample_transaction();
        tx.authenticators[0].public_key.bytes[0] ^= 0x01;
        auto report = verify_authenticators(tx);
        CHECK(report.statuses == all(AuthenticatorStatus::kFailed, 1));
        CHECK_FALSE(report.sender_matches);  // the address no longer matches either
        CHECK_FALSE(report.authorized());
    }
}

TEST_CASE("a sender that is no signer is not authorised", "[tx][crypto]") {
    Transaction tx = sample_transaction();
    tx.sender = address_of(bob().public_key);
    KeyPair signers[] = {alice()};
    sign_transaction(tx, signers);  // valid signature by alice, for bob's address
    auto report = verify_authenticators(tx);
    CHECK(report.statuses == all(AuthenticatorStatus::kVerified, 1));
    CHECK_FALSE(report.sender_matches);
    CHECK_FALSE(report.authorized());

    tx.authenticators.clear();
    CHECK_FALSE(verify_authenticators(tx).authorized());
}
