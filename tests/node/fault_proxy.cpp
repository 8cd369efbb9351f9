#include "tests/node/fault_proxy.h"

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <future>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "net/asio.h"

namespace remora::testing {

namespace asio = net::asio;
using tcp = asio::ip::tcp;
using Chunk = std::vector<char>;

namespace {

constexpr std::size_t kChunkMax = 16384;
constexpr auto kReorderWait = std::chrono::milliseconds(300);

int index_of(FaultProxy::Direction direction) {
    return direction == FaultProxy::Direction::kToTarget ? 0 : 1;
}

}  // namespace

// Everything below runs on the proxy's one io thread; the public calls post to it and wait.
struct FaultProxy::Impl {
    struct Connection;

    // One direction of a connection: read a chunk, fault it, write it, read the next.
    struct Pipe {
        explicit Pipe(asio::io_context& io) : delay_timer(io), reorder_timer(io) {}
        std::array<char, kChunkMax> buffer{};
        asio::steady_timer delay_timer;
        asio::steady_timer reorder_timer;
        std::deque<Chunk> outbox;  // in the order they go out
        std::deque<Chunk> held;    // read during a black hole
        std::optional<Chunk> reorder_hold;
        bool reading = false;
        bool writing = false;
        bool delaying = false;
        bool stalled = false;     // a black hole stopped this pipe's reads
        bool held_close = false;  // its source closed during the black hole
        bool held_reset = false;  // ... with an error
    };

    struct Connection : std::enable_shared_from_this<Connection> {
        Connection(asio::io_context& io, tcp::socket accepted)
            : client(std::move(accepted)), server(io), pipes{Pipe(io), Pipe(io)} {}
        tcp::socket client;
        tcp::socket server;
        std::array<Pipe, 2> pipes;  // 0: client → target, 1: target → client
        bool closed = false;
        tcp::socket& source(int d) { return d == 0 ? client : server; }
        tcp::socket& sink(int d) { return d == 0 ? server : client; }
    };

    Impl(std::uint16_t target_port, std::uint64_t seed)
        : work(asio::make_work_guard(io)), acceptor(io), target(target_port), rng(seed) {}

    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work;
    tcp::acceptor acceptor;
    std::uint16_t target;
    std::mt19937_64 rng;
    std::thread thread;

    std::chrono::milliseconds delay_base{0};
    std::chrono::milliseconds delay_jitter{0};
    std::array<int, 2> corrupt_pending{0, 0};
    std::array<int, 2> drop_pending{0, 0};
    std::array<int, 2> reorder_pending{0, 0};
    std::optional<Partition> partitioned;
    bool stopping = false;
    std::set<std::shared_ptr<Connection>> connections;
    std::vector<std::shared_ptr<Connection>> waiting;  // accepted during a black hole
    Counters counters;

    // Runs `fn` on the io thread and waits for it.
    template <typename Fn>
    auto on_io(Fn fn) -> decltype(fn()) {
        std::packaged_task<decltype(fn())()> task(std::move(fn));
        auto result = task.get_future();
        asio::post(io, [&task] { task(); });
        return result.get();
    }

    std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : rng() % n; }

