#pragma once
// Plugin discovery and loading (core-private). See Note [Plugin discovery].
namespace ember::plugins {

// Loads every plugin on the search path, once; cheap after the first call.
void ensure_loaded();

}  // namespace ember::plugins
