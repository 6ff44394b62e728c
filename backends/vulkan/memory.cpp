// Device memory: large VkDeviceMemory blocks, each with one VkBuffer over
// all of it, sub-allocated first-fit from a free list (no vkAllocateMemory
// per tensor). allocate() hands the core a pointer to an Allocation record
// (block + offset), so the device is not host accessible. Host transfers go
// through the stream's upload and readback buffers. The core's caching
// allocator sits above this.
#include <algorithm>
#include <cstring>
#include <iterator>

#include "context.h"

namespace ember::vulkan {
namespace {

constexpr VkDeviceSize kBlockSize = VkDeviceSize(64) << 20;

VkDeviceSize round_up(VkDeviceSize v, VkDeviceSize a) { return (v + a - 1) / a * a; }

// Storage descriptors need offsets aligned to minStorageBufferOffsetAlignment.
VkDeviceSize alignment(const Device& dev) {
  return std::max<VkDeviceSize>(256, dev.props.limits.minStorageBufferOffsetAlignment);
}

Block* new_block(Device& dev, VkDeviceSize size) {
  auto b = std::make_unique<Block>();
  b->size = size;
  VkBufferCreateInfo bi{};
  bi.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
  bi.size = size;
  bi.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  check(vkCreateBuffer(dev.device, &bi, nullptr, &b->buffer), "vkCreateBuffer");
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(dev.device, b->buffer, &req);
  VkMemoryAllocateInfo ai{};
  ai.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
  ai.allocationSize = req.size;
  ai.memoryTypeIndex = dev.device_memory_type;
  const VkResult r = vkAllocateMemory(dev.device, &ai, nullptr, &b->memory);
  if (r != VK_SUCCESS) {
    vkDestroyBuffer(dev.device, b->buffer, nullptr);
    check(r, "vkAllocateMemory");
  }
  check(vkBindBufferMemory(dev.device, b->buffer, b->memory, 0), "vkBindBufferMemory");
  b->free[0] = size;
  dev.blocks.push_back(std::move(b));
  return dev.blocks.back().get();
}

// First fit in `b`; false when no free range is large enough.
bool take(Block& b, VkDeviceSize size, VkDeviceSize& offset) {
  for (auto it = b.free.begin(); it != b.free.end(); ++it) {
    if (it->second < size) continue;
    offset = it->first;
    const VkDeviceSize rest = it->second - size;
    b.free.erase(it);
    if (rest) b.free[offset + size] = rest;
    b.used += size;
    return true;
  }
  return false;
}

void give_back(Block& b, VkDeviceSize offset, VkDeviceSize size) {
  b.used -= size;
  auto next = b.free.lower_bound(offset);
  if (next != b.free.end() && offset + size == next->first) {  // merge with the range after
    size += next->second;
    next = b.free.erase(next);
  }
  if (next != b.free.begin()) {  // and the one before
    auto prev = std::prev(next);
    if (prev->first + prev->second == offset) {
      prev->second += size;
      return;
    }
  }
  b.free[offset] = size;
}

}  // namespace

int32_t allocate(int32_t index, size_t nbytes, void** out, char* err, size_t cap) {
  return sdk::guarded(err, cap, [&] {
    Device& dev = device(index);
    std::lock_guard<std::recursive_mutex> lock(dev.mutex);
    // Vulkan has no empty buffers; an empty tensor still gets a range.
    const VkDeviceSize size = round_up(std::max<size_t>(nbytes, 1), alignment(dev));
    // Past the driver's limit vkAllocateMemory is invalid usage, not an error code.
    if (size > dev.max_allocation)
      sdk::fail("vulkan: cannot allocate " + std::to_string(nbytes) + " bytes: " + dev.name +
                    " allocates at most " + std::to_string(dev.max_allocation) + " bytes at once (out of memory)",
                EMBER_ERR_OUT_OF_MEMORY);
    VkDeviceSize offset = 0;
    Block* block = nullptr;
    for (auto& b : dev.blocks)
      if (b->size - b->used >= size && take(*b, size, offset)) {
        block = b.get();
        break;
      }
    if (!block) {
      block = new_block(dev, std::max(kBlockSize, size));  // larger tensors get a block of their own
      take(*block, size, offset);
    }
    *out = new Allocation{block, offset, size};
  });
}

void deallocate(int32_t index, void* ptr) {
  if (!ptr) return;
  try {
    Device& dev = device(index);
    std::lock_guard<std::recursive_mutex> lock(dev.mutex);
    auto* a = static_cast<Allocation*>(ptr);
    Block* b = a->block;
    // Recorded commands may still use the range; reusing it is safe (they
    // run first, in stream order), destroying its block is not.
    give_back(*b, a->offset, a->size);
    delete a;
    if (b->used == 0 && dev.blocks.size() > 1) {  // keep one block; return the rest to the driver
      flush(dev);
      vkDestroyBuffer(dev.device, b->buffer, nullptr);
      vkFreeMemory(dev.device, b->memory, nullptr);
      dev.blocks.erase(std::find_if(dev.blocks.begin(), dev.blocks.end(), [&](auto& p) { return p.get() == b; }));
    }
  } catch (...) {
    // deallocate cannot report; a failed flush surfaces at the next host read
  }
}

HostBuffer create_host_buffer(Device& dev, VkDeviceSize size, uint32_t memory_type) {
  HostBuffer h;
  h.size = size;
  VkBufferCreateInfo bi{};
  bi.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
  bi.size = size;
  bi.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  check(vkCreateBuffer(dev.device, &bi, nullptr, &h.buffer), "vkCreateBuffer");
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(dev.device, h.buffer, &req);
  VkMemoryAllocateInfo ai{};
  ai.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
  ai.allocationSize = req.size;
  ai.memoryTypeIndex = memory_type;
  check(vkAllocateMemory(dev.device, &ai, nullptr, &h.memory), "vkAllocateMemory");
  check(vkBindBufferMemory(dev.device, h.buffer, h.memory, 0), "vkBindBufferMemory");
  void* p = nullptr;
  check(vkMapMemory(dev.device, h.memory, 0, VK_WHOLE_SIZE, 0, &p), "vkMapMemory");
  h.mapped = static_cast<char*>(p);
  return h;
}

void upload_locked(Device& dev, const Allocation& dst, VkDeviceSize offset, const void* src, VkDeviceSize n) {
  const char* bytes = static_cast<const char*>(src);
  for (VkDeviceSize done = 0; done < n;) {
    // Staged in this submission's upload space: the copy runs in stream
    // order, after the kernels recorded before it.
    if (dev.upload_used >= dev.upload.size) flush(dev);
    const VkDeviceSize chunk = std::min(n - done, dev.upload.size - dev.upload_used);
    std::memcpy(dev.upload.mapped + dev.upload_used, bytes + done, chunk);
    begin_command(dev);
    const VkBufferCopy region{dev.upload_used, dst.offset + offset + done, chunk};
    vkCmdCopyBuffer(dev.cmd, dev.upload.buffer, dst.block->buffer, 1, &region);
    dev.upload_used = round_up(dev.upload_used + chunk, 16);
    done += chunk;
  }
}

// Reads wait for everything recorded before them, then copy out of the
// readback buffer.
int32_t copy_to_host(int32_t index, const void* src, size_t offset, void* dst, size_t n, char* err, size_t cap) {
  return sdk::guarded(err, cap, [&] {
    if (n == 0) return;
    Device& dev = device(index);
    std::lock_guard<std::recursive_mutex> lock(dev.mutex);
    const auto* a = static_cast<const Allocation*>(src);
    for (size_t done = 0; done < n;) {
      const size_t chunk = std::min<size_t>(n - done, dev.readback.size);
      begin_command(dev);
      const VkBufferCopy region{a->offset + offset + done, 0, chunk};
      vkCmdCopyBuffer(dev.cmd, a->block->buffer, dev.readback.buffer, 1, &region);
      flush(dev);
      std::memcpy(static_cast<char*>(dst) + done, dev.readback.mapped, chunk);
      done += chunk;
    }
  });
}

// Writes are staged, so the caller may free its buffer at once.
int32_t copy_from_host(int32_t index, const void* src, void* dst, size_t offset, size_t n, char* err, size_t cap) {
  return sdk::guarded(err, cap, [&] {
    if (n == 0) return;
    Device& dev = device(index);
    std::lock_guard<std::recursive_mutex> lock(dev.mutex);
    upload_locked(dev, *static_cast<const Allocation*>(dst), offset, src, n);
  });
}

int32_t synchronize(int32_t index, char* err, size_t cap) {
  return sdk::guarded(err, cap, [&] {
    Device& dev = device(index);
    std::lock_guard<std::recursive_mutex> lock(dev.mutex);
    flush(dev);
  });
}

}  // namespace ember::vulkan
