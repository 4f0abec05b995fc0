// The exit log's schema (docs/exit-log.md): its version, which the first record (`setup`) carries
// as "schema", and every record type ("type") the monitor writes. A change that renames or drops a
// field or a type, or changes a field's meaning, raises the version; adding one does not.
// tests/unit/test_exit_log_schema.cpp holds this list against the doc and against the "type"
// values written in the sources.
#pragma once
#include <string_view>

namespace lstar {

inline constexpr unsigned kExitLogSchema = 1;

inline constexpr std::string_view kExitLogRecordTypes[] = {
    "setup", "exit", "event", "trace", "msr", "user_mappings", "fault", "dropped", "end",
};

}  // namespace lstar
