// A plugin linked against a library that is not on the loader's path, like a
// GPU backend on a machine without the driver's library.
#include "ember/sdk/backend.h"

extern "C" int ember_test_dependency_value();

namespace {
void probe() {
  if (ember_test_dependency_value() != 7) ember::sdk::fail("unexpected dependency");
}
void register_nothing(ember::sdk::Registrar&) {}
}  // namespace

EMBER_DEFINE_PLUGIN("needs_dependency", "1.0", probe, register_nothing)
