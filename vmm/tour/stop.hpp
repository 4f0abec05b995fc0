// A stop of the tour: one question of the study notes the project grew from, the runs that answer
// it, and a function from those runs' records to the answer. Nothing an answer says about the
// machine is written here: the values come from the exit logs (tests/unit/test_tour.cpp changes
// a record and sees the answer change).
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tour/runs.hpp"

namespace lstar::tour {

struct Answer {
    std::vector<std::string> evidence;  // the live evidence, cut down to what answers the question
    std::string text;                   // two or three sentences that cite the run's values
};

struct Stop {
    std::string_view id;        // a short name: "lstar", "idt", ...
    std::string_view question;  // in English
    std::string_view notes;     // the study notes' own words (Chinese), quoted
    std::vector<std::string_view> runs;  // the RunSpec keys (tour/run_specs.cpp) it reads
    Answer (*answer)(Runs&);
    std::string_view read_on;   // Linux file and function, the SDM or APM section, lstar's doc
    std::vector<std::string_view> pictures;  // names of pictures (tour/pictures.hpp) it shows
};

// All stops, in order: tour/stops_msr.cpp, stops_entry.cpp, stops_doors.cpp, stops_process.cpp.
const std::vector<Stop>& all_stops();
std::vector<Stop> msr_stops();
std::vector<Stop> entry_stops();
std::vector<Stop> door_stops();
std::vector<Stop> process_stops();

// The runs the stops name, with their `lstar` arguments; `entry` is the mode of the "path" run.
std::map<std::string, RunSpec> run_specs(const std::string& entry);

}  // namespace lstar::tour
