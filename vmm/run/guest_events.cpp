#include "run/guest_events.hpp"

#include <cstring>

#include "common/json.hpp"

namespace lstar {

namespace {

BadEvent wrong_size(const abi::EventHeader& h, size_t expected) {
    return BadEvent{"event type " + std::to_string(h.type) + " has size " + std::to_string(h.size) + ", expected " +
                    std::to_string(expected)};
}

template <class T>
std::variant<GuestEvent, BadEvent> fixed(const GuestMemory& mem, uint64_t gpa, const abi::EventHeader& h) {
    if (h.size != sizeof(T)) return wrong_size(h, sizeof(T));
    return GuestEvent{mem.read<T>(gpa)};
}

// A string field of a record: up to the first NUL, never past the field.
std::string bounded(const char* s, size_t max) { return std::string(s, strnlen(s, max)); }

}  // namespace

std::variant<GuestEvent, BadEvent> read_guest_event(const GuestMemory& mem, uint64_t gpa) {
    if (!mem.contains(gpa, sizeof(abi::EventHeader)))
        return BadEvent{"event record at " + hex(gpa) + " lies outside guest RAM"};
    auto h = mem.read<abi::EventHeader>(gpa);
    if (h.magic != abi::kEventMagic) return BadEvent{"event record at " + hex(gpa) + " has bad magic " + hex(h.magic)};
    if (h.size < sizeof h || h.size > abi::kEventMaxSize)
        return BadEvent{"event record at " + hex(gpa) + " has impossible size " + std::to_string(h.size)};
    if (!mem.contains(gpa, h.size))
        return BadEvent{"event record at " + hex(gpa) + " (" + std::to_string(h.size) + " bytes) runs past guest RAM"};
    switch (abi::EventType(h.type)) {
    case abi::EventType::SyscallEnter: return fixed<abi::SyscallEnterEvent>(mem, gpa, h);
    case abi::EventType::SyscallExit: return fixed<abi::SyscallExitEvent>(mem, gpa, h);
    case abi::EventType::Exception: return fixed<abi::ExceptionEvent>(mem, gpa, h);
    case abi::EventType::ConsoleWrite: return fixed<abi::ConsoleWriteEvent>(mem, gpa, h);
    case abi::EventType::Shutdown: return fixed<abi::ShutdownEvent>(mem, gpa, h);
    case abi::EventType::ConsoleRead: return fixed<abi::ConsoleReadEvent>(mem, gpa, h);
    case abi::EventType::UserEnter: {
        if (h.size != sizeof(abi::UserEnterEvent)) return wrong_size(h, sizeof(abi::UserEnterEvent));
        auto raw = mem.read<abi::UserEnterEvent>(gpa);
        return GuestEvent{UserEnter{raw, bounded(raw.name, sizeof raw.name)}};
    }
    case abi::EventType::Log: {
        if (h.size != sizeof(abi::LogEvent)) return wrong_size(h, sizeof(abi::LogEvent));
        auto ev = mem.read<abi::LogEvent>(gpa);
        if (ev.len > abi::kLogMax)
            return BadEvent{"log record claims " + std::to_string(ev.len) + " bytes; at most " +
                            std::to_string(abi::kLogMax) + " fit"};
        return GuestEvent{LogText{ev.level, std::string(ev.text, ev.len)}};
    }
    }
    return BadEvent{"event record at " + hex(gpa) + " has unknown type " + std::to_string(h.type)};
}

const char* event_name(const GuestEvent& e) {
    static const char* kNames[] = {"syscall_enter", "syscall_exit", "exception", "console_write",
                                   "user_enter", "log", "shutdown", "console_read"};
    return kNames[e.index()];
}

}  // namespace lstar
