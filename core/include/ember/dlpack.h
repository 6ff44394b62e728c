#pragma once
// Zero-copy exchange with other libraries through DLPack.
#include "ember/tensor.h"

struct DLManagedTensor;

namespace ember {

// The returned tensor keeps `t`'s storage alive until its deleter runs.
DLManagedTensor* to_dlpack(const Tensor& t);
// Takes ownership of `managed`: its deleter runs when the last tensor that
// shares the memory is gone.
Tensor from_dlpack(DLManagedTensor* managed);

}  // namespace ember
