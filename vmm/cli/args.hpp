// Checked conversions for option values: sizes with suffixes (`-m 1G`), durations (`--timeout
// 1.5`, `500ms`), unsigned numbers, and names from a fixed list. Every failure is a UsageError
// whose text names the option, the value and what is accepted; nothing else escapes (no
// std::out_of_range from a 30-digit number, no "stoull").
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace lstar::cli {

// A bad command line: lstar says what() (prefixed "lstar: ") and exits with status 64. The
// monitor's one UsageError (common/error.hpp).
using UsageError = lstar::UsageError;

// A decimal number that fits 64 bits: digits only, no sign, no spaces. `option` and `what` name it
// in the error ("--trace steps=x..5: 'x' is not a number (FROM..TO, e.g. steps=1..40)").
uint64_t parse_u64(std::string_view text, std::string_view option, std::string_view what);

// A size in MiB as QEMU's -m takes it: a bare number is MiB; K, M, G, T (also KiB, MB, ...; powers
// of 1024, any case) scale it. The result must be whole MiB and within [min_mib, max_mib].
uint64_t parse_mib(std::string_view text, std::string_view option, uint64_t min_mib, uint64_t max_mib);

// Seconds, as timeout(1) takes them: "10", "1.5", "500ms", "2s", "3m", "1h". Must be > 0 and at
// most kMaxSeconds (a year).
inline constexpr double kMaxSeconds = 365.0 * 24 * 3600;
double parse_seconds(std::string_view text, std::string_view option);

// `name` must be one of `accepted`; the error lists them, closest first when some are close.
void check_member(std::string_view name, const std::vector<std::string>& accepted, std::string_view option,
                  std::string_view what);

// Up to `max` of `names` within an edit distance of 2 of `name`, closest first (for "did you mean").
std::vector<std::string> closest(std::string_view name, const std::vector<std::string>& names, size_t max = 3);

// "a, b, c"
std::string join(const std::vector<std::string>& names, std::string_view sep = ", ");

}  // namespace lstar::cli