    void accept() {
        acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
            if (ec || stopping) return;
            ++counters.accepted;
            if (partitioned == Partition::kRefuse) {
                ++counters.refused;
                reset_socket(socket);
            } else {
                auto connection = std::make_shared<Connection>(io, std::move(socket));
                connections.insert(connection);
                ++counters.open;
                if (partitioned == Partition::kBlackHole) {
                    waiting.push_back(connection);
                } else {
                    start(connection);
                }
            }
            accept();
        });
    }

    static void reset_socket(tcp::socket& socket) {
        boost::system::error_code ignored;
        socket.set_option(asio::socket_base::linger(true, 0), ignored);
        socket.close(ignored);
    }

    void start(const std::shared_ptr<Connection>& c) {
        c->server.async_connect({asio::ip::make_address("127.0.0.1"), target},
                                [this, c](boost::system::error_code ec) {
                                    if (c->closed) return;
                                    if (ec) {
                                        close(c, true);
                                        return;
                                    }
                                    boost::system::error_code ignored;
                                    c->server.set_option(tcp::no_delay(true), ignored);
                                    c->client.set_option(tcp::no_delay(true), ignored);
                                    read(c, 0);
                                    read(c, 1);
                                });
    }

    void close(const std::shared_ptr<Connection>& c, bool reset) {
        if (c->closed) return;
        c->closed = true;
        for (tcp::socket* socket : {&c->client, &c->server}) {
            boost::system::error_code ignored;
            if (reset) socket->set_option(asio::socket_base::linger(true, 0), ignored);
            socket->close(ignored);
        }
        for (Pipe& pipe : c->pipes) {
            pipe.delay_timer.cancel();
            pipe.reorder_timer.cancel();
        }
        if (connections.erase(c) > 0) --counters.open;
    }

    void read(const std::shared_ptr<Connection>& c, int d) {
        Pipe& pipe = c->pipes[static_cast<std::size_t>(d)];
        if (c->closed || pipe.reading || pipe.stalled) return;
        pipe.reading = true;
        c->source(d).async_read_some(
            asio::buffer(pipe.buffer), [this, c, d](boost::system::error_code ec, std::size_t n) {
                Pipe& p = c->pipes[static_cast<std::size_t>(d)];
                p.reading = false;
                if (c->closed) return;
                if (partitioned == Partition::kBlackHole) {
                    // Nothing crosses, not even a close: the far end learns nothing until heal.
                    p.stalled = true;
                    if (ec) {
                        p.held_close = true;
                        p.held_reset = ec != asio::error::eof;
                    } else {
                        p.held.emplace_back(p.buffer.data(), p.buffer.data() + n);
                    }
                    return;
                }
                if (ec) {
                    close(c, ec != asio::error::eof);
                    return;
                }
                after_read(c, d, Chunk(p.buffer.data(), p.buffer.data() + n));
            });
    }

    void after_read(const std::shared_ptr<Connection>& c, int d, Chunk chunk) {
        const auto delay =
            delay_base +
            std::chrono::milliseconds(below(static_cast<std::uint64_t>(delay_jitter.count()) + 1));
        if (delay.count() == 0) {
            deliver(c, d, std::move(chunk));
            return;
        }
        Pipe& pipe = c->pipes[static_cast<std::size_t>(d)];
        pipe.delaying = true;
        pipe.delay_timer.expires_after(delay);
        pipe.delay_timer.async_wait(
            [this, c, d, chunk = std::move(chunk)](boost::system::error_code ec) mutable {
                c->pipes[static_cast<std::size_t>(d)].delaying = false;
                if (ec || c->closed) return;
                deliver(c, d, std::move(chunk));
            });
    }

    // Applies the faults armed for this direction, queues what goes out, goes on.
    void deliver(const std::shared_ptr<Connection>& c, int d, Chunk chunk) {
        Pipe& pipe = c->pipes[static_cast<std::size_t>(d)];
        const auto di = static_cast<std::size_t>(d);
        if (corrupt_pending[di] > 0 && !chunk.empty()) {
            --corrupt_pending[di];
            ++counters.corrupted;
            char& byte = chunk[below(chunk.size())];
            byte = static_cast<char>(static_cast<unsigned char>(byte) ^ (1 + below(255)));
        }
        if (drop_pending[di] > 0 && !chunk.empty()) {
            --drop_pending[di];
            ++counters.dropped;
            const std::size_t at = below(chunk.size());
            const std::size_t length = 1 + below(std::min<std::size_t>(64, chunk.size() - at));
            chunk.erase(chunk.begin() + static_cast<std::ptrdiff_t>(at),
                        chunk.begin() + static_cast<std::ptrdiff_t>(at + length));
        }
        if (pipe.reorder_hold) {
            // The chunk behind the held one overtakes it.
            ++counters.reordered;
            pipe.reorder_timer.cancel();
            pipe.outbox.push_back(std::move(chunk));
            pipe.outbox.push_back(std::move(*pipe.reorder_hold));
            pipe.reorder_hold.reset();
        } else if (reorder_pending[di] > 0 && !chunk.empty()) {
            --reorder_pending[di];
            pipe.reorder_hold = std::move(chunk);
            pipe.reorder_timer.expires_after(kReorderWait);
            pipe.reorder_timer.async_wait([this, c, d](boost::system::error_code ec) {
                Pipe& p = c->pipes[static_cast<std::size_t>(d)];
                if (ec || c->closed || !p.reorder_hold) return;
                // Nothing followed: its second half goes first.
                Chunk held = std::move(*p.reorder_hold);
                p.reorder_hold.reset();
                const auto half = static_cast<std::ptrdiff_t>(held.size() / 2);
                std::rotate(held.begin(), held.begin() + half, held.end());
                if (held.size() >= 2) ++counters.reordered;
                p.outbox.push_back(std::move(held));
                flush(c, d);
            });
        } else if (!chunk.empty()) {
            pipe.outbox.push_back(std::move(chunk));
        }
        flush(c, d);
    }

    // Writes the outbox in order; reads the next chunk once it is empty.
    void flush(const std::shared_ptr<Connection>& c, int d) {
        Pipe& pipe = c->pipes[static_cast<std::size_t>(d)];
        if (c->closed || pipe.writing || pipe.delaying) return;
        if (pipe.outbox.empty()) {
            read(c, d);
            return;
        }
        pipe.writing = true;
        asio::async_write(c->sink(d), asio::buffer(pipe.outbox.front()),
                          [this, c, d](boost::system::error_code ec, std::size_t n) {
                              Pipe& p = c->pipes[static_cast<std::size_t>(d)];
                              p.writing = false;
                              if (c->closed) return;
                              if (ec) {
                                  close(c, true);
                                  return;
                              }
                              ++counters.chunks;
                              counters.bytes += n;
                              p.outbox.pop_front();
                              flush(c, d);
                          });
    }

    void heal() {
        partitioned.reset();
        for (auto& c :
             std::vector<std::shared_ptr<Connection>>(connections.begin(), connections.end())) {
            for (int d = 0; d < 2; ++d) {
                Pipe& pipe = c->pipes[static_cast<std::size_t>(d)];
                if (!pipe.stalled || c->closed) continue;
                pipe.stalled = false;
                if (pipe.held_close) {
                    close(c, pipe.held_reset);
                    break;
                }
                while (!pipe.held.empty()) {
                    pipe.outbox.push_back(std::move(pipe.held.front()));
                    pipe.held.pop_front();
                }
                flush(c, d);
            }
        }
        for (auto& c : waiting) {
            if (!c->closed) start(c);
        }
        waiting.clear();
    }

    void reset_all() {
        for (auto& c :
             std::vector<std::shared_ptr<Connection>>(connections.begin(), connections.end())) {
            ++counters.resets;
            close(c, true);
        }
        waiting.clear();
    }
};

