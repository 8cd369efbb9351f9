#pragma once
// Boost.Asio, included the one way that compiles with Boost 1.74 and -std=c++20: <utility>
// first (Asio's awaitable.hpp uses std::exchange without including it).

#include <utility>

#include <boost/asio.hpp>

namespace remora::net {
namespace asio = boost::asio;
}  // namespace remora::net
