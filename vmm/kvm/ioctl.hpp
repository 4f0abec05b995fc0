// Two ioctl wrappers, as the KVM selftests' vcpu_ioctl(): a raw one that returns what the kernel
// said, and a checked one that throws std::system_error carrying the ioctl's name.
#pragma once
#include <sys/ioctl.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace lstar::kvm {

template <class... Args>
int raw_ioctl(int fd, unsigned long request, Args... args) {
    return ::ioctl(fd, request, args...);
}

// Throws on a negative return; returns the (non-negative) result.
template <class... Args>
int checked_ioctl(int fd, unsigned long request, const char* name, Args... args) {
    int r = ::ioctl(fd, request, args...);
    if (r < 0) throw std::system_error(errno, std::generic_category(), std::string(name));
    return r;
}

}  // namespace lstar::kvm

// Call sites name the ioctl once: KVM_CHECKED(fd, KVM_CREATE_VM, 0).
#define KVM_CHECKED(fd, req, ...) ::lstar::kvm::checked_ioctl((fd), (req), #req __VA_OPT__(, ) __VA_ARGS__)
