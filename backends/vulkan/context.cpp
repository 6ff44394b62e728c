// The instance and its devices, the error choke point, the optional
// validation layer, and the geometry helpers every kernel family uses.
#include "context.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ember::vulkan {

const char* vk_result_name(VkResult r) {
  switch (r) {
#define EMBER_VK_CASE(name) \
  case name: return #name;
    EMBER_VK_CASE(VK_SUCCESS)
    EMBER_VK_CASE(VK_NOT_READY)
    EMBER_VK_CASE(VK_TIMEOUT)
    EMBER_VK_CASE(VK_INCOMPLETE)
    EMBER_VK_CASE(VK_ERROR_OUT_OF_HOST_MEMORY)
    EMBER_VK_CASE(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    EMBER_VK_CASE(VK_ERROR_INITIALIZATION_FAILED)
    EMBER_VK_CASE(VK_ERROR_DEVICE_LOST)
    EMBER_VK_CASE(VK_ERROR_MEMORY_MAP_FAILED)
    EMBER_VK_CASE(VK_ERROR_LAYER_NOT_PRESENT)
    EMBER_VK_CASE(VK_ERROR_EXTENSION_NOT_PRESENT)
    EMBER_VK_CASE(VK_ERROR_FEATURE_NOT_PRESENT)
    EMBER_VK_CASE(VK_ERROR_INCOMPATIBLE_DRIVER)
    EMBER_VK_CASE(VK_ERROR_TOO_MANY_OBJECTS)
    EMBER_VK_CASE(VK_ERROR_FORMAT_NOT_SUPPORTED)
    EMBER_VK_CASE(VK_ERROR_FRAGMENTED_POOL)
    EMBER_VK_CASE(VK_ERROR_OUT_OF_POOL_MEMORY)
    EMBER_VK_CASE(VK_ERROR_INVALID_EXTERNAL_HANDLE)
    EMBER_VK_CASE(VK_ERROR_FRAGMENTATION)
    EMBER_VK_CASE(VK_ERROR_INVALID_SHADER_NV)
    EMBER_VK_CASE(VK_ERROR_UNKNOWN)
#undef EMBER_VK_CASE
    default: return "an unknown VkResult";
  }
}

void check(VkResult r, const char* call) {
  if (r == VK_SUCCESS) return;
  const bool oom = r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY;
  sdk::fail(std::string("Vulkan: ") + call + " failed with " + vk_result_name(r) + " (" + std::to_string(int(r)) + ")",
            oom ? EMBER_ERR_OUT_OF_MEMORY : EMBER_ERR_DEVICE);
}

namespace {

// EMBER_VULKAN_VALIDATION=1 enables VK_LAYER_KHRONOS_validation with a
// messenger that prints each error as "ember vulkan: validation error: ..."
// (the validation CTest fails on that text) and counts them.
std::atomic<int> validation_errors{0};

VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                          VkDebugUtilsMessageTypeFlagsEXT,
                                          const VkDebugUtilsMessengerCallbackDataEXT* data, void*) {
  if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) {
    ++validation_errors;
    std::fprintf(stderr, "ember vulkan: validation error: %s\n", data->pMessage);
  } else if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) {
    std::fprintf(stderr, "ember vulkan: validation warning: %s\n", data->pMessage);
  }
  return VK_FALSE;
}

void report_validation() {
  std::fprintf(stderr, "ember vulkan: validation layer reported %d error(s)\n", validation_errors.load());
}

uint32_t instance_version = VK_API_VERSION_1_1;  // what create_instance asked for

bool validation_requested() {
  const char* v = std::getenv("EMBER_VULKAN_VALIDATION");
  return v && *v && std::strcmp(v, "0") != 0;
}

