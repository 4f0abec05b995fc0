#include "cli/args.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace lstar::cli {

namespace {

std::string lower(std::string_view s) {
    std::string r(s);
    std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return r;
}

// Levenshtein distance, for suggestions; names are short, so the quadratic table is fine.
size_t distance(std::string_view a, std::string_view b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

std::string join(const std::vector<std::string>& names, std::string_view sep) {
    std::string r;
    for (const auto& n : names) r += (r.empty() ? "" : std::string(sep)) + n;
    return r;
}

uint64_t parse_u64(std::string_view text, std::string_view option, std::string_view what) {
    const std::string head = std::string(option) + ": ";
    if (text.empty() || !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
        throw UsageError(head + (text.empty() ? "a number is missing" : quoted(text) + " is not a number") + " (" +
                         std::string(what) + ")");
    uint64_t v = 0;
    for (char c : text) {
        const uint64_t d = uint64_t(c - '0');
        if (v > (UINT64_MAX - d) / 10)
            throw UsageError(head + quoted(text) + " is too large (at most 18446744073709551615; " + std::string(what) +
                             ")");
        v = v * 10 + d;
    }
    return v;
}

uint64_t parse_mib(std::string_view text, std::string_view option, uint64_t min_mib, uint64_t max_mib) {
    const std::string accepted = "a size: MiB, or a number with K, M, G or T, e.g. 512M, 1.5G; from " +
                                 std::to_string(min_mib) + "M to " +
                                 (max_mib % 1024 == 0 ? std::to_string(max_mib / 1024) + "G" : std::to_string(max_mib) + "M");
    const std::string head = std::string(option) + " " + std::string(text) + ": ";
    // DIGITS[.DIGITS]: kept as an integer `mantissa` and the number of decimals.
    size_t i = 0, int_digits = 0, decimals = 0;
    unsigned __int128 mantissa = 0;
    bool too_large = false;
    auto digit = [&] { return i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); };
    for (; digit(); ++i, ++int_digits) {
        mantissa = mantissa * 10 + unsigned(text[i] - '0');
        too_large |= mantissa > UINT64_MAX;
    }
    if (i < text.size() && text[i] == '.' && int_digits) {
        for (++i; digit(); ++i, ++decimals)
            if (decimals < 9) mantissa = mantissa * 10 + unsigned(text[i] - '0');
            else if (text[i] != '0') throw UsageError(head + "not a whole number of MiB (" + accepted + ")");
        if (decimals == 0) throw UsageError(head + "not a size (" + accepted + ")");
        decimals = std::min<size_t>(decimals, 9);
    }
    if (int_digits == 0) throw UsageError(head + "not a size (" + accepted + ")");
    std::string suffix = lower(text.substr(i));
    for (const char* unit : {"ib", "b"})  // 1GiB, 1GB, 1G are the same here (powers of 1024, as QEMU)
        if (suffix.size() > std::string_view(unit).size() && suffix.ends_with(unit)) {
            suffix.resize(suffix.size() - std::string_view(unit).size());
            break;
        }
    // The value in KiB, so that 1024K is whole MiB and 1K is not.
    unsigned shift_kib;
    if (suffix == "k") shift_kib = 0;
    else if (suffix.empty() || suffix == "m") shift_kib = 10;
    else if (suffix == "g") shift_kib = 20;
    else if (suffix == "t") shift_kib = 30;
    else throw UsageError(head + "unknown unit '" + std::string(text.substr(i)) + "' (" + accepted + ")");
    if (too_large) throw UsageError(head + "too large (" + accepted + ")");
    unsigned __int128 scale = 1;
    for (size_t d = 0; d < decimals; ++d) scale *= 10;
    const unsigned __int128 scaled = mantissa << shift_kib;  // < 2^64 * 10^9 * 2^30: fits
    if (scaled % scale != 0 || (scaled / scale) % 1024 != 0)
        throw UsageError(head + "not a whole number of MiB (" + accepted + ")");
    const unsigned __int128 mib = scaled / scale / 1024;
    if (mib > max_mib) throw UsageError(head + "too large (" + accepted + ")");
    if (mib < min_mib) throw UsageError(head + "too small (" + accepted + ")");
    return uint64_t(mib);
}

double parse_seconds(std::string_view text, std::string_view option) {
    const std::string accepted = "seconds, more than 0 and at most a year: 10, 1.5, 500ms, 2s, 3m, 1h";
    const std::string head = std::string(option) + " " + std::string(text) + ": ";
    size_t end = 0, dots = 0;
    while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.'))
        dots += text[end++] == '.';
    if (end == 0 || dots > 1 || text.substr(0, end) == ".") throw UsageError(head + "not a duration (" + accepted + ")");
    const std::string_view unit = text.substr(end);
    double scale;
    if (unit.empty() || unit == "s") scale = 1;
    else if (unit == "ms") scale = 1e-3;
    else if (unit == "m") scale = 60;
    else if (unit == "h") scale = 3600;
    else throw UsageError(head + "unknown unit '" + std::string(unit) + "' (" + accepted + ")");
    // Digits and one dot only: strtod cannot see a sign, hex, "inf" or "nan" here.
    const double v = std::strtod(std::string(text.substr(0, end)).c_str(), nullptr) * scale;
    if (!std::isfinite(v) || v > kMaxSeconds) throw UsageError(head + "too long (" + accepted + ")");
    if (v < 1e-6) throw UsageError(head + "must be more than 0 (" + accepted + ")");
    return v;
}

std::vector<std::string> closest(std::string_view name, const std::vector<std::string>& names, size_t max) {
    std::vector<std::pair<size_t, std::string>> near;
    const std::string n = lower(name);
    for (const auto& c : names)
        // At most 2 edits, and few for the length: "x" is not a misspelt "a".
        if (size_t d = distance(n, lower(c)); d <= 2 && d * 3 <= std::max(c.size(), n.size())) near.emplace_back(d, c);
    std::stable_sort(near.begin(), near.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> r;
    for (size_t i = 0; i < near.size() && i < max; ++i) r.push_back(near[i].second);
    return r;
}

void check_member(std::string_view name, const std::vector<std::string>& accepted, std::string_view option,
                  std::string_view what) {
    if (std::find(accepted.begin(), accepted.end(), name) != accepted.end()) return;
    std::string msg = std::string(option) + ": " + (name.empty() ? "an empty name" : quoted(name)) + " is not " +
                      std::string(what);
    const auto near = closest(name, accepted);
    if (!near.empty()) msg += "; did you mean " + join(near, " or ") + "?";
    // A short list is shown whole; a long one (system calls) only by its nearest names.
    if (accepted.size() <= 40) msg += " (one of: " + join(accepted) + ")";
    throw UsageError(msg);
}

}  // namespace lstar::cli
