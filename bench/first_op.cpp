// Process start to first op result: creates two tensors, adds them and
// prints the sum. Compiled for Ember (first_op_ember) and libtorch
// (first_op_libtorch); bench/footprint.sh times 10 runs of each.
#include <cstdio>

#ifdef EMBER_BENCH_LIBTORCH
#include <torch/torch.h>
namespace lib = torch;
#else
#include <ember/ember.h>
namespace lib = ember;
#endif

int main() {
  auto a = lib::ones({4});
  std::printf("%g\n", double((a + a).sum().item<float>()));  // 8
  return 0;
}
