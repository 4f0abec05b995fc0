// Where each exit is decided, in one place and in one order (docs/architecture.md):
//   1. the hooks, gdb then the tracer: they own debug exits (and gdb its Ctrl-C);
//   2. the I/O bus, on which the devices registered their ports and MMIO ranges;
//   3. the dispatcher (run/dispatcher.hpp) for everything else: lstar's own ports, HLT, MSRs,
//      shutdowns, signals, unknown exits.
#pragma once
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "devices/io_bus.hpp"
#include "kvm/exit.hpp"
#include "kvm/exit_action.hpp"

namespace lstar {

// A hook claims an exit (claims), the run loop logs the exit with the hook's note, then lets the
// hook handle it (handle), which says whether the run goes on.
struct ExitHook {
    std::function<bool(const VmExit&)> claims;
    std::function<std::string(const VmExit&)> note;  // for the exit's record: "" when routine
    std::function<bool(const VmExit&)> handle;       // false: the run ends (killed from gdb)
};

class ExitRouter {
public:
    void add_hook(ExitHook hook) { hooks_.push_back(std::move(hook)); }
    devices::IoBus& bus() { return bus_; }

    // The hook that claims the exit, or the decision about it.
    std::variant<const ExitHook*, Decision> route(const VmExit& exit) const;

private:
    std::vector<ExitHook> hooks_;
    devices::IoBus bus_;
};

}  // namespace lstar
