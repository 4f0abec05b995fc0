// `lstar tour [STOP...] [--list] [--out DIR] [--entry MODE] [--logs DIR]`: the subcommand's options.
#pragma once
#include <CLI/CLI.hpp>

#include "tour/tour.hpp"

namespace lstar::cli {

CLI::App* add_tour_command(CLI::App& app, tour::TourOptions& o);
// Runs the tour with this binary as the lstar it starts; prints lstar-style errors.
int tour_main(tour::TourOptions o);

}  // namespace lstar::cli
