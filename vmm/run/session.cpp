// One run: the image and the options checked, the VM built (run/vm_builder.cpp), the run loop
// (run/run_loop.cpp) run to its end, and every error a layer throws mapped to its exit status.
#include "run/session.hpp"

#include <sstream>

#include <cstdio>
#include <spdlog/spdlog.h>
#include <system_error>

#include "boot/boot_state.hpp"
#include "boot/foreign_boot.hpp"
#include "boot/initrd.hpp"
#include "boot/linux_boot.hpp"
#include "loader/system_map.hpp"
#include "common/error.hpp"
#include "kvm/system.hpp"
#include "run/exit_log.hpp"
#include "run/run_loop.hpp"
#include "run/seccomp.hpp"
#include "run/timings.hpp"
#include "run/vm_builder.hpp"

namespace lstar {

namespace {

// Everything before the run loop that can refuse the run, in order; throws the layers' Errors.
int run_or_throw(const RunOptions& opts) {
    KernelImage image = opts.image ? KernelImage::from_file(*opts.image) : KernelImage::builtin();
    if (!opts.symbols.empty()) {
        std::vector<uint8_t> text;
        try {
            text = read_file(opts.symbols);
        } catch (const std::system_error& e) {
            throw BadImage(e.what(), "--symbols");
        }
        image.linked_symbols = parse_system_map(std::string(text.begin(), text.end()), opts.symbols);
        image.symbols = SymbolTable(image.linked_symbols);  // right without KASLR; moved at the WRMSR of LSTAR
    }
    timings::mark("image");
    BootOptions boot_opts{opts.cmdline};
    boot_opts.guest_events = opts.guest_events;
    boot_opts.entry_mode = opts.entry_mode;
    boot_opts.msr_setup = opts.msr_setup;
    try {
        boot_opts.protocol = choose_protocol(inspect_image(image.file), opts.boot, opts.msr_setup == MsrSetup::Guest);
    } catch (const BadImage& e) {
        throw BadImage(e.what(), "cannot boot " + image.name);
    }
    const bool foreign = is_foreign(boot_opts.protocol);
    // A bzImage moves itself (KASLR) unless told not to: until the slide is known (the guest's
    // WRMSR of LSTAR) link addresses would name the wrong functions, so nothing is named.
    if (boot_opts.protocol == Protocol::Linux && !image.linked_symbols.empty()) {
        std::istringstream words(boot_opts.cmdline);
        bool nokaslr = false;
        for (std::string w; words >> w;) nokaslr = nokaslr || w == "nokaslr";
        if (!nokaslr) image.symbols = SymbolTable();
    }
    if (!foreign && opts.program) boot_opts.program = &*opts.program;
    if (foreign && !opts.cmdline_given) boot_opts.cmdline = "";  // lstar's default init=hello is for its own kernel
    // Multiboot's command line starts with the kernel's path, as GRUB and QEMU pass it.
    if (boot_opts.protocol == Protocol::Multiboot)
        boot_opts.cmdline = image.name + (boot_opts.cmdline.empty() ? "" : " " + boot_opts.cmdline);
    if ((!foreign || boot_opts.protocol == Protocol::Linux) && !opts.modules.empty())
        throw UsageError("--module is for PVH and multiboot kernels; " + image.name + " boots with " +
                         protocol_name(boot_opts.protocol));
    for (const auto& path : opts.modules) {
        try {
            boot_opts.modules.push_back({path, read_file(path)});
        } catch (const std::system_error& e) {
            throw BadImage(e.what(), "cannot read the module");
        }
    }
    std::vector<uint8_t> initrd;
    if (!opts.initrd.empty()) {
        // Linux unpacks a compressed archive itself; lstar checks what it can read.
        initrd = boot_opts.protocol == Protocol::Linux ? load_linux_initrd(opts.initrd) : load_initrd(opts.initrd);
        // Linux gets it in boot_params; a PVH or multiboot kernel gets it as its first module, as QEMU's -initrd; lstar's kernel in BootInfo.
        if (foreign && boot_opts.protocol != Protocol::Linux) boot_opts.modules.insert(boot_opts.modules.begin(), BootModule{opts.initrd, std::move(initrd)});
        else boot_opts.initrd = &initrd;
    }
    std::optional<ExitLog> log;
    log.emplace("", opts.exit_log_limit_mib << 20);  // opened by the run loop, once the run can start
    kvm::System sys(opts.kvm_path);
    sys.require(kvm::kRequiredCapabilities);
    timings::mark("kvm_open");
    int rc;
    {
        auto machine = build_machine(std::move(image), opts.ram_mib << 20, sys, std::move(boot_opts));
        rc = RunLoop(opts, *machine, *log).run();
    }
    timings::mark("teardown");  // the exit log closed (in run()), the VM's descriptors and memory freed
    if (timings::enabled()) {
        std::string report = timings::report();
        std::fwrite(report.data(), 1, report.size(), stderr);
    }
    // A refused call after the run loop (writing the end of the run) still fails the run.
    return seccomp::refused_syscall() >= 0 ? status::kSeccompViolation : rc;
}

}  // namespace

int run_vm(const RunOptions& opts) {
    try {
        return run_or_throw(opts);
    } catch (const Error& e) {  // each layer's error carries its exit status
        spdlog::error("{}", e.message());
        return e.status();
    } catch (const std::exception& e) {  // a bug, or a KVM call that failed unexpectedly
        spdlog::error("{}{}", dynamic_cast<const std::system_error*>(&e) ? "" : "internal error: ", e.what());
        return status::kInternal;
    }
}

}  // namespace lstar
