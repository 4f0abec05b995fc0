// The tour's pictures, drawn by graphviz's `dot` from what the runs recorded: the syscall path
// (direct and PTI), pt_regs on the kernel stack, the GDT and STAR, the kernel half of the two
// CR3s under PTI, the three doors. Each is a function from the runs to dot source.
#pragma once
#include <string>
#include <vector>

#include "tour/runs.hpp"

namespace lstar::tour {

struct Picture {
    std::string name;     // file name without extension: "path", "pt_regs", ...
    std::string caption;  // one line under it
    std::string (*dot)(Runs&);
};

const std::vector<Picture>& all_pictures();

// Writes DIR/NAME.dot, and NAME.svg and NAME.png from `dot`; throws TourError naming what failed.
void render(const Picture& p, Runs& runs, const std::string& dir);

}  // namespace lstar::tour
