// libFuzzer target: the safetensors reader must reject any malformed input
// with an ember::Error and never read out of bounds (ASan watches).
#include <ember/ember.h>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto tensors = ember::load_tensors_from_bytes(data, size);
    for (auto& [name, t] : tensors) (void)t.numel();
  } catch (const ember::Error&) {
    // Rejected with a clear error: what we want for malformed input.
  }
  return 0;
}
