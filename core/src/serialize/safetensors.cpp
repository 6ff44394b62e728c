// The safetensors format: an 8-byte little-endian header length, a JSON
// header naming each tensor's dtype, shape and byte range, then the bytes.
// The reader trusts nothing: every length, offset and shape is checked
// against the file before a byte is read.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "ember/autograd.h"
#include "ember/factories.h"
#include "ember/nn/module.h"
#include "ember/serialize.h"
#include "tensor/make.h"

namespace ember {
namespace {

using json = nlohmann::json;

// Headers larger than this are refused (the reference limit is 100 MB).
constexpr uint64_t kMaxHeader = 100'000'000;

const char* code_of(Dtype d) {
  switch (d) {
    case kFloat32: return "F32";
    case kFloat64: return "F64";
    case kInt32: return "I32";
    case kInt64: return "I64";
    case kBool: return "BOOL";
    case kUInt8: return "U8";
    case kFloat16: return "F16";
    case kBFloat16: return "BF16";
  }
  return "?";
}

std::optional<Dtype> dtype_of_code(const std::string& code) {
  for (Dtype d : {kFloat32, kFloat64, kInt32, kInt64, kBool, kUInt8, kFloat16, kBFloat16})
    if (code == code_of(d)) return d;
  return std::nullopt;
}

[[noreturn]] void malformed(const std::string& why) {
  EMBER_CHECK(false, "load_tensors: not a valid safetensors file: ", why);
  std::abort();
}

}  // namespace

void save(const std::map<std::string, Tensor>& tensors, const std::string& path,
          const std::map<std::string, std::string>& metadata) {
  NoGradGuard no_grad;
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<Tensor> hosts;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    EMBER_CHECK(t.defined(), "save: tensor '", name, "' is undefined");
    EMBER_CHECK(name != "__metadata__", "save: '__metadata__' is reserved by the format");
    Tensor host = t.to(Device(kCPU)).contiguous();
    const uint64_t bytes = uint64_t(host.nbytes());
    header[name] = {{"dtype", code_of(host.dtype())}, {"shape", host.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    hosts.push_back(host);
  }
  std::string text = header.dump();
  // Pad the header with spaces so the data starts 8-byte aligned, as Python does.
  while ((8 + text.size()) % 8) text += ' ';
  const uint64_t length = text.size();

  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path tmp = target.string() + ".tmp-" + std::to_string(std::random_device{}());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    EMBER_CHECK(out, "save: cannot write '", tmp.string(), "'; check the directory exists and is writable");
    unsigned char le[8];
    for (int i = 0; i < 8; ++i) le[i] = static_cast<unsigned char>(length >> (8 * i));
    out.write(reinterpret_cast<const char*>(le), 8);
    out.write(text.data(), std::streamsize(text.size()));
    for (const Tensor& h : hosts)
      if (h.nbytes() > 0) out.write(static_cast<const char*>(h.data_ptr()), std::streamsize(h.nbytes()));
    out.flush();
    if (!out) {
      out.close();
      std::error_code ec;
      fs::remove(tmp, ec);
      EMBER_CHECK(false, "save: writing '", tmp.string(), "' failed (disk full?); '", path, "' is unchanged");
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    EMBER_CHECK(false, "save: cannot replace '", path, "': ", ec.message());
  }
}

std::map<std::string, Tensor> load_tensors_from_bytes(const void* data, size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  if (size < 8) malformed("the file has " + std::to_string(size) + " bytes, fewer than the 8 of the header length");
  uint64_t length = 0;
  for (int i = 0; i < 8; ++i) length |= uint64_t(bytes[i]) << (8 * i);
  if (length > kMaxHeader) malformed("the header length " + std::to_string(length) + " exceeds the limit of 100 MB");
  if (length > size - 8)
    malformed("the header length " + std::to_string(length) + " runs past the end of the file (" +
              std::to_string(size) + " bytes): the file is truncated");
  json header;
  try {
    header = json::parse(reinterpret_cast<const char*>(bytes + 8), reinterpret_cast<const char*>(bytes + 8 + length));
  } catch (const json::exception& e) {
    malformed(std::string("the header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) malformed("the header is not a JSON object");
  const uint64_t data_size = size - 8 - length;
  const unsigned char* data_start = bytes + 8 + length;

  struct Entry {
    std::string name;
    Dtype dtype;
    std::vector<int64_t> shape;
    uint64_t begin, end;
  };
  std::vector<Entry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      if (!info.is_object()) malformed("__metadata__ is not an object");
      for (const auto& [k, v] : info.items())
        if (!v.is_string()) malformed("__metadata__ value of '" + k + "' is not a string");
      continue;
    }
    if (!info.is_object() || !info.contains("dtype") || !info.contains("shape") || !info.contains("data_offsets"))
      malformed("tensor '" + name + "' lacks dtype, shape or data_offsets");
    const json& dtype = info["dtype"];
    const json& shape = info["shape"];
    const json& offsets = info["data_offsets"];
    if (!dtype.is_string()) malformed("tensor '" + name + "': dtype is not a string");
    auto d = dtype_of_code(dtype.get<std::string>());
    if (!d) malformed("tensor '" + name + "' has the unknown dtype '" + dtype.get<std::string>() + "'");
    if (!shape.is_array()) malformed("tensor '" + name + "': shape is not an array");
    Entry e{name, *d, {}, 0, 0};
    uint64_t numel = 1;
    for (const json& s : shape) {
      if (!s.is_number_unsigned()) malformed("tensor '" + name + "': a dimension is not a non-negative integer");
      const uint64_t v = s.get<uint64_t>();
      if (v > uint64_t(std::numeric_limits<int64_t>::max()) || (v && numel > data_size / v + 1))
        malformed("tensor '" + name + "': its shape is larger than the file");
      numel *= v;
      e.shape.push_back(int64_t(v));
    }
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned())
      malformed("tensor '" + name + "': data_offsets is not a pair of non-negative integers");
    e.begin = offsets[0].get<uint64_t>();
    e.end = offsets[1].get<uint64_t>();
    if (e.begin > e.end || e.end > data_size)
      malformed("tensor '" + name + "': data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                "] are out of the data's " + std::to_string(data_size) + " bytes");
    const uint64_t want = numel * uint64_t(element_size(*d));
    if (e.end - e.begin != want)
      malformed("tensor '" + name + "': data_offsets span " + std::to_string(e.end - e.begin) +
                " bytes, but its dtype and shape need " + std::to_string(want));
    entries.push_back(std::move(e));
  }
  // Byte ranges must tile the data exactly: no overlap, no hole.
  std::vector<const Entry*> order;
  for (const Entry& e : entries) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t covered = 0;
  for (const Entry* e : order) {
    if (e->begin < covered) malformed("tensor '" + e->name + "' overlaps another tensor's bytes");
    if (e->begin > covered) malformed("the data has a hole before tensor '" + e->name + "'");
    covered = e->end;
  }
  if (covered != data_size) malformed("the data has " + std::to_string(data_size - covered) + " bytes no tensor uses");

  std::map<std::string, Tensor> out;
  for (const Entry& e : entries) {
    Tensor t = detail::make_tensor(e.shape, e.dtype, Device(kCPU));
    if (e.end > e.begin) std::memcpy(t.data_ptr(), data_start + e.begin, size_t(e.end - e.begin));
    if (e.dtype == kBool) {
      // Any nonzero byte is true; keep bool storage canonical (0 or 1).
      auto* b = static_cast<uint8_t*>(t.data_ptr());
      for (int64_t i = 0; i < t.numel(); ++i) b[i] = b[i] != 0;
    }
    out.emplace(e.name, std::move(t));
  }
  return out;
}

std::map<std::string, Tensor> load_tensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  EMBER_CHECK(in, "load_tensors: cannot open '", path, "'");
  const std::streamoff size = in.tellg();
  in.seekg(0);
  std::vector<char> bytes(size_t(std::max<std::streamoff>(size, 0)));
  if (!bytes.empty()) in.read(bytes.data(), size);
  EMBER_CHECK(in, "load_tensors: reading '", path, "' failed");
  try {
    return load_tensors_from_bytes(bytes.data(), bytes.size());
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (" + path + ")");
  }
}

void save(const nn::Module& module, const std::string& path) {
  std::map<std::string, Tensor> state;
  for (const auto& item : module.named_parameters()) state.emplace(item.first, item.second);
  for (const auto& item : module.named_buffers()) state.emplace(item.first, item.second);
  save(state, path);
}

void load(nn::Module& module, const std::string& path) {
  std::map<std::string, Tensor> loaded = load_tensors(path);
  std::map<std::string, Tensor> targets;
  for (const auto& item : module.named_parameters()) targets.emplace(item.first, item.second);
  for (const auto& item : module.named_buffers()) targets.emplace(item.first, item.second);
  // Check everything first: a failed load changes nothing.
  for (const auto& [name, t] : targets) {
    auto it = loaded.find(name);
    EMBER_CHECK(it != loaded.end(), "load: '", path, "' has no tensor '", name, "' that ", module.name(), " needs");
    EMBER_CHECK(it->second.sizes().equals(t.sizes()), "load: '", name, "' has shape ",
                detail::shape_str(it->second.sizes()), " in '", path, "' but ", detail::shape_str(t.sizes()),
                " in the module");
  }
  for (const auto& [name, t] : loaded)
    EMBER_CHECK(targets.count(name), "load: '", path, "' has a tensor '", name, "' that ", module.name(),
                " does not have");
  NoGradGuard no_grad;
  for (auto& [name, t] : targets) t.copy_(loaded.at(name));
}

}  // namespace ember
