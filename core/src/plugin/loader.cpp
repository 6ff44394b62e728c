// Finds plugin libraries, loads them with Boost.DLL, negotiates the ABI and
// lets them register their device types and kernels.
//
// Note [Plugin discovery]
// Candidates are files named libember-backend-*.so or libember-plugin-*.so,
// searched in order in: each directory of EMBER_PLUGIN_PATH (':'-separated),
// the `ember/plugins` directory beside libember_core.so (the install layout;
// the build tree mirrors it), and the build tree's plugin directory compiled
// in as EMBER_BUILD_PLUGIN_DIR. The first file of a given name wins. Loading
// is lazy and in two steps, each once (std::call_once): the first CPU tensor
// loads only the CPU plugin (libember-backend-cpu.so); anything that needs
// another device — a device type the core does not know yet, devices(),
// device_count(), plugins::list(), a plugin's op — loads all the others. A
// program that never leaves the CPU so never maps a GPU driver (its start
// and its memory are the CPU's alone). manual_seed and set_num_threads reach
// the plugins loaded later too (remembered here). A plugin that fails at any step
// is recorded with the reason and skipped; nothing here aborts the process.
// Plugins are never unloaded (Note [Plugin lifetime]): kernels, device APIs
// and storages' deleters point into them until the process exits.
#define BOOST_DLL_USE_STD_FS
#include "plugin/loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "device/device_types.h"
#include "device/registry.h"
#include "autograd/formulas.h"
#include "dispatch/custom_ops.h"
#include "dispatch/dispatch.h"
#include "ember/error.h"
#include "ember/runtime.h"
#include "ember/sdk/abi.h"
#include "ember/sdk/op_names.h"

namespace ember::plugins {
namespace {

namespace fs = std::filesystem;

bool trace_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("EMBER_LOG");
    return v && std::string(v).find("plugins") != std::string::npos;
  }();
  return on;
}

template <typename... Args>
void trace(const Args&... args) {
  if (trace_enabled()) std::fprintf(stderr, "ember[plugins]: %s\n", detail::str_cat(args...).c_str());
}

struct State {
  std::recursive_mutex mutex;
  std::vector<PluginInfo> records;
  std::vector<boost::dll::shared_library> libraries;  // kept loaded forever
  std::once_flag discovered;
  std::atomic<bool> done{false};
  std::once_flag cpu_discovered;
  std::atomic<bool> cpu_done{false};
  std::set<std::string> tried;  // file names already loaded or rejected
  // What later plugins must also be told (manual_seed, set_num_threads).
  std::optional<uint64_t> seed;
  std::optional<int> threads;
};
State& state() {
  static State* s = new State;  // never destroyed: see Note [Plugin lifetime]
  return *s;
}

// What a plugin's register call adds, collected before it is committed so a
// plugin that fails halfway leaves nothing behind.
struct Registration {
  std::string plugin;
  std::vector<std::pair<int, const ember_device_api*>> device_types;
  std::vector<std::tuple<int, int, ember_kernel_fn>> kernels;
  std::set<int> own_types;
  std::set<int> own_ops;  // ops this plugin added: kernels for any device type
  // (op name, device type or -1, kernel)
  std::vector<std::tuple<std::string, int, ember_kernel_fn>> backwards;
};

int32_t host_register_device_type(void* token, const ember_device_api* api, int32_t* type_id, char* err,
                                  size_t cap) {
  auto* reg = static_cast<Registration*>(token);
  try {
    if (!api || api->struct_size < offsetof(ember_device_api, synchronize) || !api->type_name || !api->device_count ||
        !api->allocate || !api->deallocate || !api->copy_to_host || !api->copy_from_host) {
      std::snprintf(err, cap, "device API table is incomplete: type_name, device_count, allocate, deallocate, "
                              "copy_to_host and copy_from_host are required");
      return EMBER_ERR_INVALID_ARGUMENT;
    }
    const int id = device_types::intern(api->type_name);
    if (device_registry::find(id)) {
      std::snprintf(err, cap, "device type '%s' is already registered by plugin '%s'", api->type_name,
                    device_registry::find(id)->plugin.c_str());
      return EMBER_ERR_INVALID_ARGUMENT;
    }
    reg->device_types.emplace_back(id, api);
    reg->own_types.insert(id);
    *type_id = id;
    return EMBER_OK;
  } catch (const std::exception& e) {
    std::snprintf(err, cap, "%s", e.what());
    return EMBER_ERR_INVALID_ARGUMENT;
  }
}

