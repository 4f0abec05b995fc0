#include "cpu/msr_rules.hpp"

#include "cpu/decode.hpp"
#include "x86/msr.hpp"

namespace lstar::x86 {

const std::vector<uint32_t>& syscall_msrs() {
    static const std::vector<uint32_t> v = {kMsrEfer,   kMsrStar,   kMsrLstar,        kMsrCstar,
                                            kMsrSyscallMask, kMsrFsBase, kMsrGsBase, kMsrKernelGsBase,
                                            kMsrSysenterCs,  kMsrSysenterEsp, kMsrSysenterEip};
    return v;
}

const char* msr_name(uint32_t index) {
    switch (index) {
    case kMsrEfer: return "IA32_EFER";
    case kMsrStar: return "IA32_STAR";
    case kMsrLstar: return "IA32_LSTAR";
    case kMsrCstar: return "IA32_CSTAR";
    case kMsrSyscallMask: return "IA32_FMASK";
    case kMsrFsBase: return "IA32_FS_BASE";
    case kMsrGsBase: return "IA32_GS_BASE";
    case kMsrKernelGsBase: return "IA32_KERNEL_GS_BASE";
    case kMsrSysenterCs: return "IA32_SYSENTER_CS";
    case kMsrSysenterEsp: return "IA32_SYSENTER_ESP";
    case kMsrSysenterEip: return "IA32_SYSENTER_EIP";
    default: return nullptr;
    }
}

bool msr_holds_address(uint32_t index) {
    switch (index) {
    case kMsrLstar:
    case kMsrCstar:
    case kMsrFsBase:
    case kMsrGsBase:
    case kMsrKernelGsBase:
    case kMsrSysenterEsp:
    case kMsrSysenterEip: return true;
    default: return false;
    }
}

std::optional<std::string> wrmsr_fault(uint32_t index, uint64_t value, uint64_t cr0, uint64_t efer) {
    if (msr_holds_address(index) && !is_canonical(value))
        return std::string(msr_name(index)) + " must hold a canonical address";
    if (index == kMsrEfer) {
        // LMA is set by the CPU; writes of it are ignored, so it is not "reserved". SVME,
        // LMSLE, FFXSR and TCE are not offered to lstar's guests.
        uint64_t allowed = kEferSce | kEferLme | kEferLma | kEferNxe;
        if (value & ~allowed) return "EFER: reserved or unsupported bits " + describe_efer(value & ~allowed);
        if ((cr0 & kCr0Pg) && ((value ^ efer) & kEferLme)) return "EFER.LME cannot change while paging is enabled";
    }
    if (index == kMsrSyscallMask && (value >> 32)) return "IA32_FMASK bits 63:32 are reserved";
    return std::nullopt;
}

std::string describe_msr_value(uint32_t index, uint64_t value) {
    switch (index) {
    case kMsrEfer: return describe_efer(value);
    case kMsrStar: return describe_star(value);
    case kMsrSyscallMask: return "cleared on SYSCALL: " + describe_rflags(value);
    default: return "";
    }
}

}  // namespace lstar::x86
