#include "device/allocator.h"

#include <map>
#include <mutex>
#include <vector>

#include "device/registry.h"
#include "ember/error.h"

namespace ember::allocator {
namespace {

// Small blocks round to 512 bytes; larger ones to a quarter of their power of
// two, so reuse wastes at most 25%.
size_t round_size(size_t n) {
  if (n <= 512) return 512;
  if (n < (size_t(1) << 20)) return (n + 511) & ~size_t(511);
  size_t p = size_t(1) << (63 - __builtin_clzll(n));
  size_t quarter = p / 4;
  return (n + quarter - 1) / quarter * quarter;
}

struct Pool {
  std::mutex mutex;
  // (device type, index, size) -> free blocks
  std::map<std::tuple<int, int, size_t>, std::vector<void*>> free_blocks;
  size_t cached_bytes = 0;
};
Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: storages may die after main()
  return *p;
}

struct BlockContext {
  const ember_device_api* api;
  int type;
  int index;
  size_t size;
};

void release_all_locked(Pool& p) {
  for (auto& [key, blocks] : p.free_blocks) {
    const auto* entry = device_registry::find(std::get<0>(key));
    for (void* ptr : blocks) entry->api->deallocate(std::get<1>(key), ptr);
  }
  p.free_blocks.clear();
  p.cached_bytes = 0;
}

void give_back(void* context, void* data) {
  auto* ctx = static_cast<BlockContext*>(context);
  Pool& p = pool();
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    p.free_blocks[{ctx->type, ctx->index, ctx->size}].push_back(data);
    p.cached_bytes += ctx->size;
  }
  delete ctx;
}

}  // namespace

std::shared_ptr<detail::Storage> allocate(const Device& device, size_t nbytes) {
  const auto& entry = device_registry::require(device);
  const int type = device.type().id();
  const int index = device.index() < 0 ? 0 : device.index();
  const size_t size = round_size(nbytes);
  auto storage = std::make_shared<detail::Storage>();
  storage->nbytes = nbytes;
  storage->device = device.normalized();
  void* data = nullptr;
  {
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    auto it = p.free_blocks.find({type, index, size});
    if (it != p.free_blocks.end() && !it->second.empty()) {
      data = it->second.back();
      it->second.pop_back();
      p.cached_bytes -= size;
    }
  }
  if (!data) {
    char err[256] = {0};
    int32_t status = entry.api->allocate(index, size, &data, err, sizeof err);
    if (status == EMBER_ERR_OUT_OF_MEMORY) {
      empty_cache();
      status = entry.api->allocate(index, size, &data, err, sizeof err);
    }
    EMBER_CHECK(status == EMBER_OK, "allocating ", nbytes, " bytes on ", device.str(), " failed: ", err,
                status == EMBER_ERR_OUT_OF_MEMORY ? " (out of memory: free tensors or use smaller batches)" : "");
  }
  storage->data = data;
  storage->deleter = &give_back;
  storage->deleter_context = new BlockContext{entry.api, type, index, size};
  return storage;
}

void empty_cache() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  release_all_locked(p);
}

}  // namespace ember::allocator
