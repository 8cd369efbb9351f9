// tools/cli/progress.h: the line's figures, silence when the stream is not a terminal, and on a
// pseudo-terminal (openpty) redraws limited to one per interval plus the final one.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>

#include "tools/cli/progress.h"

using remora::tools::cli::Progress;
using namespace std::chrono_literals;

namespace {

// Everything readable from `fd` now (non-blocking).
std::string drain(int fd) {
    std::string out;
    char buffer[4096];
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    while (true) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("a progress line gives the share, the rate and the time left", "[cli][progress]") {
    CHECK(Progress::line("work", "commits", Progress::Unit::kCount, 250, 1000, 5.0) ==
          "work: 250/1000 commits (25.0%), 50 commits/s, ETA 0:15, 0:05 elapsed");
    CHECK(Progress::line("copy", "", Progress::Unit::kBytes, 3 << 20, 12 << 20, 2.0) ==
          "copy: 3.0/12.0 MiB (25.0%), 1.5 MiB/s, ETA 0:06, 0:02 elapsed");
    // Unknown total: no share, no estimate; nothing done yet: no rate.
    CHECK(Progress::line("scan", "keys", Progress::Unit::kCount, 7200, 0, 3600.0) ==
          "scan: 7200 keys, 2.0 keys/s, 1:00:00 elapsed");
    CHECK(Progress::line("scan", "keys", Progress::Unit::kCount, 0, 10, 0.0) ==
          "scan: 0/10 keys (0.0%), 0:00 elapsed");
}

TEST_CASE("progress prints nothing when its stream is not a terminal", "[cli][progress]") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::FILE* out = ::fdopen(fds[1], "w");
    REQUIRE(out != nullptr);
    CHECK_FALSE(Progress::terminal(out));
    {
        Progress progress(Progress::terminal(out), "work", "items", Progress::Unit::kCount, out,
                          0ms);
        CHECK_FALSE(progress.enabled());
        CHECK_FALSE(static_cast<bool>(progress.callback()));
        for (std::uint64_t i = 1; i <= 100; ++i) progress.update(i, 100);
    }
    std::fclose(out);
    CHECK(drain(fds[0]).empty());
    ::close(fds[0]);
}

TEST_CASE("progress draws on a terminal, at most once per interval", "[cli][progress]") {
    int master = -1, slave = -1;
    REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
    std::FILE* out = ::fdopen(slave, "w");
    REQUIRE(out != nullptr);
    REQUIRE(Progress::terminal(out));
    {
        // A long interval: 1000 updates draw nothing until finish() draws the last state.
        Progress progress(Progress::terminal(out), "work", "items", Progress::Unit::kCount, out,
                          1h);
        REQUIRE(progress.enabled());
        auto callback = progress.callback();
        for (std::uint64_t i = 1; i <= 1000; ++i) callback(i, 1000);
        CHECK(drain(master).empty());
        progress.finish();
        const std::string shown = drain(master);
        CHECK(count(shown, "work: ") == 1);
        CHECK_THAT(shown, Catch::Contains("work: 1000/1000 items (100.0%)"));
        CHECK_THAT(shown, Catch::Contains("items/s"));
    }
    {
        // A short one: a redraw per interval, each in place (\r), then one newline.
        Progress progress(true, "work", "items", Progress::Unit::kCount, out, 20ms);
        for (std::uint64_t i = 1; i <= 3; ++i) {
            std::this_thread::sleep_for(30ms);
            progress.update(i, 3);
        }
        progress.finish();
        progress.finish();  // once only
        const std::string shown = drain(master);
        CHECK(count(shown, "\rwork: ") == 4);
        CHECK(count(shown, "\n") == 1);
    }
    {
        // Nothing reported, nothing drawn.
        Progress progress(true, "idle", "items", Progress::Unit::kCount, out);
    }
    CHECK(drain(master).empty());
    std::fclose(out);
    ::close(master);
}
