#pragma once
// The device types that loaded plugins registered (core-private): their
// device API tables and device counts, readable without a lock.
#include <string>

#include "ember/device.h"
#include "ember/sdk/abi.h"

namespace ember::device_registry {

struct Entry {
  const ember_device_api* api = nullptr;
  int32_t count = 0;
  std::string plugin;  // the plugin that registered the type
};

// Null when no loaded plugin registered `type_id`.
const Entry* find(int type_id) noexcept;
// The entry for a usable device, or an Error listing available devices.
const Entry& require(const Device& device);
void add(int type_id, const ember_device_api* api, int32_t count, const std::string& plugin);
// "cpu, opencl:0, opencl:1" — for error messages.
std::string available_list();

}  // namespace ember::device_registry
