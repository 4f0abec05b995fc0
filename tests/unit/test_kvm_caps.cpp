// A KVM without a capability lstar needs is refused by name, before any VM exists. Opens
// /dev/kvm only to ask KVM_CHECK_EXTENSION (skipped without it): no VM, no vCPU.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include "kvm/system.hpp"

TEST_CASE("a missing KVM capability is named in the error (status 69's message)") {
    int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        MESSAGE("no usable /dev/kvm: skipped");
        return;
    }
    ::close(fd);
    lstar::kvm::System sys("/dev/kvm");
    CHECK_NOTHROW(sys.require(lstar::kvm::kRequiredCapabilities));
    try {
        sys.require({{100000, "KVM_CAP_NOBODY_HAS_THIS"}});
        FAIL("expected KvmUnavailable");
    } catch (const lstar::kvm::KvmUnavailable& e) {
        CHECK(std::string(e.what()).find("lacks the capability KVM_CAP_NOBODY_HAS_THIS") != std::string::npos);
    }
}
