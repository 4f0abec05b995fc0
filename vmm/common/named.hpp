// The monitor's side of shared/option_names.hpp: a table's names for the command line's checks and
// help, and a name back to its value.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "option_names.hpp"

namespace lstar {

template <class E, unsigned N>
std::vector<std::string> names_of(const abi::Named<E> (&table)[N]) {
    std::vector<std::string> v;
    for (const auto& e : table) v.emplace_back(e.name);
    return v;
}

template <class E, unsigned N>
std::optional<E> value_of(const abi::Named<E> (&table)[N], const std::string& name) {
    for (const auto& e : table)
        if (name == e.name) return e.value;
    return std::nullopt;
}

}  // namespace lstar
