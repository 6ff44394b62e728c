#pragma once
// ExpandingArray<D>: D sizes given as one number (repeated) or as D numbers,
// as libtorch's — Conv2dOptions(1, 8, 3) and Conv2dOptions(1, 8, {3, 5}).
// It remembers which, because Python prints a pooling module's sizes as
// they were given (kernel_size=2 vs kernel_size=(2, 2)).
#include <array>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <vector>

#include "ember/error.h"

namespace ember {

template <size_t D>
class ExpandingArray {
 public:
  ExpandingArray(int64_t single) : from_single_(true) { values_.fill(single); }
  ExpandingArray(std::initializer_list<int64_t> list) : ExpandingArray(std::vector<int64_t>(list)) {}
  ExpandingArray(const std::vector<int64_t>& values) {
    EMBER_CHECK(values.size() == D, "expected ", D, " values (one per spatial dimension), got ", values.size());
    for (size_t i = 0; i < D; ++i) values_[i] = values[i];
  }
  ExpandingArray(const std::array<int64_t, D>& values) : values_(values) {}

  int64_t operator[](size_t i) const { return values_.at(i); }
  int64_t& operator[](size_t i) { return values_.at(i); }
  const std::array<int64_t, D>& operator*() const { return values_; }
  const std::array<int64_t, D>* operator->() const { return &values_; }
  static constexpr size_t size() { return D; }
  bool from_single() const { return from_single_; }
  bool all_equal(int64_t v) const {
    for (int64_t x : values_)
      if (x != v) return false;
    return true;
  }

  // Python's tuple: "(3, 3)", "(3,)".
  void print_tuple(std::ostream& out) const {
    out << '(';
    for (size_t i = 0; i < D; ++i) out << (i ? ", " : "") << values_[i];
    out << (D == 1 ? ",)" : ")");
  }
  // As given: a number when given one, else a tuple.
  void print_as_given(std::ostream& out) const {
    if (from_single_) out << values_[0];
    else print_tuple(out);
  }

 private:
  std::array<int64_t, D> values_{};
  bool from_single_ = false;
};

}  // namespace ember
