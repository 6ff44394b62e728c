// OpenBLAS, loaded at run time with one thread (see the note below).
#include "blas.h"

#include <dlfcn.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "ember/sdk/backend.h"

namespace ember::cpu {
namespace {

// Note [OpenBLAS in the CPU backend]
// oneTBB is the backend's only thread pool and runs one gemm per task, so
// OpenBLAS must be safe for concurrent calls and must not start threads of
// its own. Debian's serial build is not safe (no USE_LOCKING: concurrent
// calls share work buffers, OpenBLAS issues #1755, #2126); the pthread build
// locks its buffers, but starts a pool at load time whose spinning costs every
// small op. So the backend loads the pthread build itself, after setting
// OPENBLAS_NUM_THREADS=1 (unless the user set it), and calls it through
// function pointers.
struct Blas {
  decltype(&cblas_sgemm) sgemm = nullptr;
  decltype(&cblas_dgemm) dgemm = nullptr;
};

// The build machine's pthread OpenBLAS; elsewhere (a build carried to
// another distribution) whatever the loader finds as libopenblas.so.0, or
// the file EMBER_OPENBLAS names.
void* open_openblas(std::string& tried) {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("EMBER_OPENBLAS"); env && *env) candidates.emplace_back(env);
  candidates.emplace_back(EMBER_OPENBLAS_PATH);
  candidates.emplace_back("libopenblas.so.0");
  for (const std::string& path : candidates) {
    if (void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) return lib;
    tried += std::string(tried.empty() ? "" : "; ") + dlerror();
  }
  return nullptr;
}

const Blas& blas() {
  static const Blas loaded = [] {
    setenv("OPENBLAS_NUM_THREADS", "1", /*overwrite=*/0);
    std::string tried;
    void* lib = open_openblas(tried);
    if (!lib) sdk::fail("cannot load OpenBLAS: " + tried + " (set EMBER_OPENBLAS to its path)", EMBER_ERR_DEVICE);
    Blas b;
    b.sgemm = reinterpret_cast<decltype(&cblas_sgemm)>(dlsym(lib, "cblas_sgemm"));
    b.dgemm = reinterpret_cast<decltype(&cblas_dgemm)>(dlsym(lib, "cblas_dgemm"));
    if (!b.sgemm || !b.dgemm) sdk::fail("the OpenBLAS loaded lacks cblas_sgemm/cblas_dgemm");
    // Should the process hold an OpenBLAS with more threads, keep it to one.
    if (auto set_threads = reinterpret_cast<void (*)(int)>(dlsym(lib, "openblas_set_num_threads"))) set_threads(1);
    return b;
  }();
  return loaded;
}

}  // namespace

void load_blas() { blas(); }

template <typename T>
void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda,
          const T* b, int64_t ldb, T* c, int64_t ldc, T beta) {
  if constexpr (std::is_same_v<T, float>)
    blas().sgemm(CblasRowMajor, ta, tb, int(m), int(n), int(k), 1.0f, a, int(lda), b, int(ldb), beta, c, int(ldc));
  else
    blas().dgemm(CblasRowMajor, ta, tb, int(m), int(n), int(k), 1.0, a, int(lda), b, int(ldb), beta, c, int(ldc));
}
template void gemm<float>(CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, int64_t, int64_t, int64_t, const float*, int64_t,
                          const float*, int64_t, float*, int64_t, float);
template void gemm<double>(CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, int64_t, int64_t, int64_t, const double*, int64_t,
                           const double*, int64_t, double*, int64_t, double);

}  // namespace ember::cpu
