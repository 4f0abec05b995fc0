#include "gdb/connection.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

#include "common/error.hpp"

namespace lstar::gdb {

namespace {

struct Endpoint {
    std::string host;
    std::string port;
};

Endpoint parse_hostport(const std::string& hp) {
    auto colon = hp.rfind(':');
    if (colon == std::string::npos)
        throw UsageError("--gdb " + hp + ": expected HOST:PORT or :PORT, e.g. :1234");
    Endpoint e{hp.substr(0, colon), hp.substr(colon + 1)};
    if (e.host.size() >= 2 && e.host.front() == '[' && e.host.back() == ']') e.host = e.host.substr(1, e.host.size() - 2);
    if (e.host.empty()) e.host = "127.0.0.1";  // loopback unless asked: the stub can write guest memory
    char* end = nullptr;
    unsigned long p = std::strtoul(e.port.c_str(), &end, 10);
    if (e.port.empty() || *end || p > 65535)
        throw UsageError("--gdb " + hp + ": the port must be a number from 0 to 65535");
    return e;
}

std::string format_address(const sockaddr_storage& ss) {
    char host[NI_MAXHOST], port[NI_MAXSERV];
    if (getnameinfo(reinterpret_cast<const sockaddr*>(&ss), sizeof ss, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return "?";
    return ss.ss_family == AF_INET6 ? "[" + std::string(host) + "]:" + port : std::string(host) + ":" + port;
}

}  // namespace

Connection::Connection(const std::string& hp) {
    Endpoint want = parse_hostport(hp);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    addrinfo* res = nullptr;
    if (int rc = getaddrinfo(want.host.c_str(), want.port.c_str(), &hints, &res); rc != 0)
        throw UsageError("--gdb " + hp + ": cannot resolve " + want.host + ": " + gai_strerror(rc));
    int err = 0;
    for (auto* ai = res; ai; ai = ai->ai_next) {
        int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // restart at once after a run
        if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 1) == 0) {
            listen_fd_ = fd;
            break;
        }
        err = errno;
        ::close(fd);
    }
    freeaddrinfo(res);
    if (listen_fd_ < 0)
        throw std::system_error(err, std::generic_category(), "--gdb: cannot listen on " + want.host + ":" + want.port);
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len);
    bound_ = format_address(ss);  // with the real port when :0 asked for any free one
}

void Connection::accept_one() {
    int fd;
    do fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "--gdb: accept on " + bound_);
    ::close(listen_fd_);  // one client: later connections are refused rather than left hanging
    listen_fd_ = -1;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // packets are small and interactive
    conn_ = fd;
}

bool Connection::send_raw(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(conn_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(size_t(n));
    }
    return true;
}

std::optional<rsp::Event> Connection::next_event() {
    while (inbox_.empty()) {
        char buf[4096];
        ssize_t n = ::recv(conn_, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return std::nullopt;
        for (auto& e : decoder_.feed(std::string_view(buf, size_t(n)))) inbox_.push_back(std::move(e));
    }
    auto e = std::move(inbox_.front());
    inbox_.pop_front();
    return e;
}

// Send and wait for gdb's '+'; a '-' asks for the packet again.
bool Connection::send_packet(std::string_view payload) {
    std::string framed = rsp::frame(payload);
    for (int attempt = 0; attempt < 8; ++attempt) {
        if (!send_raw(framed)) return false;
        for (;;) {
            auto e = next_event();
            if (!e) return false;
            if (e->kind == rsp::Event::Ack) return true;
            if (e->kind == rsp::Event::Nack) break;
            if (e->kind == rsp::Event::Packet || e->kind == rsp::Event::BadChecksum) {
                inbox_.push_front(std::move(*e));  // gdb moved on: treat as acknowledged
                return true;
            }
            // Interrupt: the target is already stopped.
        }
    }
    return false;
}

std::optional<std::string> Connection::next_packet() {
    for (;;) {
        auto e = next_event();
        if (!e) return std::nullopt;
        if (e->kind == rsp::Event::BadChecksum) {
            if (!send_raw("-")) return std::nullopt;
        } else if (e->kind == rsp::Event::Packet) {
            if (!send_raw("+")) return std::nullopt;
            return std::move(e->payload);
        }
    }
}

Connection::~Connection() {
    close();
    if (listen_fd_ >= 0) ::close(listen_fd_);
}

void Connection::close() {
    if (conn_ >= 0) ::close(conn_);
    conn_ = -1;
}

}  // namespace lstar::gdb
