#pragma once
#include <cstdint>
// Plugin discovery and loading (core-private). See Note [Plugin discovery].
namespace ember::plugins {

// Loads every plugin on the search path, once; cheap after the first call.
void ensure_loaded();
// Loads only the CPU plugin (the first step of ensure_loaded), once.
void ensure_cpu_loaded();
// manual_seed / set_num_threads as they were last called, for plugins that
// load after the call (each is also applied to the loaded ones by its caller).
void remember_seed(uint64_t seed);
void remember_num_threads(int n);

}  // namespace ember::plugins
