// Programs are compiled from source once per device, on first use, and kept
// (with their kernels) for the life of the process: building a program costs
// milliseconds to seconds, a lookup a hash of the source.
#include <memory>
#include <unordered_map>

#include "context.h"

namespace ember::opencl {
namespace {

struct Program {
  cl_program program = nullptr;
  std::unordered_map<std::string, cl_kernel> kernels;
};

struct Cache {
  std::mutex mutex;
  // Keyed by device and the program's full source, which names its dtypes.
  std::unordered_map<const Device*, std::unordered_map<std::string, std::unique_ptr<Program>>> programs;
};
Cache& cache() {
  static Cache* c = new Cache;  // never destroyed: kernels may run after main()
  return *c;
}

std::string build_log(Device& dev, cl_program p) {
  size_t n = 0;
  clGetProgramBuildInfo(p, dev.id, CL_PROGRAM_BUILD_LOG, 0, nullptr, &n);
  std::string log(n, '\0');
  clGetProgramBuildInfo(p, dev.id, CL_PROGRAM_BUILD_LOG, n, log.data(), nullptr);
  if (log.size() > 2000) log.resize(2000);
  return log;
}

Program& build(Device& dev, const std::string& source) {
  auto p = std::make_unique<Program>();
  const char* text = source.c_str();
  const size_t length = source.size();
  cl_int err = CL_SUCCESS;
  p->program = clCreateProgramWithSource(dev.context, 1, &text, &length, &err);
  check(err, "clCreateProgramWithSource");
  err = clBuildProgram(p->program, 1, &dev.id, "-cl-std=CL1.2", nullptr, nullptr);
  if (err == CL_BUILD_PROGRAM_FAILURE)
    sdk::fail("OpenCL: clBuildProgram failed with CL_BUILD_PROGRAM_FAILURE; the build log:\n" +
                  build_log(dev, p->program),
              EMBER_ERR_INTERNAL);
  check(err, "clBuildProgram");
  auto& slot = cache().programs[&dev][source];
  slot = std::move(p);
  return *slot;
}

}  // namespace

cl_kernel kernel(Device& dev, const std::string& source, const char* name) {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  auto& per_device = c.programs[&dev];
  auto it = per_device.find(source);
  auto& p = it != per_device.end() ? *it->second : build(dev, source);
  auto k = p.kernels.find(name);
  if (k != p.kernels.end()) return k->second;
  cl_int err = CL_SUCCESS;
  cl_kernel created = clCreateKernel(p.program, name, &err);
  check(err, "clCreateKernel");
  p.kernels.emplace(name, created);
  return created;
}

}  // namespace ember::opencl
