// `lstar tour`: the study notes' questions, answered stop by stop from live runs.
#pragma once
#include <string>
#include <vector>

namespace lstar::tour {

struct TourOptions {
    std::vector<std::string> stops;  // numbers or ids; empty: all
    bool list = false;               // only the questions
    std::string out_dir;             // DIR/tour.md and DIR/tour/*.{dot,svg,png}; "" for none
    std::string entry = "direct";    // the entry mode of the main (path) run
    std::string logs_dir;            // keep each run's exit log there as KEY.jsonl; "" for none
    std::string exe;                 // the lstar binary to run (this one)
};

// Prints the tour on stdout and returns lstar's exit status (0, or the failing run's own).
int run_tour(const TourOptions& o);

}  // namespace lstar::tour
