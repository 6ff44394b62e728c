#pragma once
// C++ helpers over the plugin ABI, so that a backend author writes ordinary
// C++: kernels as functions over tensor descriptors, errors as exceptions
// that never leave the plugin, and one macro for the entry point.
//
// This header includes nothing from Ember's core: a plugin builds against
// sdk/ alone.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>

#include "ember/sdk/abi.h"
#include "ember/sdk/half.h"
#include "ember/sdk/op_names.h"

namespace ember::sdk {

// An error inside a plugin; `kernel_entry` turns it into a status code.
struct KernelError : std::runtime_error {
  KernelError(ember_status status, const std::string& message) : std::runtime_error(message), status(status) {}
  ember_status status;
};
[[noreturn]] inline void fail(const std::string& message, ember_status status = EMBER_ERR_INVALID_ARGUMENT) {
  throw KernelError(status, message);
}
[[noreturn]] inline void unsupported(const std::string& message) { throw KernelError(EMBER_ERR_UNSUPPORTED, message); }

inline void write_message(char* buffer, size_t capacity, const char* message) {
  if (!buffer || capacity == 0) return;
  std::snprintf(buffer, capacity, "%s", message);
}

// Runs `body` and converts any exception to a status plus message: the only
// way errors cross the ABI.
template <typename Body>
int32_t guarded(char* error, size_t capacity, Body&& body) noexcept {
  try {
    body();
    return EMBER_OK;
  } catch (const KernelError& e) {
    write_message(error, capacity, e.what());
    return e.status;
  } catch (const std::bad_alloc&) {
    write_message(error, capacity, "out of memory");
    return EMBER_ERR_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    write_message(error, capacity, e.what());
    return EMBER_ERR_INTERNAL;
  } catch (...) {
    write_message(error, capacity, "unknown exception in plugin");
    return EMBER_ERR_INTERNAL;
  }
}

inline const char* dtype_name(int32_t dtype) {
  static const char* names[] = {"float32", "float64", "int32", "int64", "bool", "uint8", "float16", "bfloat16"};
  return dtype >= 0 && dtype < EMBER_DTYPE_COUNT ? names[dtype] : "unknown";
}
inline int64_t dtype_size(int32_t dtype) {
  static const int64_t sizes[] = {4, 8, 4, 8, 1, 1, 2, 2};
  return dtype >= 0 && dtype < EMBER_DTYPE_COUNT ? sizes[dtype] : 0;
}

// Read-only helpers over an ember_tensor.
struct TensorArg {
  const ember_tensor* t;
  int32_t ndim() const { return t->ndim; }
  int64_t size(int i) const { return t->sizes[i]; }
  int64_t stride(int i) const { return t->strides[i]; }
  int32_t dtype() const { return t->dtype; }
  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < t->ndim; ++i) n *= t->sizes[i];
    return n;
  }
  bool is_contiguous() const {
    int64_t expected = 1;
    for (int i = t->ndim - 1; i >= 0; --i) {
      if (t->sizes[i] == 1) continue;
      if (t->strides[i] != expected) return false;
      expected *= t->sizes[i];
    }
    return true;
  }
  // The first element, for host-accessible memory.
  template <typename T>
  T* data() const {
    return static_cast<T*>(t->data) + t->offset;
  }
  char* bytes() const { return static_cast<char*>(t->data) + t->offset * dtype_size(t->dtype); }
};

// Maps an ember_dtype to a C++ type and calls `fn.template operator()<T>()`.
// Use as: dispatch_dtype(d, [&]<typename T>() { ... });
template <typename Fn>
decltype(auto) dispatch_dtype(int32_t dtype, Fn&& fn) {
  switch (dtype) {
    case EMBER_DTYPE_FLOAT32: return fn.template operator()<float>();
    case EMBER_DTYPE_FLOAT64: return fn.template operator()<double>();
    case EMBER_DTYPE_INT32: return fn.template operator()<int32_t>();
    case EMBER_DTYPE_INT64: return fn.template operator()<int64_t>();
    case EMBER_DTYPE_BOOL: return fn.template operator()<bool>();
    case EMBER_DTYPE_UINT8: return fn.template operator()<uint8_t>();
    case EMBER_DTYPE_FLOAT16: return fn.template operator()<Half>();
    case EMBER_DTYPE_BFLOAT16: return fn.template operator()<BFloat16>();
  }
  unsupported(std::string("unknown dtype code ") + std::to_string(dtype));
}