int32_t host_register_kernel(void* token, int32_t op, int32_t device_type, ember_kernel_fn fn, char* err,
                             size_t cap) {
  auto* reg = static_cast<Registration*>(token);
  const bool own_op = reg->own_ops.count(op) > 0;
  if (!fn || op < 0 || (op >= EMBER_OP_COUNT && !own_op)) {
    std::snprintf(err, cap, "register_kernel: op id %d is not an op of ABI %u nor one this plugin added (or the "
                  "kernel is null)", op, EMBER_ABI_VERSION);
    return EMBER_ERR_INVALID_ARGUMENT;
  }
  if (own_op ? !device_registry::find(device_type) && !reg->own_types.count(device_type)
             : !reg->own_types.count(device_type)) {
    std::snprintf(err, cap, "register_kernel(%s): device type id %d was not registered by this plugin",
                  dispatch::op_name(op).c_str(), device_type);
    return EMBER_ERR_INVALID_ARGUMENT;
  }
  reg->kernels.emplace_back(op, device_type, fn);
  return EMBER_OK;
}

int32_t host_register_op(void* token, const char* name, int32_t num_inputs, int32_t num_outputs, int32_t* op_out,
                         char* err, size_t cap) {
  auto* reg = static_cast<Registration*>(token);
  try {
    EMBER_CHECK(name && *name, "register_op: the op needs a name");
    const dispatch::CustomOp& op = dispatch::add_custom_op(name, reg->plugin, num_inputs, num_outputs);
    reg->own_ops.insert(op.id);
    *op_out = op.id;
    return EMBER_OK;
  } catch (const std::exception& e) {
    std::snprintf(err, cap, "%s", e.what());
    return EMBER_ERR_INVALID_ARGUMENT;
  }
}

int32_t host_register_backward(void* token, const char* name, int32_t device_type, ember_kernel_fn fn, char* err,
                               size_t cap) {
  auto* reg = static_cast<Registration*>(token);
  const std::string op = name ? name : "";
  const dispatch::CustomOp* custom = dispatch::find_custom_op(op);
  if (!fn) {
    std::snprintf(err, cap, "register_backward(%s): the kernel is null", op.c_str());
    return EMBER_ERR_INVALID_ARGUMENT;
  }
  if (custom) {
    if (!reg->own_ops.count(custom->id)) {
      std::snprintf(err, cap, "register_backward(%s): the op belongs to plugin '%s'", op.c_str(),
                    custom->plugin.c_str());
      return EMBER_ERR_INVALID_ARGUMENT;
    }
  } else if (!autograd::find_op(op)) {
    std::snprintf(err, cap, "register_backward: '%s' is neither an op this plugin added nor a node of the core's "
                  "formula table (e.g. ReluBackward0)", op.c_str());
    return EMBER_ERR_INVALID_ARGUMENT;
  } else if (!reg->own_types.count(device_type)) {
    std::snprintf(err, cap, "register_backward(%s): a plugin overrides built-in formulas only for its own device "
                  "types (got device type id %d)", op.c_str(), device_type);
    return EMBER_ERR_INVALID_ARGUMENT;
  }
  reg->backwards.emplace_back(op, device_type, fn);
  return EMBER_OK;
}

const ember_host_api kHostApi = {sizeof(ember_host_api), EMBER_ABI_VERSION,     host_register_device_type,
                                 host_register_kernel,   host_register_op,     host_register_backward};

std::string plugin_name_from_file(const fs::path& p) {
  std::string stem = p.stem().string();
  for (const char* prefix : {"libember-backend-", "libember-plugin-"})
    if (stem.rfind(prefix, 0) == 0) return stem.substr(std::strlen(prefix));
  return stem;
}

