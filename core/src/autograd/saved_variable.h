#pragma once
// A tensor saved by a node for its backward. It remembers the storage's
// version, so a backward after an in-place write to it is an Error, and it
// can be freed after the backward (retain_graph = false).
#include <memory>
#include <string>

#include "ember/autograd.h"

namespace ember::autograd {

class SavedVariable {
 public:
  SavedVariable() = default;
  // `is_output`: `t` is an output of `node` (kept without its grad_fn, to
  // avoid a reference cycle, and given it back on unpack).
  SavedVariable(const Tensor& t, bool is_output, const std::shared_ptr<Node>& node = nullptr);
  Tensor unpack(const Node& owner) const;
  void reset() {
    data_ = Tensor();
    released_ = true;
  }
  bool defined() const noexcept { return was_defined_; }

 private:
  Tensor data_;
  uint32_t version_ = 0;
  bool was_defined_ = false;
  bool released_ = false;
  bool is_output_ = false;
  bool requires_grad_ = false;
  uint32_t output_nr_ = 0;
  std::weak_ptr<Node> output_of_;  // for outputs
  std::string produced_by_;        // ", which is output 0 of MulBackward0", for the error
};

}  // namespace ember::autograd
