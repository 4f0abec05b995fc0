// The kind of KVM a run was on, taken from the run's own setup record, and what that kind must
// show: tests assert the label of the kind they run on, never one host's quirk. kvm_amd resets the
// vCPU on SHUTDOWN, so its triple-fault reports show the last registers lstar saw, labelled;
// kvm_intel and kvm_pvm keep the fault's. Hardware KVM enters the kernel on SYSCALL by itself;
// kvm_pvm needs the #PF shim.
#pragma once
#include <string>

#include "lstar_process.hpp"

namespace lstar::test {

// "kvm_amd", "kvm_intel", "kvm_pvm", "unknown": the host_kvm of the run's setup record.
std::string host_kvm(const Result& r);

// True when this run's KVM resets the vCPU on SHUTDOWN (kvm_amd).
bool resets_on_shutdown(const Result& r);

// True on VT-x and AMD-V (kvm_intel, kvm_amd): SYSCALL switches to CPL 0 itself, no shim runs.
bool hardware_kvm(const Result& r);

// A run that ended in a triple fault: the fault and end records carry the label this KVM must
// get, the registers shown are the ones lstar saw at the exit the label names, and a reset is
// said on stderr (doctest checks).
void check_shutdown_registers(const Result& r);

}  // namespace lstar::test
