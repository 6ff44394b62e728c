#pragma once
// EMBER_NN_ARG(T, name, default): one option of an options builder, as
// libtorch's TORCH_ARG — `opts.name(v)` sets and chains, `opts.name()` reads.
#define EMBER_NN_ARG(T, name, init)                   \
 public:                                              \
  auto& name(const T& v) {                            \
    name##_ = v;                                      \
    return *this;                                     \
  }                                                   \
  const T& name() const noexcept { return name##_; }  \
                                                      \
 private:                                             \
  T name##_ = init
