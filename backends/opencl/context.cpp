// Platforms, devices, contexts and queues; the error choke point; strided
// geometry and kernel launches shared by every kernel family.
#include "context.h"

#include <algorithm>

namespace ember::opencl {

const char* cl_error_name(cl_int code) {
  switch (code) {
#define EMBER_CL_CASE(name) \
  case name: return #name;
    EMBER_CL_CASE(CL_SUCCESS)
    EMBER_CL_CASE(CL_DEVICE_NOT_FOUND)
    EMBER_CL_CASE(CL_DEVICE_NOT_AVAILABLE)
    EMBER_CL_CASE(CL_COMPILER_NOT_AVAILABLE)
    EMBER_CL_CASE(CL_MEM_OBJECT_ALLOCATION_FAILURE)
    EMBER_CL_CASE(CL_OUT_OF_RESOURCES)
    EMBER_CL_CASE(CL_OUT_OF_HOST_MEMORY)
    EMBER_CL_CASE(CL_PROFILING_INFO_NOT_AVAILABLE)
    EMBER_CL_CASE(CL_MEM_COPY_OVERLAP)
    EMBER_CL_CASE(CL_IMAGE_FORMAT_MISMATCH)
    EMBER_CL_CASE(CL_IMAGE_FORMAT_NOT_SUPPORTED)
    EMBER_CL_CASE(CL_BUILD_PROGRAM_FAILURE)
    EMBER_CL_CASE(CL_MAP_FAILURE)
    EMBER_CL_CASE(CL_MISALIGNED_SUB_BUFFER_OFFSET)
    EMBER_CL_CASE(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST)
    EMBER_CL_CASE(CL_COMPILE_PROGRAM_FAILURE)
    EMBER_CL_CASE(CL_LINKER_NOT_AVAILABLE)
    EMBER_CL_CASE(CL_LINK_PROGRAM_FAILURE)
    EMBER_CL_CASE(CL_DEVICE_PARTITION_FAILED)
    EMBER_CL_CASE(CL_KERNEL_ARG_INFO_NOT_AVAILABLE)
    EMBER_CL_CASE(CL_INVALID_VALUE)
    EMBER_CL_CASE(CL_INVALID_DEVICE_TYPE)
    EMBER_CL_CASE(CL_INVALID_PLATFORM)
    EMBER_CL_CASE(CL_INVALID_DEVICE)
    EMBER_CL_CASE(CL_INVALID_CONTEXT)
    EMBER_CL_CASE(CL_INVALID_QUEUE_PROPERTIES)
    EMBER_CL_CASE(CL_INVALID_COMMAND_QUEUE)
    EMBER_CL_CASE(CL_INVALID_HOST_PTR)
    EMBER_CL_CASE(CL_INVALID_MEM_OBJECT)
    EMBER_CL_CASE(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR)
    EMBER_CL_CASE(CL_INVALID_IMAGE_SIZE)
    EMBER_CL_CASE(CL_INVALID_SAMPLER)
    EMBER_CL_CASE(CL_INVALID_BINARY)
    EMBER_CL_CASE(CL_INVALID_BUILD_OPTIONS)
    EMBER_CL_CASE(CL_INVALID_PROGRAM)
    EMBER_CL_CASE(CL_INVALID_PROGRAM_EXECUTABLE)
    EMBER_CL_CASE(CL_INVALID_KERNEL_NAME)
    EMBER_CL_CASE(CL_INVALID_KERNEL_DEFINITION)
    EMBER_CL_CASE(CL_INVALID_KERNEL)
    EMBER_CL_CASE(CL_INVALID_ARG_INDEX)
    EMBER_CL_CASE(CL_INVALID_ARG_VALUE)
    EMBER_CL_CASE(CL_INVALID_ARG_SIZE)
    EMBER_CL_CASE(CL_INVALID_KERNEL_ARGS)
    EMBER_CL_CASE(CL_INVALID_WORK_DIMENSION)
    EMBER_CL_CASE(CL_INVALID_WORK_GROUP_SIZE)
    EMBER_CL_CASE(CL_INVALID_WORK_ITEM_SIZE)
    EMBER_CL_CASE(CL_INVALID_GLOBAL_OFFSET)
    EMBER_CL_CASE(CL_INVALID_EVENT_WAIT_LIST)
    EMBER_CL_CASE(CL_INVALID_EVENT)
    EMBER_CL_CASE(CL_INVALID_OPERATION)
    EMBER_CL_CASE(CL_INVALID_GL_OBJECT)
    EMBER_CL_CASE(CL_INVALID_BUFFER_SIZE)
    EMBER_CL_CASE(CL_INVALID_MIP_LEVEL)
    EMBER_CL_CASE(CL_INVALID_GLOBAL_WORK_SIZE)
    EMBER_CL_CASE(CL_INVALID_PROPERTY)
    EMBER_CL_CASE(CL_INVALID_IMAGE_DESCRIPTOR)
    EMBER_CL_CASE(CL_INVALID_COMPILER_OPTIONS)
    EMBER_CL_CASE(CL_INVALID_LINKER_OPTIONS)
    EMBER_CL_CASE(CL_INVALID_DEVICE_PARTITION_COUNT)
#undef EMBER_CL_CASE
    case -1001: return "CL_PLATFORM_NOT_FOUND_KHR";  // the ICD loader found no platform
    default: return "an unknown OpenCL error";
  }
}

void check(cl_int code, const char* call) {
  if (code == CL_SUCCESS) return;
  const bool oom = code == CL_MEM_OBJECT_ALLOCATION_FAILURE || code == CL_OUT_OF_HOST_MEMORY ||
                   code == CL_OUT_OF_RESOURCES;
  sdk::fail(std::string("OpenCL: ") + call + " failed with " + cl_error_name(code) + " (" + std::to_string(code) + ")",
            oom ? EMBER_ERR_OUT_OF_MEMORY : EMBER_ERR_DEVICE);
}

namespace {

std::string info_string(cl_device_id d, cl_device_info what) {
  size_t n = 0;
  check(clGetDeviceInfo(d, what, 0, nullptr, &n), "clGetDeviceInfo");
  std::string s(n, '\0');
  check(clGetDeviceInfo(d, what, n, s.data(), nullptr), "clGetDeviceInfo");
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

std::string platform_name(cl_platform_id p) {
  size_t n = 0;
  check(clGetPlatformInfo(p, CL_PLATFORM_NAME, 0, nullptr, &n), "clGetPlatformInfo");
  std::string s(n, '\0');
  check(clGetPlatformInfo(p, CL_PLATFORM_NAME, n, s.data(), nullptr), "clGetPlatformInfo");
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

Device* open_device(cl_platform_id platform, cl_device_id id) {
  auto* d = new Device;
  d->platform = platform;
  d->id = id;
  cl_int err = CL_SUCCESS;
  d->context = clCreateContext(nullptr, 1, &id, nullptr, nullptr, &err);
  check(err, "clCreateContext");
  // In order: kernels see the results of every earlier command, so the core's
  // program order is the device's.
  d->queue = clCreateCommandQueue(d->context, id, 0, &err);
  check(err, "clCreateCommandQueue");
  cl_uint units = 0;
  check(clGetDeviceInfo(id, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, nullptr), "clGetDeviceInfo");
  check(clGetDeviceInfo(id, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof d->max_work_group, &d->max_work_group, nullptr),
        "clGetDeviceInfo");
  d->fp64 = info_string(id, CL_DEVICE_EXTENSIONS).find("cl_khr_fp64") != std::string::npos;
  d->name = platform_name(platform) + ": " + info_string(id, CL_DEVICE_NAME) + " (" + std::to_string(units) +
            " compute units)";
  return d;
}

std::vector<Device*> enumerate() {
  cl_uint count = 0;
  const cl_int st = clGetPlatformIDs(0, nullptr, &count);
  if (st == -1001 || count == 0)  // the ICD loader's "no platform"
    sdk::fail("no OpenCL platform found (is an ICD such as pocl-opencl-icd installed? see /etc/OpenCL/vendors)",
              EMBER_ERR_DEVICE);
  check(st, "clGetPlatformIDs");
  std::vector<cl_platform_id> platforms(count);
  check(clGetPlatformIDs(count, platforms.data(), nullptr), "clGetPlatformIDs");
  std::vector<Device*> out;
  for (cl_platform_id p : platforms) {
    cl_uint n = 0;
    // A platform without devices answers CL_DEVICE_NOT_FOUND: skip it.
    if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, nullptr, &n) != CL_SUCCESS || n == 0) continue;
    std::vector<cl_device_id> ids(n);
    check(clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, n, ids.data(), nullptr), "clGetDeviceIDs");
    for (cl_device_id id : ids) out.push_back(open_device(p, id));
  }
  if (out.empty()) sdk::fail("OpenCL platforms were found, but none has a device", EMBER_ERR_DEVICE);
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
    sdk::fail("opencl: no device " + std::to_string(index) + " (there are " + std::to_string(all.size()) + ")");
  return *all[size_t(index)];
}

const char* cl_type(Device& dev, int32_t dtype) {
  switch (dtype) {
    case EMBER_DTYPE_FLOAT32: return "float";
    case EMBER_DTYPE_FLOAT64:
      if (!dev.fp64) sdk::unsupported("float64 needs cl_khr_fp64, which " + dev.name + " lacks");
      return "double";
    case EMBER_DTYPE_INT32: return "int";
    case EMBER_DTYPE_INT64: return "long";
    case EMBER_DTYPE_BOOL: return "uchar";  // one byte, 0 or 1, as the CPU stores bool
    case EMBER_DTYPE_UINT8: return "uchar";
    case EMBER_DTYPE_FLOAT16:
    case EMBER_DTYPE_BFLOAT16: return "ushort";  // storage only: LOAD_/STORE_ convert to and from float
    default: sdk::unsupported(std::string("the OpenCL backend has no ") + sdk::dtype_name(dtype) + " kernels");
  }
}

bool is_half_type(int32_t dtype) { return dtype == EMBER_DTYPE_FLOAT16 || dtype == EMBER_DTYPE_BFLOAT16; }

std::string define_type(Device& dev, const char* name, int32_t dtype) {
  const std::string n = name;
  const std::string storage = cl_type(dev, dtype);
  const bool half = is_half_type(dtype);
  const std::string compute = half ? "float" : storage;
  std::string s = "#define " + n + " " + storage + "\n";
  s += "#define " + n + "_C " + compute + "\n";
  const bool floating = dtype == EMBER_DTYPE_FLOAT32 || dtype == EMBER_DTYPE_FLOAT64 || half;
  if (floating) s += "#define " + n + "_FLOAT 1\n";
  else if (dtype == EMBER_DTYPE_BOOL) s += "#define " + n + "_BOOL 1\n";
  else s += "#define " + n + "_INT 1\n";
  if (dtype == EMBER_DTYPE_UINT8) s += "#define " + n + "_UNSIGNED 1\n";
  s += "#define " + n + "_S " + (floating ? compute : std::string("long")) + "\n";
  // LOAD_<name>(p, i): element i of p as the compute type; STORE_<name>(p, i, v)
  // writes v (any arithmetic type) rounded to the storage type; ROUND_<name>(v)
  // is v rounded to the storage type and back.
  if (dtype == EMBER_DTYPE_FLOAT16) {
    s += "#define " + n + "_HALF 1\n";
    s += "#define LOAD_" + n + "(p, i) ember_load_f16((p), (i))\n";
    s += "#define STORE_" + n + "(p, i, v) ember_store_f16((p), (i), (float)(v))\n";
    s += "#define ROUND_" + n + "(v) ember_round_f16((float)(v))\n";
  } else if (dtype == EMBER_DTYPE_BFLOAT16) {
    s += "#define " + n + "_HALF 1\n";
    s += "#define LOAD_" + n + "(p, i) ember_bf16_to_float((p)[i])\n";
    s += "#define STORE_" + n + "(p, i, v) ((p)[i] = ember_float_to_bf16((float)(v)))\n";
    s += "#define ROUND_" + n + "(v) ember_bf16_to_float(ember_float_to_bf16((float)(v)))\n";
  } else {
    s += "#define LOAD_" + n + "(p, i) ((p)[i])\n";
    s += "#define STORE_" + n + "(p, i, v) ((p)[i] = (" + storage + ")(v))\n";
    s += "#define ROUND_" + n + "(v) ((" + storage + ")(v))\n";
  }
  return s;
}

std::string program_source(const std::string& defines, const char* body) {
  // The compiler defines cl_khr_fp64 where the device has it.
  std::string s = "#ifdef cl_khr_fp64\n#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n#define HAS_FP64 1\n#endif\n";
  // No fused multiply-adds: results then match the CPU's unfused arithmetic.
  s += "#pragma OPENCL FP_CONTRACT OFF\n";
  s += kGeometrySource;
  s += kHalfSource;
  s += defines;
  s += body;
  return s;
}

// float16 through OpenCL 1.2's core vload_half / vstore_half_rte (no
// cl_khr_fp16 needed), bfloat16 as ushort bits; both round to nearest even
// and match sdk/half.h bit for bit (a nan becomes the quiet nan of its sign).
const char* const kHalfSource = R"CL(
inline float ember_load_f16(const __global ushort* p, long i) {
  return vload_half((size_t)i, (const __global half*)p);
}
inline void ember_store_f16(__global ushort* p, long i, float v) {
  if (isnan(v)) p[i] = (ushort)(((as_uint(v) >> 16) & 0x8000u) | 0x7e00u);
  else vstore_half_rte(v, (size_t)i, (__global half*)p);
}
inline float ember_round_f16(float v) {
  if (isnan(v)) return v;
  ushort h;
  vstore_half_rte(v, 0, (half*)&h);
  return vload_half(0, (const half*)&h);
}
inline float ember_bf16_to_float(ushort b) { return as_float((uint)b << 16); }
inline ushort ember_float_to_bf16(float f) {
  uint x = as_uint(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return (ushort)((x >> 16) | 0x40u);  /* quiet nan */
  x += 0x7fffu + ((x >> 16) & 1u);
  return (ushort)(x >> 16);
}
)CL";

const char* const kGeometrySource = R"CL(
#define MAX_DIMS 16
#define MAX_OPERANDS 4
typedef struct {
  long ndim;
  long numel;
  long contiguous;
  long sizes[MAX_DIMS];
  long offsets[MAX_OPERANDS];
  long strides[MAX_OPERANDS][MAX_DIMS];
} Geometry;

// The element offset of operand k at linear index i of the iteration space.
inline long at(const Geometry* g, int k, long i) {
  if (g->contiguous) return g->offsets[k] + i;
  long o = g->offsets[k];
  for (int d = (int)g->ndim - 1; d >= 0; --d) {
    const long c = i % g->sizes[d];
    i /= g->sizes[d];
    o += c * g->strides[k][d];
  }
  return o;
}
#define FOR_EACH(i, n) for (long i = get_global_id(0); i < (n); i += get_global_size(0))
)CL";

