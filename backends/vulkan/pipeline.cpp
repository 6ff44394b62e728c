// Shader modules and compute pipelines: one module per shader variant and
// one pipeline per (variant, op, workgroup size) on each device, created on
// first use and kept for the life of the process. Every pipeline shares one
// layout: storage buffers at bindings 0..4 and 128 bytes of push constants.
#include <cstring>

#include "context.h"
#include "shaders.h"

namespace ember::vulkan {

static_assert(sizeof(Push) == 128, "the push constants are shaders/common.glsl's Push");
static_assert(sizeof(Geometry) == 256, "Geometry is shaders/geometry.glsl's block");

void init_pipelines(Device& dev) {
  VkDescriptorSetLayoutBinding bindings[5];
  for (uint32_t b = 0; b < 5; ++b)
    bindings[b] = {b, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo li{};
  li.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
  li.bindingCount = 5;
  li.pBindings = bindings;
  check(vkCreateDescriptorSetLayout(dev.device, &li, nullptr, &dev.set_layout), "vkCreateDescriptorSetLayout");
  const VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(Push)};
  VkPipelineLayoutCreateInfo pi{};
  pi.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
  pi.setLayoutCount = 1;
  pi.pSetLayouts = &dev.set_layout;
  pi.pushConstantRangeCount = 1;
  pi.pPushConstantRanges = &push;
  check(vkCreatePipelineLayout(dev.device, &pi, nullptr, &dev.pipeline_layout), "vkCreatePipelineLayout");
}

namespace {

VkShaderModule module(Device& dev, const char* variant) {
  auto it = dev.modules.find(variant);
  if (it != dev.modules.end()) return it->second;
  const ShaderCode* code = nullptr;
  for (size_t i = 0; i < kShaderCount && !code; ++i)
    if (std::strcmp(kShaders[i].name, variant) == 0) code = &kShaders[i];
  if (!code) sdk::fail(std::string("vulkan: no shader variant ") + variant, EMBER_ERR_INTERNAL);
  VkShaderModuleCreateInfo mi{};
  mi.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
  mi.codeSize = code->bytes;
  mi.pCode = code->words;
  VkShaderModule m = VK_NULL_HANDLE;
  check(vkCreateShaderModule(dev.device, &mi, nullptr, &m), "vkCreateShaderModule");
  dev.modules.emplace(variant, m);
  return m;
}

}  // namespace

VkPipeline pipeline(Device& dev, const char* variant, int32_t op, const uint32_t local[2]) {
  std::string key = variant;
  key += '/';
  key += std::to_string(op);
  key += '/';
  key += std::to_string(local[0]);
  key += 'x';
  key += std::to_string(local[1]);
  auto it = dev.pipelines.find(key);
  if (it != dev.pipelines.end()) return it->second;
  // Specialization: workgroup size (ids 0, 1) and the op (id 2).
  const int32_t values[3] = {int32_t(local[0]), int32_t(local[1]), op};
  const VkSpecializationMapEntry entries[3] = {{0, 0, 4}, {1, 4, 4}, {2, 8, 4}};
  VkSpecializationInfo spec{3, entries, sizeof values, values};
  VkComputePipelineCreateInfo ci{};
  ci.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
  ci.stage = {};
  ci.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  ci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  ci.stage.module = module(dev, variant);
  ci.stage.pName = "main";
  ci.stage.pSpecializationInfo = &spec;
  ci.layout = dev.pipeline_layout;
  VkPipeline p = VK_NULL_HANDLE;
  check(vkCreateComputePipelines(dev.device, VK_NULL_HANDLE, 1, &ci, nullptr, &p), "vkCreateComputePipelines");
  dev.pipelines.emplace(std::move(key), p);
  return p;
}

}  // namespace ember::vulkan
