#pragma once
// Devices, plugins, threads and fallback policy (api.md "Devices and plugins").
#include <optional>
#include <string>
#include <vector>

#include "ember/device.h"

namespace ember {

// Every device of every loaded backend.
std::vector<Device> devices();
bool is_available(DeviceType type);
int device_count(DeviceType type);
// Waits for all work queued on `device` (every device when none is given).
void synchronize(std::optional<Device> device = {});

// Threads of the CPU backend (oneTBB).
void set_num_threads(int n);
int get_num_threads();

// What happens when a device has no kernel for an op: run it on the CPU with
// a one-time warning (the default), or raise an Error (strict). The
// EMBER_FALLBACK=strict environment variable sets strict at start.
enum class FallbackMode { Warn, Strict };
void set_fallback(FallbackMode mode);
FallbackMode get_fallback();

// The ops that ran on the CPU in place of a device's kernel since the last
// reset_fallback_ops() (or the start), one entry per (op, device type), in
// the order they first fell back. Tools such as the conformance kit use it
// to tell "works through the fallback" from "has a kernel"; the one-time
// warning cannot, as it fires once per process.
struct FallbackOp {
  std::string op;           // "add", or the name of a plugin's own op
  std::string device_type;  // the device type that lacked the kernel
};
std::vector<FallbackOp> fallback_ops();
void reset_fallback_ops();

// Frees the blocks that the caching allocator holds for reuse.
void empty_cache();

namespace plugins {
struct PluginInfo {
  std::string name;       // "cpu"; the file name when the plugin never said
  std::string path;       // the shared library
  std::string version;    // as the plugin reports it
  bool loaded = false;
  std::string reason;     // why not loaded (empty when loaded)
  std::vector<std::string> device_types;  // the device types it added
};
// Every plugin file found or loaded, with its status. Triggers discovery.
std::vector<PluginInfo> list();
// Loads one plugin explicitly; returns its record (never throws for a
// plugin that fails to load: the reason is in the record).
PluginInfo load(const std::string& path);
// The directories searched, in order.
std::vector<std::string> search_path();
// What the device's backend calls it ("NVIDIA H100 80GB HBM3 (sm_90, ...)");
// the device's string where the backend gives no name.
std::string device_name(const Device& device);
}  // namespace plugins

}  // namespace ember
