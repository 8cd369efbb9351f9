#pragma once
// Mutual TLS for cluster links (docs/wire_format.md, "Cluster links: mutual TLS"), Boost.Asio SSL
// over OpenSSL 3.
//
// - Credentials: a cluster CA (self-signed) signs one certificate per node, whose subject CN is
//   the node's name. Keys are Ed25519: deterministic signatures (no nonce to get wrong), 32-byte
//   keys, fast generation and signing, and TLS 1.3 supports them in OpenSSL 3; the cluster's peers
//   are all Remora nodes, so the wider reach of ECDSA P-256 (browsers, old TLS stacks) buys
//   nothing here.
// - Contexts are TLS 1.3 only, present the node's certificate, trust only the cluster CA (never
//   the system's trust store), and require and verify the peer's certificate on both sides. There
//   is no hostname check: the identity of a peer is the CN of its verified certificate
//   (peer_common_name()), which the caller matches against the node it expects. Session
//   resumption is off, so every connection verifies a certificate.
// - TLS 1.3 ends the client's handshake before the server has checked the client's certificate:
//   a refused client sees its handshake succeed and learns of the refusal (an alert) at its first
//   read. The server's handshake is what refuses, with the reason.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "common/status.h"
#include "net/asio.h"

#include <boost/asio/ssl.hpp>

namespace remora::net {

// PEM files of one node.
struct TlsFiles {
    std::string ca_cert;  // the cluster CA's certificate: the only trust anchor
    std::string cert;     // this node's certificate, signed by the CA
    std::string key;      // this node's private key (unencrypted PKCS#8)
};

// The interval a certificate is valid in. Certificates made "for `validity` from now" start
// kClockSkewAllowance before now, so a peer whose clock is slightly behind accepts them.
struct CertificateValidity {
    std::chrono::system_clock::time_point not_before;
    std::chrono::system_clock::time_point not_after;
};
inline constexpr std::chrono::seconds kClockSkewAllowance{300};
// The longest validity write_cluster_credentials accepts (100 years).
inline constexpr std::chrono::seconds kCredentialValidityMax{100LL * 366 * 24 * 3600};

// Credentials of a local cluster: `dir`/ca.pem + ca.key (the cluster CA, CN "remora cluster CA
// <16 hex digits>", unique per cluster), and for each name N in `node_names`: `dir`/N.pem (cert
// signed by the CA, CN = N) and `dir`/N.key (mode 0600; ca.key is 0600 too, certificates 0644).
// Creates `dir` when missing. Names are 1..64 characters of [A-Za-z0-9._-], not starting with a
// dot, unique, and not "ca" (kInvalidArgument otherwise); `validity` in 1
// s..kCredentialValidityMax. Refuses (kAlreadyExists) when any of the files exists, before writing
// anything; on a failure part way through, removes the files it created. Files are fsynced.
common::Status write_cluster_credentials(const std::string& dir,
                                         std::span<const std::string> node_names,
                                         std::chrono::seconds validity);
// Same, with an explicit interval for the node certificates (the CA's runs from not_before to
// not_after too). For tests and operators: not_before may be in the past, and not_after may be
// too, which makes an expired certificate; not_after <= not_before is kInvalidArgument.
common::Status write_cluster_credentials(const std::string& dir,
                                         std::span<const std::string> node_names,
                                         const CertificateValidity& validity);
// Adds nodes to an existing cluster: signs `dir`/N.pem + N.key for each name with the CA in
// `dir`/ca.pem + ca.key (a node joining later, or a test's expired certificate). Same rules on
// names and existing files; kNotFound/kCorruption name the CA file that is missing or unreadable.
common::Status add_node_credentials(const std::string& dir, std::span<const std::string> node_names,
                                    const CertificateValidity& validity);
// Replaces the credentials of existing nodes with new ones (new keys, certificates for
// `validity` signed by the CA in `dir`): renewal before expiry. Each file is replaced by a rename,
// the key before the certificate, so a node reloading meanwhile sees either its old pair, the new
// pair, or a pair whose key does not match (which it refuses, keeping what it has). kNotFound
// when a node's files or the CA are missing.
common::Status renew_node_credentials(const std::string& dir,
                                      std::span<const std::string> node_names,
                                      const CertificateValidity& validity);
// The notAfter of the PEM certificate at `cert_path`, as Unix seconds.
common::Result<std::int64_t> certificate_not_after(const std::string& cert_path);
// [now - kClockSkewAllowance, now + validity].
CertificateValidity validity_from_now(std::chrono::seconds validity);

// The files of node `name` under `dir` (no I/O).
TlsFiles cluster_files(const std::string& dir, const std::string& name);

enum class TlsRole : std::uint8_t { kServer, kClient };

// A TLS 1.3-only context that presents `files.cert`/`files.key`, trusts only `files.ca_cert`, and
// requires and verifies the peer's certificate (mutual TLS). Errors name the file and the reason
// (kNotFound for a missing file, kInvalidArgument for a file OpenSSL cannot use or a key that
// does not match the certificate: "key values mismatch"). It sends the node's certificate alone
// (no chain: the peer has the CA). A context may be shared by any number of streams.
common::Result<std::shared_ptr<asio::ssl::context>> make_cluster_context(const TlsFiles& files,
                                                                         TlsRole role);

using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

// Runs the handshake on `stream` (its socket connected) bounded by `timeout`; calls `done` exactly
// once, on a strand of the stream's executor, after the handshake operation has finished, with ok,
// or an error whose message names the peer's address and says why the peer was refused:
// - kVerificationFailed with OpenSSL's verify reason ("certificate has expired", "unable to get
//   local issuer certificate", ...) or "peer did not return a certificate";
// - kIoError "handshake timed out after N ms" (the socket is closed then), or OpenSSL's reason
//   for a peer that does not speak TLS 1.3 ("wrong version number", ...), or the socket error.
// The stream must outlive the handshake (hence the shared_ptr, which the operation holds).
void async_tls_handshake(std::shared_ptr<TlsStream> stream, TlsRole role,
                         std::chrono::milliseconds timeout,
                         std::function<void(common::Status)> done);

// The CN of the peer's certificate when the handshake verified it ("" when none).
std::string peer_common_name(TlsStream& stream);

}  // namespace remora::net
