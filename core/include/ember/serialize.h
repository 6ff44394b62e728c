#pragma once
// Checkpoints in the safetensors format (https://huggingface.co/docs/safetensors):
// files Python's safetensors reads and writes.
#include <map>
#include <string>

#include "ember/tensor.h"

namespace ember {

namespace nn {
class Module;
}
namespace optim {
class Optimizer;
}

// Writes `tensors` (any device; stored contiguous, little-endian) to `path`
// through a temporary file renamed over it, so a crash mid-save never
// destroys the previous file. `metadata` goes to the header's __metadata__.
void save(const std::map<std::string, Tensor>& tensors, const std::string& path,
          const std::map<std::string, std::string>& metadata = {});
// Reads every tensor of a safetensors file (on the CPU). A truncated or
// malformed file is an Error; nothing is read out of bounds.
std::map<std::string, Tensor> load_tensors(const std::string& path);
// The same from bytes in memory (what load_tensors reads).
std::map<std::string, Tensor> load_tensors_from_bytes(const void* data, size_t size);

// A module's parameters and buffers under their dotted names
// ("fc1.weight"), as PyTorch's state_dict.
void save(const nn::Module& module, const std::string& path);
// Copies every tensor of the file into the module's parameter or buffer of
// that name (on the module's device); names missing on either side and
// shape mismatches are Errors, and then the module is left unchanged.
void load(nn::Module& module, const std::string& path);

// An optimizer's state (optimizer_state.cpp): each parameter's state
// tensors as "state.<index>.<key>" ("state.0.exp_avg", "state.0.step"), the
// index counting the parameters of every group in order as PyTorch's
// state_dict does, and the groups' hyperparameters as JSON in the metadata.
// SGD, Adam, AdamW, RMSprop and Adagrad are supported.
void save(const optim::Optimizer& optimizer, const std::string& path);
// Restores what save wrote into an optimizer of the same kind over
// parameters of the same count and shapes (state on each parameter's
// device), so training continues exactly as if it had not stopped; any
// mismatch is an Error, and then the optimizer is left unchanged.
void load(optim::Optimizer& optimizer, const std::string& path);

}  // namespace ember