FaultProxy::FaultProxy(std::uint16_t target_port, std::uint64_t seed)
    : m_impl(std::make_shared<Impl>(target_port, seed)) {
    const tcp::endpoint local(asio::ip::make_address("127.0.0.1"), 0);
    m_impl->acceptor.open(local.protocol());
    m_impl->acceptor.set_option(tcp::acceptor::reuse_address(true));
    m_impl->acceptor.bind(local);
    m_impl->acceptor.listen();
    m_impl->accept();
    m_impl->thread = std::thread([impl = m_impl.get()] { impl->io.run(); });
}

FaultProxy::~FaultProxy() {
    m_impl->on_io([this] {
        m_impl->stopping = true;
        boost::system::error_code ignored;
        m_impl->acceptor.close(ignored);
        m_impl->reset_all();
        return 0;
    });
    // Every operation was cancelled: the thread ends when their handlers have run.
    m_impl->work.reset();
    m_impl->thread.join();
}

std::uint16_t FaultProxy::port() const { return m_impl->acceptor.local_endpoint().port(); }

void FaultProxy::set_delay(std::chrono::milliseconds base, std::chrono::milliseconds jitter) {
    m_impl->on_io([&] {
        m_impl->delay_base = base;
        m_impl->delay_jitter = jitter;
        return 0;
    });
}

void FaultProxy::corrupt_next(Direction direction) {
    m_impl->on_io([&] { return ++m_impl->corrupt_pending[index_of(direction)]; });
}

void FaultProxy::drop_next(Direction direction) {
    m_impl->on_io([&] { return ++m_impl->drop_pending[index_of(direction)]; });
}

void FaultProxy::reorder_next(Direction direction) {
    m_impl->on_io([&] { return ++m_impl->reorder_pending[index_of(direction)]; });
}

void FaultProxy::reset_all() {
    m_impl->on_io([this] {
        m_impl->reset_all();
        return 0;
    });
}

void FaultProxy::partition(Partition kind) {
    m_impl->on_io([&] {
        m_impl->partitioned = kind;
        if (kind == Partition::kRefuse) m_impl->reset_all();
        return 0;
    });
}

void FaultProxy::heal() {
    m_impl->on_io([this] {
        m_impl->heal();
        return 0;
    });
}

FaultProxy::Counters FaultProxy::counters() const {
    return m_impl->on_io([this] { return m_impl->counters; });
}

}  // namespace remora::testing
