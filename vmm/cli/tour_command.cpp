#include "cli/tour_command.hpp"

#include <unistd.h>

#include <iostream>

#include "common/named.hpp"
#include "event_abi.hpp"
#include "tour/runs.hpp"

namespace lstar::cli {

CLI::App* add_tour_command(CLI::App& app, tour::TourOptions& o) {
    auto* t = app.add_subcommand("tour", "the study notes' questions about system calls, each answered from runs "
                                         "made now, with pictures drawn from them (docs/tour.md)");
    t->fallthrough();
    t->add_option("stops", o.stops, "the stops to show, by number or name (default: all; --list names them)")
        ->type_name("STOP...");
    t->add_flag("--list", o.list, "list the stops and their questions, run nothing");
    t->add_option("--out", o.out_dir, "also write DIR/tour.md and the pictures (DIR/tour/*.svg, *.png, from dot)")
        ->type_name("DIR");
    t->add_option("--entry", o.entry, "the entry mode of the tour's main run (the pti run is always made too)")
        ->check(CLI::IsMember(names_of(abi::kEntryModes)))
        ->capture_default_str();
    t->add_option("--logs", o.logs_dir, "keep each run's exit log as DIR/KEY.jsonl (an existing directory)")
        ->check(CLI::ExistingDirectory)
        ->type_name("DIR");
    t->footer("Examples:\n  lstar tour --list\n  lstar tour 3          STAR's selectors and the GDT\n"
              "  lstar tour --out docs  regenerate docs/tour.md and its pictures\n"
              "Without a usable /dev/kvm, scripts/tour runs the tour inside the nested AMD-V tier.\n");
    return t;
}

int tour_main(tour::TourOptions o) {
    char exe[4096];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        std::cerr << "lstar tour: cannot find this program's own path (/proc/self/exe)\n";
        return 70;
    }
    o.exe.assign(exe, size_t(n));
    std::cout.flush();
    try {
        return tour::run_tour(o);
    } catch (const Error& e) {
        std::cout.flush();
        std::cerr << "lstar: " << e.message() << "\n";
        if (e.status() == status::kKvmUnavailable)
            std::cerr << "lstar: without a usable /dev/kvm, scripts/tour runs the tour inside the nested AMD-V tier "
                         "(QEMU TCG emulating AMD-V)\n";
        return e.status();
    }
}

}  // namespace lstar::cli
