#pragma once
// Devices: an open set of types named by plugins, each with numbered devices.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

namespace ember {

// A device type is a name ("cpu", "opencl", ...) interned to a small id. The
// set is open: a plugin registers its own, and `DeviceType("mydev")` names it.
class DeviceType {
 public:
  static constexpr int kMaxTypes = 16;
  explicit DeviceType(std::string_view name);
  DeviceType(const char* name) : DeviceType(std::string_view(name)) {}
  int id() const noexcept { return id_; }
  std::string_view name() const;
  bool operator==(const DeviceType& o) const noexcept { return id_ == o.id_; }
  static constexpr DeviceType from_id(int id) noexcept { return DeviceType(id, 0); }

 private:
  constexpr DeviceType(int id, int) noexcept : id_(id) {}
  int id_;
};
std::ostream& operator<<(std::ostream& out, const DeviceType& t);

inline constexpr DeviceType kCPU = DeviceType::from_id(0);
inline constexpr DeviceType kCUDA = DeviceType::from_id(1);
inline constexpr DeviceType kOpenCL = DeviceType::from_id(2);
inline constexpr DeviceType kVulkan = DeviceType::from_id(3);

class Device {
 public:
  // "cpu", "cuda:1", "opencl". Throws Error on a malformed string.
  Device(const std::string& spec);
  Device(const char* spec) : Device(std::string(spec)) {}
  Device(DeviceType type, int index = -1);
  DeviceType type() const noexcept { return DeviceType::from_id(type_); }
  int index() const noexcept { return index_; }
  bool has_index() const noexcept { return index_ >= 0; }
  bool is_cpu() const noexcept;
  bool is_cuda() const noexcept;
  std::string str() const;
  bool operator==(const Device& o) const noexcept { return type_ == o.type_ && index_ == o.index_; }
  bool operator!=(const Device& o) const noexcept { return !(*this == o); }
  // The device a tensor lives on: index 0 filled in when none was given,
  // except for the CPU, which has no index (as in libtorch).
  Device normalized() const noexcept { return Device(type_, type_ == 0 ? -1 : (index_ < 0 ? 0 : index_), 0); }

 private:
  Device(int type, int index, int) noexcept : type_(int16_t(type)), index_(int16_t(index)) {}
  int16_t type_;
  int16_t index_;
};
std::ostream& operator<<(std::ostream& out, const Device& d);

}  // namespace ember
