// Devices, threads and synchronisation across every loaded backend.
#include "ember/runtime.h"

#include "device/allocator.h"
#include "device/registry.h"
#include "ember/error.h"
#include "plugin/loader.h"

namespace ember {

std::vector<Device> devices() {
  plugins::ensure_loaded();
  std::vector<Device> out;
  for (int id = 0; id < DeviceType::kMaxTypes; ++id) {
    const auto* e = device_registry::find(id);
    if (!e) continue;
    if (id == kCPU.id()) {
      out.emplace_back(kCPU);
      continue;
    }
    for (int i = 0; i < e->count; ++i) out.emplace_back(DeviceType::from_id(id), i);
  }
  return out;
}

bool is_available(DeviceType type) { return device_count(type) > 0; }

int device_count(DeviceType type) {
  plugins::ensure_loaded();
  const auto* e = device_registry::find(type.id());
  return e ? e->count : 0;
}

void synchronize(std::optional<Device> device) {
  plugins::ensure_loaded();
  auto sync_one = [](const Device& d) {
    const auto& e = device_registry::require(d);
    if (!e.api->synchronize) return;
    char err[256] = {0};
    EMBER_CHECK(e.api->synchronize(d.index() < 0 ? 0 : d.index(), err, sizeof err) == EMBER_OK, "synchronize(",
                d.str(), ") failed: ", err);
  };
  if (device) return sync_one(*device);
  for (const Device& d : devices()) sync_one(d);
}

void set_num_threads(int n) {
  EMBER_CHECK(n >= 1, "set_num_threads: the number of threads must be at least 1, got ", n);
  plugins::ensure_cpu_loaded();
  plugins::remember_num_threads(n);  // for plugins loaded later
  for (int id = 0; id < DeviceType::kMaxTypes; ++id)
    if (const auto* e = device_registry::find(id); e && e->api->set_num_threads) e->api->set_num_threads(n);
}

int get_num_threads() {
  plugins::ensure_cpu_loaded();
  const auto* e = device_registry::find(kCPU.id());
  return e && e->api->get_num_threads ? e->api->get_num_threads() : 1;
}

void empty_cache() { allocator::empty_cache(); }

std::string plugins::device_name(const Device& device) {
  const auto& e = device_registry::require(device);
  const char* name = e.api->device_name ? e.api->device_name(device.index() < 0 ? 0 : device.index()) : nullptr;
  return name && *name ? std::string(name) : device.str();
}

}  // namespace ember
