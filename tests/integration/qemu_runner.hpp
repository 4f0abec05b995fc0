// Run lstar's kernel image under QEMU's TCG, the reference CPU (SYSCALL, INT gates, SYSENTER as
// the manuals say), through the image's PVH entry: `-M microvm -kernel kernel.elf`, COM1 on a
// pipe, exit through isa-debug-exit.
#pragma once
#include <string>
#include <vector>

namespace lstar::test {

struct QemuResult {
    bool ran = false;      // qemu-system-x86_64 started and ended by itself (no timeout)
    int qemu_status = -1;  // QEMU's exit status: (guest status << 1) | 1 through isa-debug-exit
    int status = -1;       // the guest's own exit status, decoded; -1 if QEMU did not exit that way
    std::string console;   // COM1 with the kernel's "<N>" log-level prefixes removed: what lstar
                           // prints on stdout for the same run (program output and kernel log)
    std::string out;       // COM1 without the kernel's log lines: what the program wrote
    std::string klog;      // the kernel's log lines ("<N>text" on COM1), prefixes removed
    std::string err;       // QEMU's stderr
    std::string com1;      // COM1 as it came
};

// True when qemu-system-x86_64 is installed.
bool qemu_available();
// In a test case: true when QEMU is there. Without it the case fails under CI=true, and otherwise
// says what it skips (`what`) and returns false.
bool have_qemu(const char* what = "the QEMU half");

// Boots build/guest/kernel.elf with `-append CMDLINE` and `-cpu CPU` (and `-initrd FILE` when
// given: PVH's first module); stops it after timeout_s.
QemuResult run_qemu(const std::string& cmdline, const std::string& cpu = "max", int timeout_s = 60,
                    const std::string& initrd = "");

// Boots any KERNEL with `-M microvm -accel ACCEL -kernel KERNEL -append CMDLINE` and extra arguments
// (-initrd, ...): foreign PVH and multiboot kernels, and Linux (ACCEL "kvm" where TCG inside the
// nested tier would take minutes).
QemuResult run_qemu_kernel(const std::string& kernel, const std::string& cmdline,
                           const std::vector<std::string>& extra = {}, int timeout_s = 60,
                           const std::string& accel = "tcg");

}  // namespace lstar::test
