#include "node/links.h"

#include "net/tls.h"
#include "node/log.h"

#include <ctime>

namespace remora::node {

struct LinkSecurity::Impl {
    mutable std::mutex mutex;                      // guards tls and credentials
    std::shared_ptr<net::asio::ssl::context> tls;  // null: plain TCP
    net::TlsRole role = net::TlsRole::kServer;
    net::TlsFiles files;
    std::string name;
    Credentials credentials;

    // A context from the files, and their expiry.
    common::Status load() {
        auto context = net::make_cluster_context(files, role);
        if (!context) return context.status().with_context("credentials of '" + name + "'");
        auto cert_expiry = net::certificate_not_after(files.cert);
        if (!cert_expiry) return cert_expiry.status();
        auto ca_expiry = net::certificate_not_after(files.ca_cert);
        if (!ca_expiry) return ca_expiry.status();
        std::lock_guard lock(mutex);
        // Streams hold their own reference to OpenSSL's context, so replacing it leaves
        // established connections as they are.
        tls = std::move(context).value();
        credentials.certificate_not_after = *cert_expiry;
        credentials.ca_not_after = *ca_expiry;
        return common::Status::ok();
    }
};

LinkSecurity::LinkSecurity(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
LinkSecurity::~LinkSecurity() = default;

common::Result<std::shared_ptr<LinkSecurity>> LinkSecurity::for_cluster(const TlsConfig& tls,
                                                                        bool server) {
    if (tls.dir.empty()) {
        return common::Status{common::Code::kInvalidArgument,
                              "--tls.dir is required: cluster links use mutual TLS (create the "
                              "credentials with remora-node keygen)"};
    }
    auto impl = std::make_unique<Impl>();
    impl->role = server ? net::TlsRole::kServer : net::TlsRole::kClient;
    impl->files = net::cluster_files(tls.dir, tls.name);
    impl->name = tls.name;
    REMORA_RETURN_IF_ERROR(impl->load());
    return std::shared_ptr<LinkSecurity>(new LinkSecurity(std::move(impl)));
}

std::shared_ptr<LinkSecurity> LinkSecurity::plain() {
    return std::shared_ptr<LinkSecurity>(new LinkSecurity(std::make_unique<Impl>()));
}

bool LinkSecurity::is_tls() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->tls != nullptr;
}

common::Status LinkSecurity::reload() {
    if (!is_tls()) return common::Status::ok();
    common::Status status = m_impl->load();
    std::lock_guard lock(m_impl->mutex);
    ++(status.is_ok() ? m_impl->credentials.reloads : m_impl->credentials.reload_failures);
    return status;
}

LinkSecurity::Credentials LinkSecurity::credentials() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->credentials;
}

void reload_credentials_logged(LinkSecurity& security) {
    common::Status status = security.reload();
    if (!status) {
        log_error("reloading the credentials failed, the current ones stay in use: " +
                  status.message());
        return;
    }
    const std::time_t expiry = security.credentials().certificate_not_after;
    std::tm tm{};
    char text[32] = "?";
    if (::gmtime_r(&expiry, &tm) != nullptr) std::strftime(text, sizeof text, "%FT%TZ", &tm);
    log_info(std::string("credentials reloaded: new connections use them; the certificate ") +
             "expires " + text);
}

void LinkSecurity::secure(net::asio::ip::tcp::socket socket, std::chrono::milliseconds timeout,
                          const net::SessionOptions& options, net::Session::FrameHandler on_frame,
                          net::Session::CloseHandler on_close, LinkDone done) {
    boost::system::error_code ignored;
    socket.set_option(net::asio::ip::tcp::no_delay(true), ignored);
    std::shared_ptr<net::asio::ssl::context> tls;
    {
        std::lock_guard lock(m_impl->mutex);
        tls = m_impl->tls;
    }
    if (!tls) {
        auto session = net::Session::create(std::move(socket), options, std::move(on_frame),
                                            std::move(on_close));
        done(SecuredLink{std::move(session), ""});
        return;
    }
    // The context this handshake started with, even if a reload replaces it meanwhile (the
    // lambda holds it).
    auto stream = std::make_shared<net::TlsStream>(std::move(socket), *tls);
    net::async_tls_handshake(
        stream, m_impl->role, timeout,
        [stream, tls, options, on_frame = std::move(on_frame), on_close = std::move(on_close),
         done = std::move(done)](common::Status status) mutable {
            if (!status.is_ok()) {
                done(std::move(status));
                return;
            }
            std::string name = net::peer_common_name(*stream);
            auto session = net::Session::create(std::move(stream), options, std::move(on_frame),
                                                std::move(on_close));
            done(SecuredLink{std::move(session), std::move(name)});
        });
}

