// DeviceType interning and Device parsing.
#include "ember/device.h"

#include <array>
#include <atomic>
#include <charconv>
#include <mutex>
#include <ostream>
#include <string>

#include "device/device_types.h"
#include "device/registry.h"
#include "ember/error.h"
#include "plugin/loader.h"

namespace ember {
namespace device_types {
namespace {
struct Table {
  // Names never change once published, so readers take no lock.
  std::array<std::string, DeviceType::kMaxTypes> names{"cpu", "cuda", "opencl", "vulkan"};
  std::atomic<int> count{4};
  std::mutex mutex;
};
Table& table() {
  static Table t;
  return t;
}
}  // namespace

std::optional<int> find(std::string_view name) {
  Table& t = table();
  const int n = t.count.load(std::memory_order_acquire);
  for (int i = 0; i < n; ++i)
    if (t.names[i] == name) return i;
  return std::nullopt;
}

int intern(std::string_view name) {
  if (auto id = find(name)) return *id;
  Table& t = table();
  std::lock_guard<std::mutex> lock(t.mutex);
  if (auto id = find(name)) return *id;
  const int n = t.count.load(std::memory_order_relaxed);
  EMBER_CHECK(n < DeviceType::kMaxTypes, "cannot register device type '", name, "': all ", DeviceType::kMaxTypes,
              " device type slots are taken");
  t.names[n] = std::string(name);
  t.count.store(n + 1, std::memory_order_release);
  return n;
}

std::string_view name(int id) {
  Table& t = table();
  if (id < 0 || id >= t.count.load(std::memory_order_acquire)) return "unknown";
  return t.names[id];
}
}  // namespace device_types

namespace {
bool valid_type_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

int resolve_type(std::string_view name, std::string_view spec) {
  EMBER_CHECK(valid_type_name(name), "Device: malformed device string '", spec,
              "'; expected a type name in lower case with an optional ':index', e.g. 'cpu', 'cuda:1'");
  if (auto id = device_types::find(name)) return *id;
  plugins::ensure_loaded();  // a plugin may add this type
  if (auto id = device_types::find(name)) return *id;
  EMBER_CHECK(false, "Device: unknown device type '", name, "' in '", spec,
              "'; available devices: ", device_registry::available_list());
  return -1;
}
}  // namespace

DeviceType::DeviceType(std::string_view name) : id_(resolve_type(name, name)) {}

std::string_view DeviceType::name() const { return device_types::name(id_); }

std::ostream& operator<<(std::ostream& out, const DeviceType& t) { return out << t.name(); }

Device::Device(const std::string& spec) {
  const auto colon = spec.find(':');
  const std::string_view name = std::string_view(spec).substr(0, colon);
  type_ = int16_t(resolve_type(name, spec));
  index_ = -1;
  if (colon != std::string::npos) {
    const std::string_view digits = std::string_view(spec).substr(colon + 1);
    int value = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    EMBER_CHECK(!digits.empty() && ec == std::errc() && end == digits.data() + digits.size() && value >= 0 &&
                    value < 32768 && (digits.size() == 1 || digits[0] != '0'),
                "Device: malformed device string '", spec,
                "'; the index after ':' must be a non-negative integer, e.g. 'cuda:1'");
    index_ = int16_t(value);
  }
}

Device::Device(DeviceType type, int index) : type_(int16_t(type.id())), index_(int16_t(index)) {
  EMBER_CHECK(index >= -1 && index < 32768, "Device: index ", index, " of device type '", type.name(),
              "' is out of range; use -1 (none) or a non-negative ordinal");
}

bool Device::is_cpu() const noexcept { return type_ == 0; }
bool Device::is_cuda() const noexcept { return type_ == 1; }

std::string Device::str() const {
  std::string s(device_types::name(type_));
  if (index_ >= 0) s += ":" + std::to_string(index_);
  return s;
}

std::ostream& operator<<(std::ostream& out, const Device& d) { return out << d.str(); }

}  // namespace ember