int64_t numel(const ember_tensor& t) {
  int64_t n = 1;
  for (int d = 0; d < t.ndim; ++d) n *= t.sizes[d];
  return n;
}

Geometry make_geometry(std::initializer_list<const ember_tensor*> ops) {
  Geometry g{};
  const ember_tensor& ref = **ops.begin();
  if (ops.size() > size_t(kMaxOperands)) sdk::fail("opencl: too many operands for one geometry");
  if (ref.ndim > kMaxDims) sdk::unsupported("the OpenCL backend supports at most 16 dimensions");
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

int64_t grid_for(int64_t n) {
  // Enough work items to keep a GPU busy; CPU devices (PoCL) split the range
  // into work groups over their cores either way.
  constexpr int64_t kMaxItems = int64_t(1) << 20;
  return std::min(std::max<int64_t>(n, 1), kMaxItems);
}

void launch(Device& dev, cl_kernel k, std::initializer_list<Arg> args, int64_t work_items) {
  if (work_items <= 0) return;
  // Round the range up to whole groups of 64 (kernels check their bounds): a
  // range with a large prime factor would otherwise get groups of one.
  const size_t local = std::min<size_t>(64, dev.max_work_group);
  const size_t global = (size_t(work_items) + local - 1) / local * local;
  std::lock_guard<std::mutex> lock(dev.launch_mutex);
  cl_uint i = 0;
  for (const Arg& a : args) check(clSetKernelArg(k, i++, a.size, a.value), "clSetKernelArg");
  check(clEnqueueNDRangeKernel(dev.queue, k, 1, nullptr, &global, &local, 0, nullptr, nullptr),
        "clEnqueueNDRangeKernel");
}

ScalarArg scalar_arg(const ember_scalar& s) {
  ScalarArg a;
  a.d = s.kind == EMBER_SCALAR_DOUBLE ? s.d : double(s.i);
  a.f = float(a.d);
  a.fh = float(sdk::Half(a.f));
  a.fb = float(sdk::BFloat16(a.f));
  a.i = s.kind == EMBER_SCALAR_DOUBLE ? int64_t(s.d) : s.i;
  return a;
}

Arg ScalarArg::as(int32_t dtype) const {
  if (dtype == EMBER_DTYPE_FLOAT32) return arg(f);
  // Half types take their scalars as float, rounded to the type first as
  // the CPU's scalar_as<Half> does.
  if (dtype == EMBER_DTYPE_FLOAT16) return arg(fh);
  if (dtype == EMBER_DTYPE_BFLOAT16) return arg(fb);
  if (dtype == EMBER_DTYPE_FLOAT64) return arg(d);
  return arg(i);
}

}  // namespace ember::opencl