void async_connect(net::asio::io_context& io, const std::string& host, std::uint16_t port,
                   std::chrono::milliseconds timeout, ConnectDone done) {
    namespace asio = net::asio;
    const std::string where = host + ":" + std::to_string(port);
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (ec) {
        // Names are not resolved: cluster addresses are IP literals (DNS would block an io
        // thread and make a dead resolver look like a dead primary).
        done(common::Status{common::Code::kInvalidArgument,
                            "'" + host + "' is not an IP address (give the primary's IP)"});
        return;
    }
    struct State {
        // One strand for both, so the timeout and the connect never race.
        explicit State(asio::io_context& io)
            : strand(asio::make_strand(io)), socket(strand), timer(strand) {}
        asio::strand<asio::io_context::executor_type> strand;
        asio::ip::tcp::socket socket;
        asio::steady_timer timer;
        bool finished = false;
    };
    auto state = std::make_shared<State>(io);
    auto shared_done = std::make_shared<ConnectDone>(std::move(done));
    state->timer.expires_after(timeout);
    state->timer.async_wait([state, shared_done, where](boost::system::error_code timer_ec) {
        if (timer_ec || state->finished) return;
        state->finished = true;
        boost::system::error_code ignored;
        state->socket.close(ignored);
        (*shared_done)(
            common::Status{common::Code::kIoError, "connecting to " + where + " timed out"});
    });
    state->socket.async_connect(
        asio::ip::tcp::endpoint(address, port),
        [state, shared_done, where](boost::system::error_code connect_ec) {
            if (state->finished) return;
            state->finished = true;
            state->timer.cancel();
            if (connect_ec) {
                (*shared_done)(
                    common::Status{common::Code::kIoError,
                                   "cannot connect to " + where + ": " + connect_ec.message()});
                return;
            }
            boost::system::error_code ignored;
            state->socket.set_option(asio::ip::tcp::no_delay(true), ignored);
            (*shared_done)(std::move(state->socket));
        });
}

AcceptPacer::AcceptPacer(const net::asio::any_io_executor& executor, std::string what)
    : m_timer(executor), m_what(std::move(what)) {}

bool AcceptPacer::failed(const boost::system::error_code& ec, std::function<void()> again) {
    if (ec == net::asio::error::operation_aborted || ec == net::asio::error::bad_descriptor) {
        return false;
    }
    ++m_failures;
    if (m_streak++ == 0) {
        log_warn(m_what + " accept failed: " + ec.message() + "; accepting again every " +
                 std::to_string(kAcceptRetry.count()) + " ms until one succeeds");
    }
    m_timer.expires_after(kAcceptRetry);
    m_timer.async_wait([again = std::move(again)](boost::system::error_code wait) {
        if (!wait) again();
    });
    return true;
}

void AcceptPacer::accepted() {
    if (m_streak == 0) return;
    log_info(m_what + " accepting again after " + std::to_string(m_streak) + " failed accepts");
    m_streak = 0;
}

void AcceptPacer::cancel() { m_timer.cancel(); }

ConnectionSlots::ConnectionSlots(std::size_t limit) : m_state(std::make_shared<State>(limit)) {}

ConnectionSlots::Ticket ConnectionSlots::take() {
    std::size_t held = m_state->held.load();
    do {
        if (held >= m_state->limit) return nullptr;
    } while (!m_state->held.compare_exchange_weak(held, held + 1));
    // The deleter frees the slot; it owns the state, so a ticket may outlive this object.
    return Ticket(m_state.get(), [state = m_state](void*) { --state->held; });
}

std::size_t ConnectionSlots::held() const { return m_state->held.load(); }

std::size_t ConnectionSlots::limit() const { return m_state->limit; }

}  // namespace remora::node