VkInstance create_instance() {
  uint32_t version = VK_API_VERSION_1_0;
  if (vkEnumerateInstanceVersion(&version) != VK_SUCCESS || version < VK_API_VERSION_1_1)
    sdk::fail("the Vulkan loader is older than 1.1", EMBER_ERR_DEVICE);
  VkApplicationInfo app{};
  app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
  app.pApplicationName = "ember";
  app.pEngineName = "ember";
  // 1.2 where the loader has it (8-bit storage is core there); the shaders are SPIR-V 1.3.
  app.apiVersion = instance_version = version >= VK_API_VERSION_1_2 ? VK_API_VERSION_1_2 : VK_API_VERSION_1_1;
  // Headless: no surface extensions, only debug utils when validating.
  std::vector<const char*> layers, extensions;
  const bool validate = validation_requested();
  if (validate) {
    layers.push_back("VK_LAYER_KHRONOS_validation");
    extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
    extensions.push_back(VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME);  // provided by the layer
  }
  VkInstanceCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
  info.pApplicationInfo = &app;
  info.enabledLayerCount = uint32_t(layers.size());
  info.ppEnabledLayerNames = layers.data();
  info.enabledExtensionCount = uint32_t(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  VkDebugUtilsMessengerCreateInfoEXT messenger{};
  messenger.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
  messenger.messageSeverity =
      VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT;
  messenger.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                          VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  messenger.pfnUserCallback = on_message;
  // Synchronization validation too: it checks the stream's barriers.
  const VkValidationFeatureEnableEXT enables[] = {VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT};
  VkValidationFeaturesEXT features{};
  features.sType = VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT;
  features.enabledValidationFeatureCount = 1;
  features.pEnabledValidationFeatures = enables;
  features.pNext = &messenger;
  if (validate) info.pNext = &features;  // the messenger also covers vkCreateInstance itself
  VkInstance instance = VK_NULL_HANDLE;
  const VkResult r = vkCreateInstance(&info, nullptr, &instance);
  if (r == VK_ERROR_INCOMPATIBLE_DRIVER)
    sdk::fail("no Vulkan driver found (vkCreateInstance: VK_ERROR_INCOMPATIBLE_DRIVER; is an ICD such as "
              "mesa-vulkan-drivers installed? see /usr/share/vulkan/icd.d)",
              EMBER_ERR_DEVICE);
  if (r == VK_ERROR_LAYER_NOT_PRESENT)
    sdk::fail("EMBER_VULKAN_VALIDATION is set, but VK_LAYER_KHRONOS_validation is not installed", EMBER_ERR_DEVICE);
  check(r, "vkCreateInstance");
  if (validate) {
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT"));
    VkDebugUtilsMessengerEXT handle = VK_NULL_HANDLE;
    if (create) check(create(instance, &messenger, nullptr, &handle), "vkCreateDebugUtilsMessengerEXT");
    std::atexit(report_validation);
  }
  return instance;
}

// A memory type allowed by `bits` with all of `want`, else all of `fallback`.
uint32_t memory_type(const VkPhysicalDeviceMemoryProperties& p, uint32_t bits, VkMemoryPropertyFlags want,
                     VkMemoryPropertyFlags fallback) {
  for (VkMemoryPropertyFlags flags : {want, fallback})
    for (uint32_t i = 0; i < p.memoryTypeCount; ++i)
      if ((bits & (1u << i)) && (p.memoryTypes[i].propertyFlags & flags) == flags) return i;
  sdk::fail("Vulkan: no suitable memory type", EMBER_ERR_DEVICE);
}

Device* open_device(VkPhysicalDevice physical, uint32_t family) {
  auto* d = new Device;
  d->physical = physical;
  d->family = family;
  vkGetPhysicalDeviceProperties(physical, &d->props);
  vkGetPhysicalDeviceMemoryProperties(physical, &d->memory_props);

  VkPhysicalDeviceMaintenance3Properties maintenance3{};
  maintenance3.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES;
  VkPhysicalDeviceSubgroupProperties subgroup{};
  subgroup.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES;
  subgroup.pNext = &maintenance3;
  VkPhysicalDeviceProperties2 props2{};
  props2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
  props2.pNext = &subgroup;
  vkGetPhysicalDeviceProperties2(physical, &props2);
  d->max_allocation = maintenance3.maxMemoryAllocationSize;
  d->subgroup_arith = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                      (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT) &&
                      !std::getenv("EMBER_VULKAN_NO_SUBGROUPS");

  // What the shaders need: int64 (shaderInt64), 8-bit storage and
  // arithmetic for bool / uint8 (Vulkan 1.2 features).
  const bool v12 = d->props.apiVersion >= VK_API_VERSION_1_2 && instance_version >= VK_API_VERSION_1_2;
  VkPhysicalDeviceVulkan12Features have12{};
  have12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
  VkPhysicalDeviceFeatures2 have{};
  have.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
  VkPhysicalDeviceVulkan11Features have11{};
  have11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES;
  have12.pNext = &have11;
  if (v12) have.pNext = &have12;
  vkGetPhysicalDeviceFeatures2(physical, &have);
  d->int64 = have.features.shaderInt64;
  d->fp64 = have.features.shaderFloat64;
  d->int8 = v12 && have12.storageBuffer8BitAccess && have12.shaderInt8;
  d->half = v12 && have11.storageBuffer16BitAccess && have12.shaderFloat16 && have.features.shaderInt16;

  VkPhysicalDeviceVulkan12Features enable12{};
  enable12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
  enable12.storageBuffer8BitAccess = d->int8;
  enable12.shaderInt8 = d->int8;
  enable12.shaderFloat16 = d->half;
  VkPhysicalDeviceVulkan11Features enable11{};
  enable11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES;
  enable11.storageBuffer16BitAccess = d->half;
  enable12.pNext = &enable11;
  VkPhysicalDeviceFeatures2 enable{};
  enable.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
  enable.features.shaderInt64 = d->int64;
  enable.features.shaderFloat64 = d->fp64;
  enable.features.shaderInt16 = d->half;
  if (v12) enable.pNext = &enable12;

  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue{};
  queue.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
  queue.queueFamilyIndex = family;
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;
  VkDeviceCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
  info.pNext = &enable;
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &queue;
  check(vkCreateDevice(physical, &info, nullptr, &d->device), "vkCreateDevice");
  vkGetDeviceQueue(d->device, family, 0, &d->queue);

  // Memory types, judged on a probe buffer's requirements.
  VkBufferCreateInfo bi{};
  bi.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
  bi.size = 256;
  bi.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  VkBuffer probe = VK_NULL_HANDLE;
  check(vkCreateBuffer(d->device, &bi, nullptr, &probe), "vkCreateBuffer");
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(d->device, probe, &req);
  vkDestroyBuffer(d->device, probe, nullptr);
  const auto& mp = d->memory_props;
  const VkMemoryPropertyFlags visible = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  d->device_memory_type = memory_type(mp, req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0);
  d->upload_memory_type = memory_type(mp, req.memoryTypeBits, visible, visible);
  d->readback_memory_type =
      memory_type(mp, req.memoryTypeBits, visible | VK_MEMORY_PROPERTY_HOST_CACHED_BIT, visible);

  d->name = std::string(d->props.deviceName) + " (Vulkan " + std::to_string(VK_API_VERSION_MAJOR(d->props.apiVersion)) +
            "." + std::to_string(VK_API_VERSION_MINOR(d->props.apiVersion)) + ")";
  init_stream(*d);
  init_pipelines(*d);
  return d;
}

std::vector<Device*> enumerate() {
  VkInstance instance = create_instance();  // lives as long as the process
  uint32_t count = 0;
  check(vkEnumeratePhysicalDevices(instance, &count, nullptr), "vkEnumeratePhysicalDevices");
  if (count == 0) sdk::fail("the Vulkan loader found no physical device", EMBER_ERR_DEVICE);
  std::vector<VkPhysicalDevice> physical(count);
  check(vkEnumeratePhysicalDevices(instance, &count, physical.data()), "vkEnumeratePhysicalDevices");
  std::vector<Device*> out;
  std::string skipped;
  for (VkPhysicalDevice p : physical) {
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(p, &props);
    if (props.apiVersion < VK_API_VERSION_1_1) {
      skipped += std::string(" ") + props.deviceName + " (Vulkan 1.0 only);";
      continue;
    }
    uint32_t n = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(p, &n, nullptr);
    std::vector<VkQueueFamilyProperties> families(n);
    vkGetPhysicalDeviceQueueFamilyProperties(p, &n, families.data());
    uint32_t family = UINT32_MAX;
    for (uint32_t i = 0; i < n && family == UINT32_MAX; ++i)
      if (families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) family = i;
    if (family == UINT32_MAX) {
      skipped += std::string(" ") + props.deviceName + " (no compute queue);";
      continue;
    }
    out.push_back(open_device(p, family));
    out.back()->index = int32_t(out.size() - 1);
  }
  if (out.empty()) sdk::fail("no Vulkan device is usable:" + skipped, EMBER_ERR_DEVICE);
  return out;
}

}  // namespace

