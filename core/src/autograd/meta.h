#pragma once
// Per-tensor autograd state (core-private).
#include <memory>
#include <mutex>

#include "ember/autograd.h"

namespace ember::autograd {

struct AutogradMeta {
  Tensor grad;                      // accumulated gradient (leaves, retain_grad)
  std::shared_ptr<Node> grad_fn;    // null for leaves
  std::weak_ptr<Node> accumulator;  // a leaf's AccumulateGrad, while the graph holds it
  uint32_t output_nr = 0;           // which output of grad_fn this tensor is
  bool retains_grad = false;
  std::shared_ptr<Node> leaf_hooks_owner;  // keeps a hooked leaf's AccumulateGrad
  std::mutex mutex;                 // guards grad and accumulator
};

// The tensor's meta, created on first use.
AutogradMeta& meta(const Tensor& t);
// The tensor's meta, or null.
inline AutogradMeta* meta_if(const Tensor& t) { return t.impl().autograd.get(); }

// The edge a gradient for `t` flows along: (grad_fn, output_nr) for a
// recorded output, the leaf's AccumulateGrad for a leaf requiring grad, or an
// invalid edge.
Edge gradient_edge(const Tensor& t);

// Makes `t` the output `output_nr` of `node`.
void set_history(const Tensor& t, const std::shared_ptr<Node>& node, uint32_t output_nr);

// True when grad mode is on and any of `inputs` requires grad.
bool should_record(std::initializer_list<const Tensor*> inputs);

uint64_t next_sequence_nr();

}  // namespace ember::autograd
