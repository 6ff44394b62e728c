#include "device/registry.h"

#include <array>
#include <atomic>

#include "ember/error.h"
#include "ember/runtime.h"
#include "plugin/loader.h"

namespace ember::device_registry {
namespace {
// Entries are created once and never freed (plugins are never unloaded), so
// a reader holding a pointer is always safe.
std::array<std::atomic<const Entry*>, DeviceType::kMaxTypes> entries{};
}  // namespace

const Entry* find(int type_id) noexcept {
  if (type_id < 0 || type_id >= DeviceType::kMaxTypes) return nullptr;
  return entries[type_id].load(std::memory_order_acquire);
}

void add(int type_id, const ember_device_api* api, int32_t count, const std::string& plugin) {
  EMBER_CHECK(!find(type_id), "plugin '", plugin, "' registers device type '", DeviceType::from_id(type_id).name(),
              "', which plugin '", find(type_id)->plugin, "' already registered");
  entries[type_id].store(new Entry{api, count, plugin}, std::memory_order_release);
}

const Entry& require(const Device& device) {
  const Entry* e = find(device.type().id());
  if (!e) {
    // The CPU needs only its own plugin (Note [Plugin discovery]).
    if (device.is_cpu()) {
      plugins::ensure_cpu_loaded();
      e = find(device.type().id());
    }
    if (!e) {
      plugins::ensure_loaded();
      e = find(device.type().id());
    }
  }
  EMBER_CHECK(e && e->count > 0, "device '", device.str(), "' is not available: ",
              e ? "its plugin found no device" : "no loaded plugin provides this device type",
              "; available devices: ", available_list(), " (see ember::plugins::list() for why a plugin did not load)");
  EMBER_CHECK(device.index() < e->count, "device '", device.str(), "' is not available: there ",
              e->count == 1 ? "is 1 device" : "are " + std::to_string(e->count) + " devices", " of type '",
              device.type().name(), "'; available devices: ", available_list());
  return *e;
}

std::string available_list() {
  std::string out;
  for (const Device& d : devices()) out += (out.empty() ? "" : ", ") + d.str();
  return out.empty() ? "none" : out;
}

}  // namespace ember::device_registry
