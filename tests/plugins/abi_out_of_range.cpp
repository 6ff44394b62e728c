// A plugin that only speaks ABI versions the core does not (998-999).
#include "ember/sdk/abi.h"

static int32_t probe(char*, size_t) { return EMBER_OK; }
static int32_t register_plugin(const ember_host_api*, void*, char*, size_t) { return EMBER_OK; }

extern "C" EMBER_PLUGIN_EXPORT const ember_plugin_info* ember_plugin_entry(void) {
  static const ember_plugin_info info = {sizeof(ember_plugin_info), 998, 999, "future", "9.9", probe,
                                         register_plugin};
  return &info;
}
