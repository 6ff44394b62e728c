#pragma once
// Ops added by plugins at run time (core-private). Their ids follow the
// built-in ops of abi.h; the dispatch table has room for kMaxCustomOps.
#include <atomic>
#include <string>

#include "ember/device.h"
#include "ember/sdk/abi.h"

namespace ember::dispatch {

inline constexpr int kMaxCustomOps = 64;
inline constexpr int kMaxOps = EMBER_OP_COUNT + kMaxCustomOps;

struct CustomOp {
  std::string name;
  std::string plugin;  // which plugin added it
  int id = -1;
  int num_inputs = 0;
  int num_outputs = 0;
  // Backward kernels: per device type, and one for every device.
  std::atomic<ember_kernel_fn> backward[DeviceType::kMaxTypes] = {};
  std::atomic<ember_kernel_fn> backward_any{nullptr};
};

// Adds an op; Error when the name is taken or the table is full.
CustomOp& add_custom_op(const std::string& name, const std::string& plugin, int num_inputs, int num_outputs);
const CustomOp* find_custom_op(const std::string& name);
const CustomOp* custom_op(int id);
// The name of any op id, built-in or custom.
std::string op_name(int op);

}  // namespace ember::dispatch