std::vector<Device*>& devices() {
  // Devices live as long as the process: storages may be freed after main().
  static std::vector<Device*>* all = new std::vector<Device*>(enumerate());
  return *all;
}

Device& device(int32_t index) {
  auto& all = devices();
  if (index < 0 || size_t(index) >= all.size())
    sdk::fail("vulkan: no device " + std::to_string(index) + " (there are " + std::to_string(all.size()) + ")");
  return *all[size_t(index)];
}

const char* suffix(Device& dev, int32_t dtype, bool half) {
  switch (dtype) {
    case EMBER_DTYPE_FLOAT16:
    case EMBER_DTYPE_BFLOAT16:
      if (!half) break;
      if (!dev.half) sdk::unsupported("float16 and bfloat16 need 16-bit storage and arithmetic, which " + dev.name + " lacks");
      return dtype == EMBER_DTYPE_FLOAT16 ? "f16" : "bf16";
    case EMBER_DTYPE_FLOAT32: return "f32";
    case EMBER_DTYPE_FLOAT64:
      if (!dev.fp64) sdk::unsupported("float64 needs shaderFloat64, which " + dev.name + " lacks");
      return "f64";
    case EMBER_DTYPE_INT32: return "i32";
    case EMBER_DTYPE_INT64:
      if (!dev.int64) sdk::unsupported("int64 needs shaderInt64, which " + dev.name + " lacks");
      return "i64";
    case EMBER_DTYPE_BOOL:
    case EMBER_DTYPE_UINT8:
      if (!dev.int8) sdk::unsupported("bool and uint8 need 8-bit storage and arithmetic, which " + dev.name + " lacks");
      return dtype == EMBER_DTYPE_BOOL ? "b8" : "u8";
    default: break;
  }
  sdk::unsupported(std::string("the Vulkan backend has no ") + sdk::dtype_name(dtype) + " kernels for this op");
}

