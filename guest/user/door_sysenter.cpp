// door_sysenter: the third door, and it depends on the CPU. SYSENTER (IA32_SYSENTER_CS/EIP/ESP)
// is valid in 64-bit mode on Intel CPUs and #UD on AMD CPUs. The program says which vendor it runs
// on (CPUID leaf 0) and what happened:
//  - Intel: the kernel's entry_SYSENTER_compat ran getpid (i386 number 20) and returned with iretq;
//  - #UD: lstar's kernel reports it and resumes after the instruction with RAX = -ENOSYS.
// lstar's SYSENTER convention (SYSENTER saves no return address): RCX = our RSP, RDX = where to
// come back, the registers SYSEXIT would reload (see guest/kernel/entry_64.S).
#include "ulib.hpp"

namespace {

long sysenter_getpid() {
    long ret;
    asm volatile("leaq 1f(%%rip), %%rdx\n\t"
                 "movq %%rsp, %%rcx\n\t"
                 "sysenter\n"
                 "1:"
                 : "=a"(ret)
                 : "a"(lstar::nr32::kGetpid)
                 : "rcx", "rdx", "memory");
    return ret;
}

}  // namespace

int main() {
    unsigned a, b, c, d;
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
    const unsigned regs[3] = {b, d, c};  // "GenuineIntel", "AuthenticAMD": EBX, EDX, ECX
    char vendor[13];
    for (int i = 0; i < 12; i++) vendor[i] = char(regs[i / 4] >> (8 * (i % 4)));
    vendor[12] = 0;
    const bool amd = vendor[0] == 'A';  // AuthenticAMD
    user::Line l;
    l << "sysenter: CPU vendor " << vendor << "\n";
    const long r = sysenter_getpid();
    if (r == -lstar::err::kENOSYS)
        l << "sysenter: #UD, the kernel returned -ENOSYS"
          << (amd ? " (AMD CPUs do not support SYSENTER in 64-bit mode)\n" : "\n");
    else
        l << "sysenter: entered the kernel at SYSENTER_EIP, getpid() = " << r << "\n";
    user::write(1, l.buf, l.n);
    return 0;
}
