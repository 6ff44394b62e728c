// The device's command stream. Kernels and copies record into one command
// buffer, a full memory barrier between consecutive commands (program order
// is the device's order). It is submitted with a fence, and waited for, when
// the host reads (copy_to_host), on synchronize, and when this submission's
// descriptor sets or parameter / upload space run out; then the descriptor
// pool and the host buffers are recycled, so steady state allocates nothing.
#include <algorithm>
#include <cstring>

#include "context.h"

namespace ember::vulkan {
namespace {

constexpr uint32_t kSetsPerSubmission = 1024;
constexpr VkDeviceSize kParamsSize = VkDeviceSize(1) << 20;     // kernel parameters
constexpr VkDeviceSize kStagingSize = VkDeviceSize(16) << 20;  // uploads; readbacks

VkDeviceSize round_up(VkDeviceSize v, VkDeviceSize a) { return (v + a - 1) / a * a; }

}  // namespace

void init_stream(Device& dev) {
  VkCommandPoolCreateInfo pi{};
  pi.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
  pi.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pi.queueFamilyIndex = dev.family;
  check(vkCreateCommandPool(dev.device, &pi, nullptr, &dev.command_pool), "vkCreateCommandPool");
  VkCommandBufferAllocateInfo ai{};
  ai.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
  ai.commandPool = dev.command_pool;
  ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  ai.commandBufferCount = 1;
  check(vkAllocateCommandBuffers(dev.device, &ai, &dev.cmd), "vkAllocateCommandBuffers");
  VkFenceCreateInfo fi{};
  fi.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
  check(vkCreateFence(dev.device, &fi, nullptr, &dev.fence), "vkCreateFence");
  const VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 5 * kSetsPerSubmission};
  VkDescriptorPoolCreateInfo di{};
  di.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
  di.maxSets = kSetsPerSubmission;
  di.poolSizeCount = 1;
  di.pPoolSizes = &size;
  check(vkCreateDescriptorPool(dev.device, &di, nullptr, &dev.descriptor_pool), "vkCreateDescriptorPool");
  dev.params = create_host_buffer(dev, kParamsSize, dev.upload_memory_type);
  dev.upload = create_host_buffer(dev, kStagingSize, dev.upload_memory_type);
  dev.readback = create_host_buffer(dev, kStagingSize, dev.readback_memory_type);
}

void begin_command(Device& dev) {
  if (!dev.recording) {
    VkCommandBufferBeginInfo bi{};
    bi.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    check(vkBeginCommandBuffer(dev.cmd, &bi), "vkBeginCommandBuffer");
    dev.recording = true;
    dev.commands = 0;
  } else if (dev.commands > 0) {
    // Each command sees every earlier command's writes.
    VkMemoryBarrier mb{};
    mb.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    mb.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                       VK_ACCESS_TRANSFER_WRITE_BIT;
    const VkPipelineStageFlags stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
    vkCmdPipelineBarrier(dev.cmd, stages, stages, 0, 1, &mb, 0, nullptr, 0, nullptr);
  }
  ++dev.commands;
}

void flush(Device& dev) {
  if (!dev.recording) return;
  dev.recording = false;
  // Whatever happens below, the next submission starts from clean pools.
  struct Recycle {
    Device& d;
    ~Recycle() {
      vkResetCommandBuffer(d.cmd, 0);
      vkResetDescriptorPool(d.device, d.descriptor_pool, 0);
      d.sets_used = 0;
      d.params_used = 0;
      d.upload_used = 0;
    }
  } recycle{dev};
  // Make the last writes visible to host reads of the readback buffer.
  VkMemoryBarrier mb{};
  mb.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
  mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  mb.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(dev.cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, nullptr, 0, nullptr);
  check(vkEndCommandBuffer(dev.cmd), "vkEndCommandBuffer");
  VkSubmitInfo si{};
  si.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
  si.commandBufferCount = 1;
  si.pCommandBuffers = &dev.cmd;
  check(vkQueueSubmit(dev.queue, 1, &si, dev.fence), "vkQueueSubmit");
  const VkResult waited = vkWaitForFences(dev.device, 1, &dev.fence, VK_TRUE, UINT64_MAX);
  vkResetFences(dev.device, 1, &dev.fence);
  check(waited, "vkWaitForFences");
}

void dispatch(Device& dev, const Dispatch& d) {
  std::lock_guard<std::recursive_mutex> lock(dev.mutex);
  const VkPipeline pipe = pipeline(dev, d.variant, d.op, d.local);
  const VkDeviceSize align = std::max<VkDeviceSize>(16, dev.props.limits.minStorageBufferOffsetAlignment);
  const VkDeviceSize params_size = round_up(std::max<size_t>(d.params_size, 16), 16);
  if (dev.sets_used == kSetsPerSubmission || dev.params_used + params_size > dev.params.size) flush(dev);
  const VkDeviceSize params_at = dev.params_used;
  if (d.params) std::memcpy(dev.params.mapped + params_at, d.params, d.params_size);
  dev.params_used = round_up(params_at + params_size, align);

  VkDescriptorSetAllocateInfo ai{};
  ai.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
  ai.descriptorPool = dev.descriptor_pool;
  ai.descriptorSetCount = 1;
  ai.pSetLayouts = &dev.set_layout;
  VkDescriptorSet set = VK_NULL_HANDLE;
  check(vkAllocateDescriptorSets(dev.device, &ai, &set), "vkAllocateDescriptorSets");
  ++dev.sets_used;

  VkDescriptorBufferInfo infos[5];
  VkWriteDescriptorSet writes[5];
  const VkDeviceSize max_range = dev.props.limits.maxStorageBufferRange;
  for (uint32_t b = 0; b < 5; ++b) {
    if (b < 4 && d.buffers[b]) {
      const Allocation& a = *d.buffers[b];
      if (a.size > max_range) sdk::unsupported("a tensor larger than the device's maxStorageBufferRange");
      infos[b] = {a.block->buffer, a.offset, a.size};
    } else if (b == 4) {
      infos[b] = {dev.params.buffer, params_at, params_size};
    } else {  // unused by the shader; any valid range will do
      infos[b] = {dev.params.buffer, 0, 256};
    }
    writes[b] = {};
    writes[b].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    writes[b].dstSet = set;
    writes[b].dstBinding = b;
    writes[b].descriptorCount = 1;
    writes[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[b].pBufferInfo = &infos[b];
  }
  vkUpdateDescriptorSets(dev.device, 5, writes, 0, nullptr);

  begin_command(dev);
  vkCmdBindPipeline(dev.cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
  vkCmdBindDescriptorSets(dev.cmd, VK_PIPELINE_BIND_POINT_COMPUTE, dev.pipeline_layout, 0, 1, &set, 0, nullptr);
  vkCmdPushConstants(dev.cmd, dev.pipeline_layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(Push), &d.push);
  vkCmdDispatch(dev.cmd, d.groups[0], d.groups[1], d.groups[2]);
}

}  // namespace ember::vulkan
