// Human-readable decoders for the hardware structures in shared/x86/*.hpp, used by the logs and
// the start-up table. Each is the inverse of an encoder there; tests/unit checks the round trips.
#pragma once
#include <cstdint>
#include <string>

#include "x86/descriptor.hpp"

namespace lstar::x86 {

std::string describe_descriptor(uint64_t desc);  // "code DPL0 L=1 D=0 G=1 P=1 base=0x0 limit=0xfffff"
std::string describe_system_descriptor(SystemDescriptor d);  // "TSS64 (busy) base=... limit=0x67 P=1 DPL0"
std::string describe_gate(Gate g);               // "interrupt gate sel=0x10 off=0x... DPL3 IST1 P=1"
std::string describe_star(uint64_t star);        // "SYSCALL CS=0x10 SS=0x18; SYSRET CS=0x33 SS=0x2b (32-bit CS=0x23)"
std::string describe_efer(uint64_t efer);        // "SCE LME LMA NXE"
std::string describe_rflags(uint64_t rflags);    // "IF TF IOPL=3 ..."  (named set bits)
std::string describe_cr0(uint64_t cr0);
std::string describe_cr4(uint64_t cr4);
std::string describe_pte(uint64_t entry);        // "P W U NX addr=0x..."
std::string describe_pf_error(uint64_t code);    // "P|W|U|I" style: "present write user ifetch"
std::string describe_selector_error(uint64_t code);  // #GP/#TS/#NP error: "GDT index 6 (0x30)" / "IDT vector 13" / "none"
// The error code of an exception, decoded: "0x6 (write user)" for #PF, the selector for
// #TS/#NP/#SS/#GP/#AC, "none" when the vector pushes none.
std::string decode_error_code(uint64_t vector, uint64_t code, bool has_code);

}  // namespace lstar::x86
