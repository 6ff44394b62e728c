#pragma once
// The table of device type names (core-private). Ids 0..3 are the built-in
// names; plugins add more at registration.
#include <optional>
#include <string_view>

namespace ember::device_types {

// The id of a known name, without loading plugins.
std::optional<int> find(std::string_view name);
// Adds `name` if it is new; returns its id. Throws when the table is full.
int intern(std::string_view name);
std::string_view name(int id);

}  // namespace ember::device_types
