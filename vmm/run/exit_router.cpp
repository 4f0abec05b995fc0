#include "run/exit_router.hpp"

#include "run/dispatcher.hpp"

namespace lstar {

std::variant<const ExitHook*, Decision> ExitRouter::route(const VmExit& exit) const {
    for (const auto& hook : hooks_)
        if (hook.claims(exit)) return &hook;
    if (auto* io = std::get_if<exits::Io>(&exit.kind))
        if (auto d = bus_.io(*io)) return std::move(*d);
    if (auto* mmio = std::get_if<exits::Mmio>(&exit.kind))
        if (auto d = bus_.mmio(*mmio)) return std::move(*d);
    return dispatch(exit);
}

}  // namespace lstar
