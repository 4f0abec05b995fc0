// Small readers the stops share: a GDT entry's name from the setup record, a signed return
// value, the steps of a traced entry path. Each takes what the exit log holds and nothing else.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/fmt/fmt.h>

#include "common/hex.hpp"
#include "tour/runs.hpp"

namespace lstar::tour {

using fmt::format;

// The name the setup record gives the GDT entry a selector indexes ("?" when none).
std::string gdt_name(const Json& setup, uint64_t selector);
// A syscall_exit's "ret" as the signed value the program sees.
int64_t signed_ret(const Json& exit_event);
// One traced step as a short line: "step  CR3  RSP  sym  insn".
std::string step_line(const Json& step);
// The first step whose symbol starts with `prefix`, from index `from`; steps.size() when none.
size_t find_step(const std::vector<Json>& steps, const std::string& prefix, size_t from = 0);
// The steps of the first traced call only (the tracer numbers each call's steps from 1).
std::vector<Json> first_call_steps(const Run& r);
// A symbol as the log gives it, or "" when it is only the nearest one far below the address
// ("task_stack_top+0x34ffffffb000" names nothing there).
std::string near_sym(const std::string& sym);
// A line of the guest's stdout that starts with `prefix` ("" when none).
std::string out_line(const Run& r, const std::string& prefix);

}  // namespace lstar::tour

namespace lstar::tour {

// A stop whose runs lack a record it needs (a KVM where the tracer cannot step, a guest that
// stopped early): the tour says which and goes on to the next stop, never answering from nothing.
struct Missing : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// A copy of `j` (callers bind it to a const reference), or Missing("what") when it is null or empty.
Json need(const Json& j, const std::string& what);

}  // namespace lstar::tour