// Declares the plugin's entry point. `register_fn` has the signature
//   void register_fn(ember::sdk::Registrar& r);
// and `probe_fn`
//   void probe_fn();   // throws ember::sdk::KernelError when unusable
class Registrar {
 public:
  Registrar(const ember_host_api* host, void* token) : host_(host), token_(token) {}
  // Registers a device type and returns the id the core gave it.
  int32_t device_type(const ember_device_api& api) {
    int32_t id = -1;
    char err[256] = {0};
    if (host_->register_device_type(token_, &api, &id, err, sizeof err) != EMBER_OK) fail(err);
    return id;
  }
  void kernel(int32_t op, int32_t device_type, ember_kernel_fn fn) {
    char err[256] = {0};
    if (host_->register_kernel(token_, op, device_type, fn, err, sizeof err) != EMBER_OK) fail(err);
  }
  // Adds a new op; returns its id for kernel().
  int32_t op(const char* name, int32_t num_inputs, int32_t num_outputs) {
    require(offsetof(ember_host_api, register_op), "register_op");
    int32_t id = -1;
    char err[256] = {0};
    if (host_->register_op(token_, name, num_inputs, num_outputs, &id, err, sizeof err) != EMBER_OK) fail(err);
    return id;
  }
  // A backward kernel for an added op, or a device's own for a built-in node.
  void backward(const char* name, int32_t device_type, ember_kernel_fn fn) {
    require(offsetof(ember_host_api, register_backward), "register_backward");
    char err[256] = {0};
    if (host_->register_backward(token_, name, device_type, fn, err, sizeof err) != EMBER_OK) fail(err);
  }

 private:
  // A core older than this SDK may lack a slot.
  void require(size_t offset, const char* slot) const {
    if (host_->struct_size <= offset) fail(std::string("the core is too old for ") + slot);
  }
  const ember_host_api* host_;
  void* token_;
};

}  // namespace ember::sdk

// Defines a kernel entry `name` over a body taking (const ember_op_call& call).
#define EMBER_KERNEL(name)                                                                        \
  static void name##_body(const ember_op_call& call);                                             \
  extern "C" int32_t name(const ember_op_call* call) {                                            \
    return ::ember::sdk::guarded(call->error, call->error_capacity, [&] { name##_body(*call); }); \
  }                                                                                               \
  static void name##_body(const ember_op_call& call)

#define EMBER_DEFINE_PLUGIN(plugin_name, plugin_version, probe_fn, register_fn)                        \
  static int32_t ember_plugin_probe_(char* reason, size_t cap) {                                      \
    return ::ember::sdk::guarded(reason, cap, [] { probe_fn(); });                                     \
  }                                                                                                   \
  static int32_t ember_plugin_register_(const ember_host_api* host, void* token, char* err, size_t cap) { \
    return ::ember::sdk::guarded(err, cap, [&] {                                                       \
      ::ember::sdk::Registrar registrar(host, token);                                                  \
      register_fn(registrar);                                                                          \
    });                                                                                               \
  }                                                                                                   \
  extern "C" EMBER_PLUGIN_EXPORT const ember_plugin_info* ember_plugin_entry(void) {                   \
    static const ember_plugin_info info = {sizeof(ember_plugin_info), EMBER_ABI_VERSION, EMBER_ABI_VERSION, \
                                           plugin_name, plugin_version, ember_plugin_probe_,          \
                                           ember_plugin_register_};                                   \
    return &info;                                                                                     \
  }
