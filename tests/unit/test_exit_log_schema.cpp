// docs/exit-log.md documents every record the monitor writes: the record types (kExitLogRecordTypes,
// and every "type" literal in vmm/), the trace kinds and the guest events, and the schema version.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <variant>

#include "run/exit_log_schema.hpp"
#include "run/guest_events.hpp"

using namespace lstar;

namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

std::string doc() { return slurp(std::filesystem::path(LSTAR_SOURCE_ROOT) / "docs/exit-log.md"); }

// Every first capture group of `re` in `text`.
std::set<std::string> captures(const std::string& text, const std::regex& re) {
    std::set<std::string> found;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
        found.insert((*it)[1].str());
    return found;
}

// The monitor's sources, concatenated (vmm/**/*.cpp and *.hpp).
std::string sources() {
    std::string all;
    for (const auto& e : std::filesystem::recursive_directory_iterator(std::filesystem::path(LSTAR_SOURCE_ROOT) / "vmm"))
        if (e.is_regular_file() && (e.path().extension() == ".cpp" || e.path().extension() == ".hpp"))
            all += slurp(e.path());
    return all;
}

// The rows of the doc's table under `heading`, by their first column: | `name` | ... |
std::set<std::string> table_names(const std::string& d, const std::string& heading) {
    auto at = d.find(heading);
    REQUIRE_MESSAGE(at != std::string::npos, heading);
    at = d.find("|---|", at);  // the rows, after the header
    auto end = d.find("\n### ", at + 1);
    return captures(d.substr(at, end == std::string::npos ? std::string::npos : end - at),
                    std::regex("\\n\\| `([a-z_]+)` \\|"));
}

template <size_t... I>
std::set<std::string> guest_event_names(std::index_sequence<I...>) {
    return {event_name(GuestEvent(std::in_place_index<I>))...};
}

// "a b c", so that a failed comparison shows both sides.
std::string text(const std::set<std::string>& names) {
    std::string r;
    for (const auto& n : names) r += (r.empty() ? "" : " ") + n;
    return r;
}

}  // namespace

TEST_CASE("exit-log schema: every record type has a section in docs/exit-log.md, and no section is stale") {
    const std::set<std::string> listed(std::begin(kExitLogRecordTypes), std::end(kExitLogRecordTypes));
    const auto documented = captures(doc(), std::regex("\\n### `([a-z_]+)` — "));
    CHECK(text(documented) == text(listed));
}

TEST_CASE("exit-log schema: every \"type\" the sources write is in the list") {
    const std::string src = sources();
    // .str("type", "X") and .name("type", "X") in JsonObject chains; {"type":"X" written raw.
    auto written = captures(src, std::regex(R"re(\.(?:str|name)\("type", "([a-z_]+)"\))re"));
    for (const auto& t : captures(src, std::regex(R"re(\{\\"type\\":\\"([a-z_]+)\\")re"))) written.insert(t);
    const std::set<std::string> listed(std::begin(kExitLogRecordTypes), std::end(kExitLogRecordTypes));
    CHECK(written.size() >= 5);  // the scan found the writers at all
    for (const auto& t : written) {
        CAPTURE(t);
        CHECK(listed.count(t) == 1);
    }
    // And the list holds nothing the code no longer writes.
    for (const auto& t : listed) {
        CAPTURE(t);
        CHECK(written.count(t) == 1);
    }
}

TEST_CASE("exit-log schema: the trace kinds and guest events are each a row of their table") {
    const std::string d = doc(), src = sources();
    const auto kinds = captures(src, std::regex(R"re(\.str\("type", "trace"\)\.str\("kind", "([a-z_]+)"\))re"));
    CHECK(text(kinds) == text(table_names(d, "### `trace`")));
    std::set<std::string> events = captures(src, std::regex(R"re(\.str\("type", "event"\)\.str\("event", "([a-z_]+)"\))re"));
    // The guest's own records, by the name the monitor gives each alternative of GuestEvent.
    for (const auto& n : guest_event_names(std::make_index_sequence<std::variant_size_v<GuestEvent>>{})) events.insert(n);
    CHECK(events.size() == std::variant_size_v<GuestEvent> + 2);  // + console, bad_record
    CHECK(text(events) == text(table_names(d, "### `event`")));
}

TEST_CASE("exit-log schema: the doc states the version the code writes") {
    const std::string d = doc();
    CHECK(d.find("`\"schema\": N`") != std::string::npos);
    CHECK(d.find("(now\n**" + std::to_string(kExitLogSchema) + "**") != std::string::npos);
}
