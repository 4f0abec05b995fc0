#include "kvm/system.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <algorithm>

#include "kvm/ioctl.hpp"
#include "kvm/missing.hpp"
#include "kvm/uapi.hpp"

namespace lstar::kvm {

#define CAP(x) Capability{x, #x}
const std::vector<Capability> kRequiredCapabilities = {
    CAP(KVM_CAP_USER_MEMORY),     // guest RAM from our own mapping
    CAP(KVM_CAP_EXT_CPUID),       // KVM_GET_SUPPORTED_CPUID / KVM_SET_CPUID2: long mode needs CPUID
    CAP(KVM_CAP_IMMEDIATE_EXIT),  // --timeout and Ctrl-C stop KVM_RUN without a race
    CAP(KVM_CAP_SYNC_REGS),       // registers come back with each exit, without an ioctl
};
#undef CAP

static bool module_loaded(const char* name) {
    struct stat st;
    return ::stat((std::string("/sys/module/") + name).c_str(), &st) == 0;
}

HostKind detect_host_kind() {
    if (module_loaded("kvm_intel")) return {"kvm_intel", true, "kvm_intel (Intel VT-x hardware virtualization)"};
    if (module_loaded("kvm_amd")) return {"kvm_amd", true, "kvm_amd (AMD-V hardware virtualization)"};
    if (module_loaded("kvm_pvm"))
        return {"kvm_pvm", false,
                "kvm_pvm (software virtualization: ring-0 guest code runs in KVM's instruction emulator, "
                "SYSCALL does not switch to CPL 0)"};
    return {"unknown", false, "unknown KVM implementation"};
}

System::System(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        std::string why = std::strerror(e);
        // ENXIO/ENODEV: a device node with no driver behind it, as good as none.
        if (e == ENOENT || e == ENXIO || e == ENODEV)
            throw KvmUnavailable(path + ": " + why + "; " + explain_missing_device(path, probe_kvm_modules()));
        if (e == EACCES || e == EPERM)
            throw KvmUnavailable(path + ": " + why + " (run as root or add yourself to the 'kvm' group: "
                                 "`sudo usermod -aG kvm $USER`, then log in again)");
        throw KvmUnavailable(path + ": " + why);
    }
    fd_ = Fd(fd);
    api_version_ = raw_ioctl(fd, KVM_GET_API_VERSION, 0);
    if (api_version_ != KVM_API_VERSION)
        throw KvmUnavailable(path + ": KVM_GET_API_VERSION returned " + std::to_string(api_version_) +
                             ", lstar needs " + std::to_string(KVM_API_VERSION));
}

int System::check_extension(int cap) const { return raw_ioctl(fd_.get(), KVM_CHECK_EXTENSION, cap); }

void System::require(const std::vector<Capability>& caps) const {
    for (const auto& c : caps)
        if (check_extension(c.id) <= 0)
            throw KvmUnavailable(std::string("this KVM lacks the capability ") + c.name + " that lstar needs");
}

int System::vcpu_mmap_size() const { return KVM_CHECKED(fd_.get(), KVM_GET_VCPU_MMAP_SIZE, 0); }

std::vector<kvm_cpuid_entry2> System::supported_cpuid() const {
    // KVM_GET_SUPPORTED_CPUID fails with E2BIG until the buffer is large enough.
    for (unsigned n = 64; n <= 4096; n *= 2) {
        uapi::FlexBuffer<uapi::CpuidHeader, kvm_cpuid_entry2> buf(n);
        buf.header()->nent = n;
        if (raw_ioctl(fd_.get(), uapi::kGetSupportedCpuid, buf.data()) == 0)
            return std::vector<kvm_cpuid_entry2>(buf.entries(), buf.entries() + std::min(buf.header()->nent, n));
        if (errno != E2BIG) throw std::system_error(errno, std::generic_category(), "KVM_GET_SUPPORTED_CPUID");
    }
    throw std::system_error(E2BIG, std::generic_category(), "KVM_GET_SUPPORTED_CPUID");
}

}  // namespace lstar::kvm
