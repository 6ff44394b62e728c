#include "device/allocator.h"

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <vector>

#include "device/registry.h"
#include "ember/error.h"

namespace ember::allocator {
namespace {

constexpr size_t kSmallLimit = size_t(1) << 20;  // blocks below 1 MiB
constexpr size_t kSmallStep = 512;
constexpr int kMaxIndex = 64;  // devices per type with a pool; more use the map

// Small blocks round to 512 bytes; larger ones to a quarter of their power of
// two, so reuse wastes at most 25%.
size_t round_size(size_t n) {
  if (n <= kSmallStep) return kSmallStep;
  if (n < kSmallLimit) return (n + kSmallStep - 1) & ~(kSmallStep - 1);
  size_t p = size_t(1) << (63 - __builtin_clzll(n));
  size_t quarter = p / 4;
  return (n + quarter - 1) / quarter * quarter;
}

// Free blocks of one device: small sizes indexed directly, large by size.
struct DevicePool {
  std::mutex mutex;
  std::array<std::vector<void*>, kSmallLimit / kSmallStep + 1> small;
  std::map<size_t, std::vector<void*>> large;
  size_t cached_bytes = 0;

  std::vector<void*>& bin(size_t size) { return size < kSmallLimit ? small[size / kSmallStep] : large[size]; }
};

struct Pools {
  std::mutex mutex;  // guards creation only
  std::array<std::array<std::atomic<DevicePool*>, kMaxIndex>, DeviceType::kMaxTypes> pools{};
};
Pools& pools() {
  static Pools* p = new Pools;  // never destroyed: storages may die after main()
  return *p;
}

DevicePool& pool_of(int type, int index) {
  EMBER_CHECK(index < kMaxIndex, "the caching allocator supports ", kMaxIndex, " devices per type; device index ",
              index, " is beyond");
  Pools& p = pools();
  auto& slot = p.pools[type][index];
  if (DevicePool* pool = slot.load(std::memory_order_acquire)) [[likely]]
    return *pool;
  std::lock_guard<std::mutex> lock(p.mutex);
  if (!slot.load(std::memory_order_relaxed)) slot.store(new DevicePool, std::memory_order_release);
  return *slot.load(std::memory_order_relaxed);
}

int index_of(const Device& d) { return d.index() < 0 ? 0 : d.index(); }

// The deleter of every pooled storage: its context is the Storage itself,
// whose size and device are still readable while it is destroyed.
void give_back(void* context, void* data) {
  const auto* storage = static_cast<const detail::Storage*>(context);
  const Device& d = storage->device;
  DevicePool& pool = *pools().pools[d.type().id()][index_of(d)].load(std::memory_order_acquire);
  const size_t size = round_size(storage->nbytes);
  std::lock_guard<std::mutex> lock(pool.mutex);
  pool.bin(size).push_back(data);
  pool.cached_bytes += size;
}

void release(int type, int index, DevicePool& pool) {
  const auto* entry = device_registry::find(type);
  for (auto& blocks : pool.small) {
    for (void* ptr : blocks) entry->api->deallocate(index, ptr);
    blocks.clear();
  }
  for (auto& [size, blocks] : pool.large)
    for (void* ptr : blocks) entry->api->deallocate(index, ptr);
  pool.large.clear();
  pool.cached_bytes = 0;
}

}  // namespace

std::shared_ptr<detail::Storage> allocate(const Device& device, size_t nbytes) {
  const auto& entry = device_registry::require(device);
  const int type = device.type().id();
  const int index = index_of(device);
  DevicePool& pool = pool_of(type, index);
  const size_t size = round_size(nbytes);
  void* data = nullptr;
  {
    std::lock_guard<std::mutex> lock(pool.mutex);
    auto& blocks = pool.bin(size);
    if (!blocks.empty()) {
      data = blocks.back();
      blocks.pop_back();
      pool.cached_bytes -= size;
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
  auto storage = std::make_shared<detail::Storage>();
  storage->data = data;
  storage->nbytes = nbytes;
  storage->device = device.normalized();
  storage->deleter = &give_back;
  storage->deleter_context = storage.get();
  return storage;
}

void empty_cache() {
  Pools& p = pools();
  std::lock_guard<std::mutex> lock(p.mutex);
  for (int type = 0; type < DeviceType::kMaxTypes; ++type)
    for (int index = 0; index < kMaxIndex; ++index)
      if (DevicePool* pool = p.pools[type][index].load()) {
        std::lock_guard<std::mutex> pool_lock(pool->mutex);
        release(type, index, *pool);
      }
}

}  // namespace ember::allocator
