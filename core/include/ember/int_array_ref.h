#pragma once
// IntArrayRef (a non-owning list of int64, like c10::IntArrayRef) and
// DimVector (an owning list with inline room for the common ranks).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iosfwd>
#include <vector>

namespace ember {

class IntArrayRef {
 public:
  constexpr IntArrayRef() = default;
  constexpr IntArrayRef(const int64_t& one) : data_(&one), size_(1) {}
  constexpr IntArrayRef(const int64_t* data, size_t size) : data_(data), size_(size) {}
  IntArrayRef(const std::vector<int64_t>& v) : data_(v.data()), size_(v.size()) {}
  // Like c10::ArrayRef: valid while the braced list's full-expression lasts,
  // which is what passing `{2, 3}` to a function needs.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
#endif
  constexpr IntArrayRef(std::initializer_list<int64_t> l) : data_(l.begin()), size_(l.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  template <size_t N>
  constexpr IntArrayRef(const int64_t (&a)[N]) : data_(a), size_(N) {}

  constexpr const int64_t* begin() const noexcept { return data_; }
  constexpr const int64_t* end() const noexcept { return data_ + size_; }
  constexpr const int64_t* data() const noexcept { return data_; }
  constexpr size_t size() const noexcept { return size_; }
  constexpr bool empty() const noexcept { return size_ == 0; }
  constexpr const int64_t& operator[](size_t i) const noexcept { return data_[i]; }
  const int64_t& front() const noexcept { return data_[0]; }
  const int64_t& back() const noexcept { return data_[size_ - 1]; }
  std::vector<int64_t> vec() const { return std::vector<int64_t>(begin(), end()); }
  bool equals(IntArrayRef o) const noexcept { return size_ == o.size_ && std::equal(begin(), end(), o.begin()); }
  friend bool operator==(IntArrayRef a, IntArrayRef b) noexcept { return a.equals(b); }
  friend bool operator==(IntArrayRef a, const std::vector<int64_t>& b) noexcept { return a.equals(b); }
  friend bool operator==(const std::vector<int64_t>& a, IntArrayRef b) noexcept { return b.equals(a); }

 private:
  const int64_t* data_ = nullptr;
  size_t size_ = 0;
};
std::ostream& operator<<(std::ostream& out, IntArrayRef a);  // "[2, 3]"

// Sizes and strides of a tensor: inline up to kInline dims, heap beyond, so
// the usual tensor costs no allocation for its shape.
class DimVector {
 public:
  static constexpr size_t kInline = 6;
  DimVector() = default;
  explicit DimVector(size_t n, int64_t value = 0) { resize(n, value); }
  DimVector(IntArrayRef a) { assign(a); }
  DimVector(std::initializer_list<int64_t> l) { assign(IntArrayRef(l)); }
  DimVector(const DimVector& o) { assign(o); }
  DimVector& operator=(const DimVector& o) {
    if (this != &o) assign(o);
    return *this;
  }
  DimVector(DimVector&& o) noexcept { move_from(o); }
  DimVector& operator=(DimVector&& o) noexcept {
    if (this != &o) {
      release();
      move_from(o);
    }
    return *this;
  }
  ~DimVector() { release(); }

  // (A plain loop, not memmove: shapes are a few dims, and a libc call per
  // copy showed up in the cost of recording an op.)
  void assign(IntArrayRef a) {
    const size_t n = a.size();
    if (n > capacity_) grow(n);
    int64_t* out = data_;
    const int64_t* in = a.data();
    if (out != in)
      for (size_t i = 0; i < n; ++i) out[i] = in[i];
    size_ = n;
  }
  void resize(size_t n, int64_t value = 0) {
    if (n > capacity_) grow(n);
    for (size_t i = size_; i < n; ++i) data_[i] = value;
    size_ = n;
  }
  void push_back(int64_t v) {
    if (size_ == capacity_) grow(capacity_ * 2);
    data_[size_++] = v;
  }
  void insert(size_t pos, int64_t v) {
    push_back(0);
    for (size_t i = size_ - 1; i > pos; --i) data_[i] = data_[i - 1];
    data_[pos] = v;
  }
  void erase(size_t pos) {
    for (size_t i = pos; i + 1 < size_; ++i) data_[i] = data_[i + 1];
    --size_;
  }
  int64_t* begin() noexcept { return data_; }
  int64_t* end() noexcept { return data_ + size_; }
  const int64_t* begin() const noexcept { return data_; }
  const int64_t* end() const noexcept { return data_ + size_; }
  int64_t* data() noexcept { return data_; }
  const int64_t* data() const noexcept { return data_; }
  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  int64_t& operator[](size_t i) noexcept { return data_[i]; }
  int64_t operator[](size_t i) const noexcept { return data_[i]; }
  int64_t& back() noexcept { return data_[size_ - 1]; }
  operator IntArrayRef() const noexcept { return IntArrayRef(data_, size_); }
  std::vector<int64_t> vec() const { return std::vector<int64_t>(begin(), end()); }

 private:
  void grow(size_t n) {
    auto* fresh = new int64_t[n];
    if (size_) std::memcpy(fresh, data_, size_ * sizeof(int64_t));
    release();
    data_ = fresh;
    capacity_ = n;
  }
  void release() noexcept {
    if (data_ != inline_) delete[] data_;
    data_ = inline_;
    capacity_ = kInline;
  }
  void move_from(DimVector& o) noexcept {
    if (o.data_ == o.inline_) {
      std::memcpy(inline_, o.inline_, sizeof(inline_));
      data_ = inline_;
      capacity_ = kInline;
    } else {
      data_ = o.data_;
      capacity_ = o.capacity_;
      o.data_ = o.inline_;
      o.capacity_ = kInline;
    }
    size_ = o.size_;
    o.size_ = 0;
  }
  int64_t inline_[kInline];
  int64_t* data_ = inline_;
  size_t size_ = 0;
  size_t capacity_ = kInline;
};

}  // namespace ember
