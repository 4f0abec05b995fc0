// `lstar run --timings`: where a run's wall time goes, stage by stage (bench: cold start), and
// what the monitor's memory costs beside the guest's RAM (bench: memory; VmHWM and RssAnon). Off by default: every
// mark() is then one branch.
#pragma once
#include <cstdint>
#include <string>

namespace lstar::timings {

void enable();                 // from main(), first thing: the clock starts there
void mark(const char* stage);  // the stage that just ended (a string literal)
// The guest RAM the run touched, counted with mincore() while it is still mapped.
void note_guest_ram(const void* base, uint64_t size);
// One line for stderr: each stage in ms, the total since main(), guest RAM touched, peak RSS.
std::string report();
bool enabled();
// /proc/self/status, opened by enable() (-1 when off): the seccomp filter lets report() pread it.
int status_fd();

}  // namespace lstar::timings
