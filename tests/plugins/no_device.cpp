// A plugin whose probe finds no hardware.
#include "ember/sdk/backend.h"

namespace {
void probe() { ember::sdk::fail("no test accelerator present", EMBER_ERR_DEVICE); }
void register_nothing(ember::sdk::Registrar&) {}
}  // namespace

EMBER_DEFINE_PLUGIN("no_device", "1.0", probe, register_nothing)
