// The variable-length KVM ioctl arguments, declared here rather than taken from <linux/kvm.h>.
//
// Why: linux-libc-dev 6.1 declares their arrays with __DECLARE_FLEX_ARRAY, which in C++ places an
// empty struct (size 1, not 0 as in C) before the array. That moves the array (kvm_msrs.entries to
// offset 16, kvm_cpuid2.entries to 12) and changes sizeof, and the ioctl numbers encode sizeof:
// KVM then answers EINVAL. The kernel's layout is an 8-byte header followed by the entries.
#pragma once
#include <linux/kvm.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lstar::kvm::uapi {

struct CpuidHeader {  // struct kvm_cpuid2 without its entries
    uint32_t nent;
    uint32_t padding;
};
struct MsrsHeader {  // struct kvm_msrs without its entries
    uint32_t nmsrs;
    uint32_t pad;
};
static_assert(sizeof(CpuidHeader) == 8 && sizeof(MsrsHeader) == 8);

inline constexpr unsigned long kGetSupportedCpuid = _IOWR(KVMIO, 0x05, CpuidHeader);
inline constexpr unsigned long kSetCpuid2 = _IOW(KVMIO, 0x90, CpuidHeader);
inline constexpr unsigned long kGetMsrs = _IOWR(KVMIO, 0x88, MsrsHeader);
inline constexpr unsigned long kSetMsrs = _IOW(KVMIO, 0x89, MsrsHeader);

// A header followed by n entries, laid out as the kernel expects.
template <class Header, class Entry>
class FlexBuffer {
public:
    explicit FlexBuffer(size_t n) : words_((sizeof(Header) + n * sizeof(Entry) + 7) / 8) {}
    Header* header() { return reinterpret_cast<Header*>(words_.data()); }
    Entry* entries() { return reinterpret_cast<Entry*>(reinterpret_cast<char*>(words_.data()) + sizeof(Header)); }
    void* data() { return words_.data(); }

private:
    std::vector<uint64_t> words_;  // 8-byte aligned, zeroed
};

}  // namespace lstar::kvm::uapi
