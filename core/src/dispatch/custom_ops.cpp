#include "dispatch/custom_ops.h"

#include <array>
#include <mutex>

#include "ember/error.h"
#include "ember/sdk/op_names.h"

namespace ember::dispatch {
namespace {
struct Registry {
  std::mutex mutex;
  std::array<CustomOp*, kMaxCustomOps> ops{};  // never freed: plugins stay loaded
  std::atomic<int> count{0};
};
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}
}  // namespace

CustomOp& add_custom_op(const std::string& name, const std::string& plugin, int num_inputs, int num_outputs) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (int i = 0; i < EMBER_OP_COUNT; ++i)
    EMBER_CHECK(name != sdk::kOpNames[i], "register_op: '", name, "' is a built-in op; choose another name");
  const int n = r.count.load();
  for (int i = 0; i < n; ++i)
    EMBER_CHECK(r.ops[i]->name != name, "register_op: plugin '", r.ops[i]->plugin, "' already added an op named '",
                name, "'");
  EMBER_CHECK(n < kMaxCustomOps, "register_op: all ", kMaxCustomOps, " slots for added ops are taken");
  EMBER_CHECK(num_inputs >= 1 && num_outputs >= 1 && num_inputs + num_outputs <= 8, "register_op: '", name,
              "' needs 1 to 7 inputs and at least one output, 8 tensors in all");
  auto* op = new CustomOp;
  op->name = name;
  op->plugin = plugin;
  op->id = EMBER_OP_COUNT + n;
  op->num_inputs = num_inputs;
  op->num_outputs = num_outputs;
  r.ops[n] = op;
  r.count.store(n + 1, std::memory_order_release);
  return *op;
}

const CustomOp* find_custom_op(const std::string& name) {
  Registry& r = registry();
  const int n = r.count.load(std::memory_order_acquire);
  for (int i = 0; i < n; ++i)
    if (r.ops[i]->name == name) return r.ops[i];
  return nullptr;
}

const CustomOp* custom_op(int id) {
  Registry& r = registry();
  const int i = id - EMBER_OP_COUNT;
  return i >= 0 && i < r.count.load(std::memory_order_acquire) ? r.ops[i] : nullptr;
}

std::string op_name(int op) {
  if (op >= 0 && op < EMBER_OP_COUNT) return sdk::kOpNames[op];
  const CustomOp* c = custom_op(op);
  return c ? c->name : "unknown op";
}

}  // namespace ember::dispatch
