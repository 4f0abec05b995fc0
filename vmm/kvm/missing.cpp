#include "kvm/missing.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace lstar::kvm {

namespace {
bool exists(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0;
}
}  // namespace

KvmModules probe_kvm_modules(const std::string& root) {
    KvmModules m;
    m.kvm = exists(root + "/sys/module/kvm");
    m.kvm_intel = exists(root + "/sys/module/kvm_intel");
    m.kvm_amd = exists(root + "/sys/module/kvm_amd");
    m.kvm_pvm = exists(root + "/sys/module/kvm_pvm");
    std::ifstream misc(root + "/proc/misc");
    m.misc_readable = bool(misc);
    std::string line;
    while (std::getline(misc, line)) {  // "232 kvm"
        std::istringstream in(line);
        int minor;
        std::string name;
        if (in >> minor >> name && name == "kvm") m.misc_minor = minor;
    }
    return m;
}

std::string explain_missing_device(const std::string& path, const KvmModules& m) {
    if (m.misc_minor)
        return "a KVM module has registered its device (minor " + std::to_string(*m.misc_minor) +
               " in /proc/misc), but there is no device at " + path + ": the kvm module's device is /dev/kvm; "
               "if that is missing too, `sudo mknod /dev/kvm c 10 " + std::to_string(*m.misc_minor) +
               " && sudo chgrp kvm /dev/kvm && sudo chmod 660 /dev/kvm`";
    // kvm_pvm present, and no KVM device registered: the module refused to bind because this kernel
    // itself runs under kvm_pvm (dmesg: "kvm-pvm: this kernel is itself a kvm-pvm guest").
    if (m.kvm_pvm && m.misc_readable && !m.kvm_intel && !m.kvm_amd)
        return "this machine is itself a PVM guest: it cannot run VMs directly (kvm_pvm is loaded but "
               "registered no kvm device in /proc/misc); use the nested tier: scripts/hwkvm run -- lstar run ...";
    if (!m.kvm && !m.kvm_intel && !m.kvm_amd && !m.kvm_pvm)
        return "no kvm module is loaded: load kvm_intel or kvm_amd (`sudo modprobe kvm_intel` on Intel, "
               "`sudo modprobe kvm_amd` on AMD; VT-x or AMD-V must be enabled in the firmware)";
    if (!m.kvm_intel && !m.kvm_amd && !m.kvm_pvm)
        return "the kvm module is loaded but neither kvm_intel nor kvm_amd is: load the one for this CPU "
               "(`sudo modprobe kvm_intel` or `sudo modprobe kvm_amd`); if that fails, VT-x or AMD-V is off in "
               "the firmware or missing (`grep -cE 'vmx|svm' /proc/cpuinfo`)";
    std::string loaded = m.kvm_intel ? "kvm_intel" : m.kvm_amd ? "kvm_amd" : "kvm_pvm";
    if (!m.misc_readable)
        return "the kvm module is loaded (" + loaded + "), /proc/misc could not be read to tell whether it "
               "registered a device; is " + path + " the right path? (the kvm module's device is /dev/kvm)";
    return "the kvm module is loaded (" + loaded + ") but registered no kvm device in /proc/misc: it failed "
           "to initialise (see `dmesg | grep -i kvm`)";
}

}  // namespace lstar::kvm
