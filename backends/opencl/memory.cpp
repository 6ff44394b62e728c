// Device memory: every allocation is a cl_mem, handed to the core as an
// opaque pointer (so the device is not host accessible); tensors address it
// by element offset. The core's caching allocator sits above allocate.
#include "context.h"

namespace ember::opencl {

int32_t allocate(int32_t index, size_t nbytes, void** out, char* err, size_t cap) {
  return sdk::guarded(err, cap, [&] {
    Device& dev = device(index);
    cl_int st = CL_SUCCESS;
    // OpenCL has no empty buffers; an empty tensor still gets a handle.
    cl_mem m = clCreateBuffer(dev.context, CL_MEM_READ_WRITE, std::max<size_t>(nbytes, 1), nullptr, &st);
    check(st, "clCreateBuffer");
    *out = m;
  });
}

void deallocate(int32_t, void* ptr) {
  // Enqueued kernels keep their buffers alive until they finish, so this
  // needs no synchronisation.
  if (ptr) clReleaseMemObject(static_cast<cl_mem>(ptr));
}

// Reads block: a host read synchronises with everything queued before it.
int32_t copy_to_host(int32_t index, const void* src, size_t offset, void* dst, size_t n, char* err, size_t cap) {
  return sdk::guarded(err, cap, [&] {
    if (n == 0) return;
    Device& dev = device(index);
    check(clEnqueueReadBuffer(dev.queue, static_cast<cl_mem>(const_cast<void*>(src)), CL_TRUE, offset, n, dst, 0,
                              nullptr, nullptr),
          "clEnqueueReadBuffer");
  });
}

// Writes block too: the caller may free or reuse its host buffer at once.
int32_t copy_from_host(int32_t index, const void* src, void* dst, size_t offset, size_t n, char* err, size_t cap) {
  return sdk::guarded(err, cap, [&] {
    if (n == 0) return;
    Device& dev = device(index);
    check(clEnqueueWriteBuffer(dev.queue, static_cast<cl_mem>(dst), CL_TRUE, offset, n, src, 0, nullptr, nullptr),
          "clEnqueueWriteBuffer");
  });
}

int32_t synchronize(int32_t index, char* err, size_t cap) {
  return sdk::guarded(err, cap, [&] { check(clFinish(device(index).queue), "clFinish"); });
}

}  // namespace ember::opencl