PluginInfo load_locked(State& s, const fs::path& path) {
  PluginInfo info;
  info.path = path.string();
  info.name = plugin_name_from_file(path);
  auto reject = [&](const std::string& reason) {
    info.reason = reason;
    trace("rejected ", info.path, ": ", reason);
    s.records.push_back(info);
    return info;
  };
  trace("loading ", info.path);
  boost::dll::shared_library lib;
  try {
    // RTLD_LOCAL keeps each plugin's symbols to itself; RTLD_NOW reports a
    // missing dependency here rather than at first call.
    lib.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    const char* why = dlerror();
    return reject(std::string("cannot load the library: ") + (why ? why : e.what()));
  }
  if (!lib.has(EMBER_PLUGIN_ENTRY_SYMBOL))
    return reject("not an Ember plugin: it does not export '" EMBER_PLUGIN_ENTRY_SYMBOL "'");
  const ember_plugin_info* pi = nullptr;
  try {
    pi = lib.get<const ember_plugin_info*()>(EMBER_PLUGIN_ENTRY_SYMBOL)();
  } catch (const std::exception& e) {
    return reject(std::string("its entry point failed: ") + e.what());
  }
  if (!pi || pi->struct_size < sizeof(uint32_t) * 3) return reject("its entry point returned no plugin table");
  if (pi->struct_size >= offsetof(ember_plugin_info, version) + sizeof(pi->version)) {
    if (pi->name) info.name = pi->name;
    if (pi->version) info.version = pi->version;
  }
  if (EMBER_ABI_VERSION < pi->abi_min || EMBER_ABI_VERSION > pi->abi_max)
    return reject(detail::str_cat("ABI mismatch: the plugin supports ABI versions ", pi->abi_min, " to ", pi->abi_max,
                                  ", the core speaks version ", EMBER_ABI_VERSION,
                                  "; rebuild the plugin against this Ember SDK"));
  if (pi->struct_size < sizeof(ember_plugin_info) || !pi->register_plugin)
    return reject("its plugin table is incomplete (no register_plugin)");
  for (const PluginInfo& r : s.records)
    if (r.loaded && r.name == info.name) return reject("a plugin named '" + info.name + "' is already loaded from " + r.path);
  char msg[512] = {0};
  if (pi->probe && pi->probe(msg, sizeof msg) != EMBER_OK) return reject(std::string("no usable device: ") + msg);
  Registration reg{info.name, {}, {}, {}, {}, {}};
  if (pi->register_plugin(&kHostApi, &reg, msg, sizeof msg) != EMBER_OK)
    return reject(std::string("registration failed: ") + msg);
  // Commit: device types first, so a kernel never names an unknown type.
  try {
    for (auto [id, api] : reg.device_types) {
      const int count = api->device_count();
      device_registry::add(id, api, count, info.name);
      info.device_types.emplace_back(api->type_name);
      trace(info.name, ": device type '", api->type_name, "' with ", count, " device(s)");
    }
  } catch (const std::exception& e) {
    return reject(e.what());
  }
  for (auto [op, type, fn] : reg.kernels) dispatch::register_kernel(op, type, fn);
  for (const auto& [op, type, fn] : reg.backwards) autograd::register_backward_kernel(op, type, fn);
  for (auto [id, api] : reg.device_types) {
    if (s.threads && api->set_num_threads) api->set_num_threads(*s.threads);
    if (s.seed && api->manual_seed)
      for (int i = 0; i < api->device_count(); ++i) api->manual_seed(i, *s.seed);
  }
  trace("loaded ", info.name, " ", info.version, " (", reg.kernels.size(), " kernels)");
  s.libraries.push_back(std::move(lib));
  info.loaded = true;
  s.records.push_back(info);
  return info;
}

bool is_candidate(const fs::path& p) {
  const std::string name = p.filename().string();
  return (name.rfind("libember-backend-", 0) == 0 || name.rfind("libember-plugin-", 0) == 0) &&
         p.extension() == ".so";
}

// Loads the candidates not tried yet; with cpu_only, only the CPU plugin.
void discover(bool cpu_only) {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  std::set<std::string> seen_names;
  for (const std::string& dir : search_path()) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      trace("skipping ", dir, ": not a directory");
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (is_candidate(entry.path())) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      const std::string name = f.filename().string();
      if (cpu_only && name != "libember-backend-cpu.so") continue;
      if (!seen_names.insert(name).second) {
        trace("skipping ", f.string(), ": a plugin of that file name was found earlier on the path");
        continue;
      }
      if (!s.tried.insert(name).second) continue;  // loaded by the CPU step
      trace("candidate ", f.string());
      load_locked(s, f);
    }
  }
  s.cpu_done.store(true, std::memory_order_release);
  if (!cpu_only) s.done.store(true, std::memory_order_release);
}

}  // namespace

void ensure_cpu_loaded() {
  State& s = state();
  if (s.cpu_done.load(std::memory_order_acquire)) [[likely]]
    return;
  std::call_once(s.cpu_discovered, [] { discover(true); });
}

void remember_seed(uint64_t seed) {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  s.seed = seed;
}

void remember_num_threads(int n) {
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  s.threads = n;
}

void ensure_loaded() {
  State& s = state();
  if (s.done.load(std::memory_order_acquire)) [[likely]]
    return;
  ensure_cpu_loaded();
  std::call_once(s.discovered, [] { discover(false); });
}

std::vector<std::string> search_path() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("EMBER_PLUGIN_PATH")) {
    std::string all(env);
    size_t start = 0;
    while (start <= all.size()) {
      size_t end = all.find(':', start);
      if (end == std::string::npos) end = all.size();
      if (end > start) dirs.push_back(all.substr(start, end - start));
      start = end + 1;
    }
  }
  try {
    const fs::path core = boost::dll::this_line_location();
    dirs.push_back((core.parent_path() / "ember" / "plugins").string());
  } catch (const std::exception&) {
    // Without the core's own location the other directories still apply.
  }
#ifdef EMBER_BUILD_PLUGIN_DIR
  dirs.push_back(EMBER_BUILD_PLUGIN_DIR);
#endif
  std::vector<std::string> unique;
  for (auto& d : dirs)
    if (std::find(unique.begin(), unique.end(), d) == unique.end()) unique.push_back(d);
  return unique;
}

std::vector<PluginInfo> list() {
  ensure_loaded();
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  return s.records;
}

PluginInfo load(const std::string& path) {
  ensure_loaded();
  State& s = state();
  std::lock_guard<std::recursive_mutex> lock(s.mutex);
  const fs::path p = fs::absolute(path);
  for (const PluginInfo& r : s.records)
    if (std::error_code ec; r.loaded && fs::equivalent(r.path, p, ec)) return r;
  return load_locked(s, p);
}

}  // namespace ember::plugins
