// The pieces the syscall decoders share (trace/syscall_decode*.cpp): flag and enum names in
// strace's spelling, and bounded reads of words from guest memory.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>

#include "trace/syscall_format.hpp"

namespace lstar::trace::decode {

struct Bit {
    uint64_t value;  // all of these bits must be set (O_SYNC is two bits)
    const char* name;
};

// Names for the bits of `v` in the order given (strace's), each consuming its bits; what is left
// is appended in hex. `head` is a name already printed (an access mode, a mapping type). With
// `unknown`, a value with no named bit prints as "0x100 /* W??? */", as strace's printflags.
std::string bit_names(uint64_t v, std::initializer_list<Bit> bits, std::string head = "", const char* unknown = nullptr);

// An enum value strace knows by name, else "0x10 /* RLIMIT_??? */".
std::string enum_name(uint64_t v, const char* const* names, size_t n, const char* unknown);

// The same for sparse values (reboot's magic numbers, prctl options).
std::string value_name(uint64_t v, std::initializer_list<Bit> names, const char* unknown);

// n little-endian 64-bit words (32-bit ints) at va, or false when any of them is unreadable.
bool read_words(const MemReader& read, uint64_t va, uint64_t* out, size_t n);
bool read_ints(const MemReader& read, uint64_t va, uint32_t* out, size_t n);

std::string address(uint64_t va);  // "NULL" or "0x7ffd1000"

}  // namespace lstar::trace::decode