int64_t numel(const ember_tensor& t) {
  int64_t n = 1;
  for (int d = 0; d < t.ndim; ++d) n *= t.sizes[d];
  return n;
}

int32_t to_i32(int64_t v) {
  if (v > INT32_MAX || v < INT32_MIN) sdk::unsupported("the Vulkan shaders index with 32 bits");
  return int32_t(v);
}

Geometry make_geometry(std::initializer_list<const ember_tensor*> ops) {
  Geometry g{};
  const ember_tensor& ref = **ops.begin();
  if (ops.size() > size_t(kMaxOperands)) sdk::fail("vulkan: too many operands for one geometry");
  int k = 0;
  for (const ember_tensor* t : ops) {
    if (t->ndim != ref.ndim) sdk::fail("operands of an elementwise kernel must have one rank");
    g.offsets[k++] = to_i32(t->offset);
  }
  int64_t total = 1;
  int64_t strides[kMaxOperands][kMaxDims] = {};
  int64_t sizes[kMaxDims] = {};
  int nd = 0;
  for (int d = 0; d < ref.ndim; ++d) {
    const int64_t size = ref.sizes[d];
    total *= size;
    if (size == 1) continue;
    // Merge into the previous dim when every operand is contiguous across them.
    bool merge = nd > 0;
    k = 0;
    for (const ember_tensor* t : ops) {
      merge = merge && strides[k][nd - 1] == t->strides[d] * size;
      ++k;
    }
    if (!merge && nd == kMaxDims) sdk::unsupported("the Vulkan backend handles at most 8 (merged) dimensions");
    const int at = merge ? nd - 1 : nd;
    sizes[at] = merge ? sizes[at] * size : size;
    k = 0;
    for (const ember_tensor* t : ops) strides[k++][at] = t->strides[d];
    if (!merge) ++nd;
  }
  if (nd == 0) {  // a single element
    nd = 1;
    sizes[0] = 1;
  }
  g.ndim = nd;
  g.numel = to_i32(total);
  for (int d = 0; d < nd; ++d) {
    g.sizes[d] = to_i32(sizes[d]);
    for (k = 0; k < int(ops.size()); ++k) g.strides[k][d] = to_i32(strides[k][d]);
  }
  g.contiguous = nd == 1;
  for (k = 0; k < int(ops.size()); ++k) g.contiguous = g.contiguous && (g.strides[k][0] == 1 || total == 1);
  return g;
}

uint32_t groups_for(int64_t n) {
  // The shaders loop with a grid stride; 4096 groups of 256 fill any device.
  return uint32_t(std::clamp<int64_t>((n + 255) / 256, 1, 4096));
}

void Push::f32(int k, float v) { std::memcpy(&s[2 * k], &v, 4); }

void Push::scalar(int k, const ember_scalar& v, int32_t dtype) {
  const double d = v.kind == EMBER_SCALAR_DOUBLE ? v.d : double(v.i);
  const int64_t i = v.kind == EMBER_SCALAR_DOUBLE ? int64_t(v.d) : v.i;
  if (dtype == EMBER_DTYPE_FLOAT32 || dtype == EMBER_DTYPE_FLOAT16 || dtype == EMBER_DTYPE_BFLOAT16) f32(k, float(d));
  else if (dtype == EMBER_DTYPE_FLOAT64) std::memcpy(&s[2 * k], &d, 8);
  else u64(k, uint64_t(i));  // int32 / uint8 / bool read the low word
}

}  // namespace ember::vulkan
