// Decoding the guest's event records (shared/event_abi.hpp). A record is hostile input: its
// address, magic, type, size and string lengths are all checked before a field is used.
#pragma once
#include <cstdint>
#include <string>
#include <variant>

#include "event_abi.hpp"
#include "memory/guest_memory.hpp"

namespace lstar {

struct LogText {
    uint32_t level;
    std::string text;
};
struct UserEnter {
    abi::UserEnterEvent raw;
    std::string name;
};

using GuestEvent = std::variant<abi::SyscallEnterEvent, abi::SyscallExitEvent, abi::ExceptionEvent,
                                abi::ConsoleWriteEvent, UserEnter, LogText, abi::ShutdownEvent, abi::ConsoleReadEvent>;

struct BadEvent {
    std::string why;  // "record at 0x... lies outside guest RAM", "bad magic 0x...", ...
};

std::variant<GuestEvent, BadEvent> read_guest_event(const GuestMemory& mem, uint64_t gpa);

const char* event_name(const GuestEvent& e);  // "syscall_enter", ...

}  // namespace lstar
