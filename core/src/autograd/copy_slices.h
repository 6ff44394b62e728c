#pragma once
#include <memory>

#include "ember/autograd.h"

namespace ember::autograd {

// After the in-place op recorded as `fn` wrote `view` (a view of another
// tensor), moves the op into the base's history (see copy_slices.cpp).
void rebase_history(const Tensor& view, const std::shared_ptr<Node>& fn);

}  // namespace ember::autograd
