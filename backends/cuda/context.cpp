// Devices, streams and memory; the error choke point; strided geometry
// shared by every kernel family.
//
// Memory is plain cudaMalloc (never managed memory): the core's caching
// allocator sits above allocate/deallocate. Transfers go through a pinned
// staging buffer per device, on the device's stream: a read waits for the
// stream (so it sees every kernel queued before it), a write copies the
// source into the staging buffer and returns while the upload runs.
#include <algorithm>
#include <cstring>

#include "context.h"

namespace ember::cuda {

void fail(cudaError_t code, const char* call) {
  // Clear the runtime's last error, so that a later launch check does not
  // report this one (sticky errors, which end the context, stay anyway).
  (void)cudaGetLastError();
  const bool oom = code == cudaErrorMemoryAllocation;
  sdk::fail(std::string("CUDA: ") + call + " failed: " + cudaGetErrorString(code) + " (" + cudaGetErrorName(code) +
                ")",
            oom ? EMBER_ERR_OUT_OF_MEMORY : EMBER_ERR_DEVICE);
}

void fail(cublasStatus_t code, const char* call) {
  const bool oom = code == CUBLAS_STATUS_ALLOC_FAILED;
  sdk::fail(std::string("cuBLAS: ") + call + " failed: " + cublasGetStatusString(code) + " (" +
                cublasGetStatusName(code) + ")",
            oom ? EMBER_ERR_OUT_OF_MEMORY : EMBER_ERR_DEVICE);
}

int32_t probe_devices() {
  int n = 0;
  // Without libcuda (no driver) this answers cudaErrorInsufficientDriver;
  // without a GPU cudaErrorNoDevice. Neither takes the process down.
  check(cudaGetDeviceCount(&n), "cudaGetDeviceCount");
  if (n == 0) sdk::fail("CUDA: no CUDA-capable device is detected", EMBER_ERR_DEVICE);
  return n;
}

namespace {

std::vector<Device*> enumerate() {
  std::vector<Device*> out;
  int32_t n = 0;
  try {
    n = probe_devices();
  } catch (const sdk::KernelError&) {
    return out;
  }
  for (int32_t i = 0; i < n; ++i) {
    auto* d = new Device;
    d->index = i;
    cudaDeviceProp prop{};
    check(cudaGetDeviceProperties(&prop, i), "cudaGetDeviceProperties");
    d->sm_count = std::max(prop.multiProcessorCount, 1);
    char memory[32];
    std::snprintf(memory, sizeof memory, "%.1f GiB", double(prop.totalGlobalMem) / double(1ull << 30));
    d->name = std::string(prop.name) + " (sm_" + std::to_string(prop.major) + std::to_string(prop.minor) + ", " +
              std::to_string(prop.multiProcessorCount) + " SMs, " + memory + ", " + cudnn_status() + ")";
    out.push_back(d);
  }
  return out;
}

// Creates the stream and the staging event: this creates the device's
// primary context, so it waits for first use.
void open(Device& d) {
  check(cudaStreamCreateWithFlags(&d.stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  check(cudaEventCreateWithFlags(&d.staged, cudaEventDisableTiming), "cudaEventCreateWithFlags");
  // Kernels' scratch memory (cudaMallocAsync: reduction partials, cuDNN's
  // workspace) comes from the device's default pool. By default the pool
  // hands freed memory back to the driver at every synchronisation, which
  // made each such call a real allocation (~0.2 ms): keep it instead.
  cudaMemPool_t pool = nullptr;
  check(cudaDeviceGetDefaultMemPool(&pool, d.index), "cudaDeviceGetDefaultMemPool");
  uint64_t keep = UINT64_MAX;
  check(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep), "cudaMemPoolSetAttribute");
  // The index checks' answer: a word on the device, read back through a
  // pinned word on the host.
  check(cudaMalloc(reinterpret_cast<void**>(&d.index_check), 2 * sizeof(unsigned long long)), "cudaMalloc");
  check(cudaMallocHost(reinterpret_cast<void**>(&d.index_check_host), 2 * sizeof(unsigned long long)),
        "cudaMallocHost");
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
    sdk::fail("cuda: no device " + std::to_string(index) + " (there are " + std::to_string(all.size()) + ")");
  Device& d = *all[size_t(index)];
  int current = -1;
  if (cudaGetDevice(&current) != cudaSuccess || current != d.index) check(cudaSetDevice(d.index), "cudaSetDevice");
  std::call_once(d.once, [&] { open(d); });
  return d;
}

// ---- memory ----

namespace {

constexpr size_t kStagingMax = size_t(64) << 20;

// The staging buffer, at least `n` bytes (n <= kStagingMax). Called with
// staging_mutex held, after waiting for the last upload.
void* staging(Device& dev, size_t n) {
  if (dev.staging_size >= n) return dev.staging;
  size_t size = std::max<size_t>(dev.staging_size, size_t(1) << 20);
  while (size < n) size *= 2;
  size = std::min(size, kStagingMax);
  if (dev.staging) check(cudaFreeHost(dev.staging), "cudaFreeHost");
  dev.staging = nullptr;
  dev.staging_size = 0;
  check(cudaMallocHost(&dev.staging, size), "cudaMallocHost");
  dev.staging_size = size;
  return dev.staging;
}

}  // namespace

int32_t allocate(int32_t index, size_t nbytes, void** out, char* err, size_t cap) {
  return sdk::guarded(err, cap, [&] {
    device(index);
    void* p = nullptr;
    // cudaMalloc(0) returns null; an empty tensor still gets a real pointer.
    check(cudaMalloc(&p, std::max<size_t>(nbytes, 1)), "cudaMalloc");
    *out = p;
  });
}

void deallocate(int32_t index, void* ptr) {
  if (!ptr) return;
  try {
    device(index);
    // cudaFree waits for the kernels still using the memory. Its status is
    // ignored: after main() returns the runtime may already be unloading.
    (void)cudaFree(ptr);
    (void)cudaGetLastError();
  } catch (...) {
  }
}

// Reads block: a host read synchronises with everything queued before it.
int32_t copy_to_host(int32_t index, const void* src, size_t offset, void* dst, size_t n, char* err, size_t cap) {
  return sdk::guarded(err, cap, [&] {
    if (n == 0) return;
    Device& dev = device(index);
    std::lock_guard<std::mutex> lock(dev.staging_mutex);
    const char* from = static_cast<const char*>(src) + offset;
    char* to = static_cast<char*>(dst);
    for (size_t done = 0; done < n;) {
      const size_t chunk = std::min(n - done, kStagingMax);
      check(cudaEventSynchronize(dev.staged), "cudaEventSynchronize");
      void* buffer = staging(dev, chunk);
      check(cudaMemcpyAsync(buffer, from + done, chunk, cudaMemcpyDeviceToHost, dev.stream), "cudaMemcpyAsync");
      check(cudaStreamSynchronize(dev.stream), "cudaStreamSynchronize");
      std::memcpy(to + done, buffer, chunk);
      done += chunk;
    }
  });
}

// Writes return once the source is in the staging buffer: the caller may
// free its buffer at once, and the upload is ordered before later kernels.
int32_t copy_from_host(int32_t index, const void* src, void* dst, size_t offset, size_t n, char* err, size_t cap) {
  return sdk::guarded(err, cap, [&] {
    if (n == 0) return;
    Device& dev = device(index);
    std::lock_guard<std::mutex> lock(dev.staging_mutex);
    const char* from = static_cast<const char*>(src);
    char* to = static_cast<char*>(dst) + offset;
    for (size_t done = 0; done < n;) {
      const size_t chunk = std::min(n - done, kStagingMax);
      check(cudaEventSynchronize(dev.staged), "cudaEventSynchronize");
      void* buffer = staging(dev, chunk);
      std::memcpy(buffer, from + done, chunk);
      check(cudaMemcpyAsync(to + done, buffer, chunk, cudaMemcpyHostToDevice, dev.stream), "cudaMemcpyAsync");
      check(cudaEventRecord(dev.staged, dev.stream), "cudaEventRecord");
      done += chunk;
    }
  });
}

int32_t synchronize(int32_t index, char* err, size_t cap) {
  return sdk::guarded(err, cap, [&] { check(cudaStreamSynchronize(device(index).stream), "cudaStreamSynchronize"); });
}

// ---- geometry ----

int64_t numel(const ember_tensor& t) {
  int64_t n = 1;
  for (int d = 0; d < t.ndim; ++d) n *= t.sizes[d];
  return n;
}

bool is_contiguous(const ember_tensor& t) {
  int64_t expected = 1;
  for (int i = t.ndim - 1; i >= 0; --i) {
    if (t.sizes[i] == 1) continue;
    if (t.strides[i] != expected) return false;
    expected *= t.sizes[i];
  }
  return true;
}

Geometry make_geometry(std::initializer_list<const ember_tensor*> ops) {
  Geometry g{};
  const ember_tensor& ref = **ops.begin();
  if (ops.size() > size_t(kMaxOperands)) sdk::fail("cuda: too many operands for one geometry");
  if (ref.ndim > kMaxDims) sdk::unsupported("the CUDA backend supports at most 16 dimensions");
  int k = 0;
  for (const ember_tensor* t : ops) {
    if (t->ndim != ref.ndim) sdk::fail("operands of an elementwise kernel must have one rank");
    g.offsets[k++] = t->offset;
  }
  g.numel = 1;
  for (int d = 0; d < ref.ndim; ++d) {
    const int64_t size = ref.sizes[d];
    g.numel *= size;
    if (size == 1) continue;
    // Merge into the previous dim when every operand is contiguous across them.
    bool merge = g.ndim > 0;
    k = 0;
    for (const ember_tensor* t : ops) {
      merge = merge && g.strides[k][g.ndim - 1] == t->strides[d] * size;
      ++k;
    }
    const int64_t at = merge ? g.ndim - 1 : g.ndim;
    if (merge) g.sizes[at] *= size;
    else g.sizes[at] = size;
    k = 0;
    for (const ember_tensor* t : ops) g.strides[k++][at] = t->strides[d];
    if (!merge) ++g.ndim;
  }
  if (g.ndim == 0) {  // a single element
    g.ndim = 1;
    g.sizes[0] = 1;
  }
  g.contiguous = g.ndim == 1;
  for (k = 0; k < int(ops.size()); ++k) g.contiguous = g.contiguous && (g.strides[k][0] == 1 || g.numel == 1);
  return g;
}

Launch launch_for(const Device& dev, int64_t n) {
  constexpr int64_t kThreads = 256;
  const int64_t blocks = std::clamp<int64_t>((n + kThreads - 1) / kThreads, 1, int64_t(dev.sm_count) * 32);
  return Launch{unsigned(blocks), unsigned(kThreads)};
}

}  // namespace ember::cuda
