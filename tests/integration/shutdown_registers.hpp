// Which registers a triple fault's report shows depends on the kind of KVM: kvm_amd resets the
// vCPU on SHUTDOWN, so its reports show the last registers lstar saw, labelled; kvm_intel and
// kvm_pvm keep the fault's. These checks assert the label of the kind the tests run on.
#pragma once
#include "lstar_process.hpp"

namespace lstar::test {

// True when this host's KVM resets the vCPU on SHUTDOWN (kvm_amd, on AMD hardware and the nested tier).
inline bool resets_on_shutdown() { return kvm_kind() == "kvm_amd"; }

// A run that ended in a triple fault: the fault and end records carry the label this KVM must
// get, the registers shown are the ones lstar saw at the exit the label names, and a reset is
// said on stderr (doctest checks).
void check_shutdown_registers(const Result& r);

}  // namespace lstar::test
