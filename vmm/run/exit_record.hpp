// One exit-log record for one VM exit (docs/exit-log.md, type "exit"). Its own file so that the
// exit-log throughput benchmark (bench/exit_log_throughput.cpp) encodes exactly what a run does.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "kvm/exit.hpp"

namespace lstar {

// seq: the exit's number; t_ns: since the first KVM_RUN; sym: the symbol at RIP ("" if none);
// note: the dispatcher's note ("" if none).
std::string exit_record(uint64_t seq, uint64_t t_ns, const VmExit& e, std::string_view sym, std::string_view note);

}  // namespace lstar
