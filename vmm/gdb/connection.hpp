// The one TCP connection to gdb: listening on HOST:PORT, accepting a single client, and packets
// with their acknowledgements (rsp.hpp does the framing).
#pragma once
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "gdb/rsp.hpp"

namespace lstar::gdb {

class Connection {
public:
    // Listens on "HOST:PORT" or ":PORT" (127.0.0.1). Throws UsageError or
    // std::system_error naming the address.
    explicit Connection(const std::string& hostport);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    const std::string& address() const { return bound_; }  // the real port when :0 was asked for
    void accept_one();                                       // blocks; later clients are refused
    int fd() const { return conn_; }
    bool is_open() const { return conn_ >= 0; }
    void close();

    // False when gdb went away.
    bool send_raw(std::string_view bytes);
    bool send_packet(std::string_view payload);  // and wait for '+', resending on '-'
    std::optional<std::string> next_packet();    // acknowledged; nullopt when gdb went away

private:
    std::optional<rsp::Event> next_event();

    std::string bound_;
    int listen_fd_ = -1;
    int conn_ = -1;
    rsp::Decoder decoder_;
    std::deque<rsp::Event> inbox_;
};

}  // namespace lstar::gdb
