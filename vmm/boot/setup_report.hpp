// The decoded boot set-up: a table for people (stderr, verbose mode) and a JSON record for the
// head of the exit log. Both come from the same BootState, read back from KVM.
#pragma once
#include <string>

#include "boot/boot_state.hpp"
#include "loader/symbols.hpp"

namespace lstar {

std::string setup_table(const BootState& state, const SymbolTable& syms, const std::string& host_kind);
// `schema`: the exit log's schema version (run/exit_log_schema.hpp), the record's first field after "type".
std::string setup_json(const BootState& state, const SymbolTable& syms, const std::string& host_kind, unsigned schema);

}  // namespace lstar
