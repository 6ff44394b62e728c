#include "dispatch/dispatch.h"

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "device/allocator.h"
#include "device/registry.h"
#include "dispatch/custom_ops.h"
#include "ember/runtime.h"

namespace ember::dispatch {
namespace {

constexpr int kMaxTensors = 8;

struct Table {
  std::array<std::array<std::atomic<ember_kernel_fn>, kMaxOps>, DeviceType::kMaxTypes> kernels{};
  std::array<std::array<std::atomic<bool>, kMaxOps>, DeviceType::kMaxTypes> warned{};
};
Table& table() {
  static Table t;
  return t;
}

// What fell back since the last reset (ember::fallback_ops). Only the
// fallback path, already slow (it copies whole storages), takes the lock.
struct FallbackLog {
  std::mutex mutex;
  std::vector<std::pair<int, int>> entries;  // (device type, op), first fallback first
};
FallbackLog& fallback_log() {
  static FallbackLog log;
  return log;
}
void note_fallback(int type, int op) {
  auto& log = fallback_log();
  std::lock_guard lock(log.mutex);
  for (const auto& e : log.entries)
    if (e.first == type && e.second == op) return;
  log.entries.emplace_back(type, op);
}

FallbackMode initial_mode() {
  const char* env = std::getenv("EMBER_FALLBACK");
  return env && std::strcmp(env, "strict") == 0 ? FallbackMode::Strict : FallbackMode::Warn;
}
std::atomic<FallbackMode>& fallback_mode() {
  static std::atomic<FallbackMode> mode{initial_mode()};
  return mode;
}

ember_tensor describe(const Tensor& t) {
  const auto& impl = t.impl();
  const Device& d = impl.device();
  return ember_tensor{impl.storage->data, impl.offset,          impl.sizes.data(), impl.strides.data(),
                      int32_t(impl.sizes.size()), int32_t(impl.dtype), {d.type().id(), d.index() < 0 ? 0 : d.index()}};
}

[[noreturn]] void kernel_failed(ember_op op, const Device& device, int32_t status, const char* message) {
  EMBER_CHECK(false, op_name(op), " on ", device.str(), " failed (status ", status, "): ", message);
  std::abort();
}

int32_t invoke(ember_kernel_fn fn, ember_op op, const ember_tensor* descs, int n_in, int n_out,
               std::span<const ember_scalar> scalars, std::span<const int64_t> ints, void* queue, char* err,
               size_t cap) {
  ember_op_call c{sizeof(ember_op_call),
                  op,
                  n_in,
                  n_out,
                  descs,
                  descs + n_in,
                  int32_t(scalars.size()),
                  int32_t(ints.size()),
                  scalars.data(),
                  ints.data(),
                  queue,
                  err,
                  cap};
  return fn(&c);
}

// Calls `fn` on `device`'s queue with the operands' descriptors.
int32_t launch_described(ember_kernel_fn fn, ember_op op, const Device& device, const ember_tensor* descs, int n_in,
                         int n_out, std::span<const ember_scalar> scalars, std::span<const int64_t> ints, char* err,
                         size_t cap) {
  const auto* entry = device_registry::find(device.type().id());
  void* queue = entry->api->queue ? entry->api->queue(device.index() < 0 ? 0 : device.index()) : nullptr;
  err[0] = 0;
  return invoke(fn, op, descs, n_in, n_out, scalars, ints, queue, err, cap);
}

// Calls `fn` on the outputs' device with descriptors built on the stack;
// on success the outputs' version counters move on (they were written).
int32_t launch(ember_kernel_fn fn, ember_op op, std::span<const Tensor> inputs, std::span<const Tensor> outputs,
               std::span<const ember_scalar> scalars, std::span<const int64_t> ints, char* err, size_t cap) {
  EMBER_ASSERT(inputs.size() + outputs.size() <= size_t(kMaxTensors) && !outputs.empty());
  std::array<ember_tensor, kMaxTensors> descs;
  int n = 0;
  for (const Tensor& t : inputs) descs[n++] = describe(t);
  for (const Tensor& t : outputs) descs[n++] = describe(t);
  const int32_t status = launch_described(fn, op, outputs[0].impl().device(), descs.data(), int(inputs.size()),
                                          int(outputs.size()), scalars, ints, err, cap);
  if (status == EMBER_OK)
    for (const Tensor& t : outputs) t.impl().storage->version.fetch_add(1, std::memory_order_relaxed);
  return status;
}

// Note [Fallback]
// A device without a kernel for an op (or whose kernel declines the case with
// EMBER_ERR_UNSUPPORTED) runs the op on the CPU backend: each distinct
// storage the op touches is copied whole to the host, the CPU kernel runs on
// descriptors with the same offsets and strides, and the storages of the
// outputs are copied back. Copying whole storages keeps aliasing between
// inputs and outputs and any striding exact. The first fallback of each
// (op, device type) prints a warning; strict mode raises instead.
void run_fallback(ember_op op, const Device& device, std::span<const Tensor> inputs, std::span<const Tensor> outputs,
                  std::span<const ember_scalar> scalars, std::span<const int64_t> ints, const char* why) {
  const int type = device.type().id();
  EMBER_CHECK(fallback_mode().load(std::memory_order_relaxed) == FallbackMode::Warn, op_name(op),
              ": device type '", device.type().name(), "' ", why,
              ", and the fallback to the CPU is disabled (strict mode); implement the kernel in the backend, or "
              "call ember::set_fallback(ember::FallbackMode::Warn)");
  ember_kernel_fn cpu_fn = table().kernels[0][op].load(std::memory_order_acquire);
  EMBER_CHECK(cpu_fn, op_name(op), ": no kernel on ", device.str(), " and none on the CPU to fall back to");
  note_fallback(type, op);
  if (!table().warned[type][op].exchange(true))
    std::fprintf(stderr, "ember: warning: '%s' has no kernel for device type '%s' (%s); running it on the CPU\n",
                 op_name(op).c_str(), std::string(device.type().name()).c_str(), why);

  const auto* entry = device_registry::find(type);
  std::vector<std::pair<detail::Storage*, std::shared_ptr<detail::Storage>>> host;
  auto host_copy = [&](detail::Storage* s) -> detail::Storage* {
    for (auto& [dev, h] : host)
      if (dev == s) return h.get();
    auto h = allocator::allocate(Device(kCPU), s->nbytes);
    char err[256] = {0};
    const int32_t st = entry->api->copy_to_host(device.index(), s->data, 0, h->data, s->nbytes, err, sizeof err);
    if (st != EMBER_OK) kernel_failed(op, device, st, err);
    host.emplace_back(s, h);
    return h.get();
  };
  std::array<ember_tensor, kMaxTensors> descs;
  int n = 0;
  for (auto group : {inputs, outputs})
    for (const Tensor& t : group) {
      descs[n] = describe(t);
      descs[n].data = host_copy(t.impl().storage.get())->data;
      descs[n].device = {0, 0};
      ++n;
    }
  char err[512] = {0};
  const int32_t st = invoke(cpu_fn, op, descs.data(), int(inputs.size()), int(outputs.size()), scalars, ints,
                            nullptr, err, sizeof err);
  if (st != EMBER_OK) kernel_failed(op, Device(kCPU), st, err);
  for (const Tensor& t : outputs) {
    detail::Storage* s = t.impl().storage.get();
    detail::Storage* h = host_copy(s);
    char cerr[256] = {0};
    const int32_t cst = entry->api->copy_from_host(device.index(), h->data, s->data, 0, s->nbytes, cerr, sizeof cerr);
    if (cst != EMBER_OK) kernel_failed(op, device, cst, cerr);
  }
}

}  // namespace

bool call_kernel(ember_kernel_fn fn, int op, const std::string& what, std::span<const Tensor> inputs,
                 std::span<const Tensor> outputs, std::span<const ember_scalar> scalars,
                 std::span<const int64_t> ints, bool may_decline) {
  char err[512];
  const int32_t status = launch(fn, ember_op(op), inputs, outputs, scalars, ints, err, sizeof err);
  if (status == EMBER_ERR_UNSUPPORTED && may_decline) return false;
  EMBER_CHECK(status == EMBER_OK, what, " on ", outputs[0].device().str(), " failed (status ", status, "): ", err);
  return true;
}

void register_kernel(int op, int device_type, ember_kernel_fn fn) {
  table().kernels[device_type][op].store(fn, std::memory_order_release);
}

bool has_kernel(int op, int device_type) noexcept {
  return table().kernels[device_type][op].load(std::memory_order_acquire) != nullptr;
}

void call(ember_op op, std::span<const Tensor> inputs, std::span<const Tensor> outputs,
          std::span<const ember_scalar> scalars, std::span<const int64_t> ints) {
  EMBER_ASSERT(inputs.size() + outputs.size() <= size_t(kMaxTensors) && !outputs.empty());
  const Device device = outputs[0].device();
  for (auto group : {inputs, outputs})
    for (const Tensor& t : group)
      EMBER_CHECK(t.device() == device, op_name(op), ": expected all tensors on one device, but got ",
                  device.str(), " and ", t.device().str(), "; move them with .to(device) first");
  const int type = device.type().id();
  ember_kernel_fn fn = table().kernels[type][op].load(std::memory_order_acquire);
  if (!fn) return run_fallback(op, device, inputs, outputs, scalars, ints, "has no kernel for it");

  char err[512];
  const int32_t status = launch(fn, op, inputs, outputs, scalars, ints, err, sizeof err);
  if (status == EMBER_OK) [[likely]]
    return;
  if (status == EMBER_ERR_UNSUPPORTED && type != 0)
    return run_fallback(op, device, inputs, outputs, scalars, ints, err);
  kernel_failed(op, device, status, err);
}

void call(ember_op op, std::initializer_list<const Tensor*> inputs, const Tensor& output,
          std::span<const ember_scalar> scalars) {
  const Device& device = output.impl().device();
  const int type = device.type().id();
  ember_kernel_fn fn = table().kernels[type][op].load(std::memory_order_acquire);
  bool plain = fn && inputs.size() < size_t(kMaxTensors);
  for (const Tensor* t : inputs) plain = plain && t->impl().device() == device;
  std::vector<Tensor> held;  // handles, only off the hot path
  auto held_inputs = [&]() -> std::span<const Tensor> {
    for (const Tensor* t : inputs) held.push_back(*t);
    return held;
  };
  // Mixed devices or no kernel: the general path says or does what to do.
  if (!plain) [[unlikely]]
    return call(op, held_inputs(), {&output, 1}, scalars);
  std::array<ember_tensor, kMaxTensors> descs;
  int n = 0;
  for (const Tensor* t : inputs) descs[n++] = describe(*t);
  descs[n] = describe(output);
  char err[512];
  const int32_t status =
      launch_described(fn, op, device, descs.data(), int(inputs.size()), 1, scalars, {}, err, sizeof err);
  if (status == EMBER_OK) [[likely]] {
    output.impl().storage->version.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (status == EMBER_ERR_UNSUPPORTED && type != 0)
    return run_fallback(op, device, held_inputs(), {&output, 1}, scalars, {}, err);
  kernel_failed(op, device, status, err);
}

bool try_call(ember_op op, std::span<const Tensor> inputs, std::span<const Tensor> outputs,
              std::span<const ember_scalar> scalars, std::span<const int64_t> ints) {
  const Device device = outputs[0].device();
  ember_kernel_fn fn = table().kernels[device.type().id()][op].load(std::memory_order_acquire);
  if (!fn) return false;
  return call_kernel(fn, op, op_name(op), inputs, outputs, scalars, ints, /*may_decline=*/true);
}

}  // namespace ember::dispatch

namespace ember {
void set_fallback(FallbackMode mode) { dispatch::fallback_mode().store(mode); }
FallbackMode get_fallback() { return dispatch::fallback_mode().load(); }

std::vector<FallbackOp> fallback_ops() {
  auto& log = dispatch::fallback_log();
  std::lock_guard lock(log.mutex);
  std::vector<FallbackOp> out;
  for (const auto& [type, op] : log.entries)
    out.push_back({dispatch::op_name(op), std::string(DeviceType::from_id(type).name())});
  return out;
}
void reset_fallback_ops() {
  auto& log = dispatch::fallback_log();
  std::lock_guard lock(log.mutex);
  log.entries.clear();
}
}  // namespace ember
