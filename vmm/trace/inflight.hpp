// The system calls between their entry (the breakpoint at LSTAR) and their return (one at a
// sysretq/iretq), for a kernel that runs several tasks: Linux schedules another process while one
// waits in wait4, and the same iretq also ends interrupts and exceptions. A return is matched to
// its entry from outside by what the CPU shows at both ends, in the same address space (CR3
// without its PCID, NOFLUSH and PTI user bits):
//  1. back to the entry's RCX on the entry's RSP: the plain return;
//  2. into a signal handler whose frame (shared/linux_sigframe.hpp) saved the entry's RCX as its
//     RIP: the call's result is the frame's RAX;
//  3. an rt_sigreturn, which returns wherever its frame says.
// 4. Else an execve, whose success returns in the new program (Linux: in a new address space).
// A return nothing matches is none of a traced call's: a fork child's first `= 0`, an interrupt's
// or an exception's. Threads of one process are told apart by their stacks (rule 1).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "trace/syscall_format.hpp"

namespace lstar::trace {

struct InFlight {
    SyscallCall call{};
    uint64_t ns = 0, wall_ns = 0;        // host clocks at the LSTAR hit (monotonic, realtime)
    uint64_t cr3 = 0, rcx = 0, rsp = 0;  // at the LSTAR hit: the user's CR3, RCX (return RIP), RSP
    // What the line's inputs read from guest memory at the entry, by (address, length): a
    // successful execve leaves no old address space to read its path from at the return.
    std::map<std::pair<uint64_t, size_t>, std::vector<uint8_t>> entry_reads;
};

// CR3 as an address space: the page-table base, without PCID (bits 11:0), PTI's user-half bit
// (12: Linux and lstar keep the user PGD in the page after the kernel's) and NOFLUSH (63).
uint64_t address_space(uint64_t cr3);

class InFlightCalls {
public:
    static constexpr size_t kMax = 4096;  // a hostile guest's blocked tasks cannot grow this further

    // A call entered. Returns one it displaces: the same task's earlier call whose return no
    // breakpoint saw (same address space and RSP), or the oldest beyond kMax.
    std::optional<InFlight> enter(InFlight c);
    // A return to user mode as the CPU is about to make it: CR3, and the user RIP and RSP it loads;
    // frame_ip: the RIP saved in a signal frame at that RSP, if one could be there (readable).
    struct Return {
        uint64_t cr3, rip, rsp;
        std::optional<uint64_t> frame_ip;
    };
    struct Match {
        InFlight call;
        bool to_handler = false;  // rule 2: the result is in the signal frame, not in RAX
    };
    // The call a return ends, by the rules above.
    std::optional<Match> leave(const Return& r);
    // Every call still in flight (the run ended: exit_group and calls that block), oldest first.
    std::vector<InFlight> drain();
    bool empty() const { return calls_.empty(); }
    size_t size() const { return calls_.size(); }

private:
    std::optional<InFlight> take(size_t i);
    std::vector<InFlight> calls_;  // oldest first
};

}  // namespace lstar::trace
