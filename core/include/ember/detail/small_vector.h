#pragma once
// A vector that keeps its first N elements inline: the edges and output
// metadata of an autograd node (one to three of each, almost always), which
// as std::vectors cost a heap allocation each for every recorded op.
// Only what the graph code needs of std::vector's interface.
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace ember::detail {

template <typename T, size_t N>
class SmallVector {
  static_assert(N > 0, "SmallVector needs inline room for at least one element");
  static_assert(std::is_nothrow_move_constructible_v<T>, "growing moves the elements, and must not throw");

 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  SmallVector() = default;
  SmallVector(const SmallVector& o) { append(o.begin(), o.end()); }
  SmallVector(SmallVector&& o) noexcept { take(o); }
  SmallVector& operator=(const SmallVector& o) {
    if (this != &o) {
      clear();
      append(o.begin(), o.end());
    }
    return *this;
  }
  SmallVector& operator=(SmallVector&& o) noexcept {
    if (this != &o) {
      clear();
      release();
      take(o);
    }
    return *this;
  }
  ~SmallVector() {
    clear();
    release();
  }

  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  T* data() noexcept { return data_; }
  const T* data() const noexcept { return data_; }
  T* begin() noexcept { return data_; }
  T* end() noexcept { return data_ + size_; }
  const T* begin() const noexcept { return data_; }
  const T* end() const noexcept { return data_ + size_; }
  T& operator[](size_t i) noexcept { return data_[i]; }
  const T& operator[](size_t i) const noexcept { return data_[i]; }
  T& back() noexcept { return data_[size_ - 1]; }
  const T& back() const noexcept { return data_[size_ - 1]; }

  void reserve(size_t n) {
    if (n > capacity_) grow(n);
  }
  template <typename... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == capacity_) {
      // The new element first, in the new block: `args` may refer to an
      // element of this vector, which growing moves away.
      const size_t capacity = capacity_ * 2;
      T* fresh = allocate(capacity);
      try {
        ::new (static_cast<void*>(fresh + size_)) T(std::forward<Args>(args)...);
      } catch (...) {
        deallocate(fresh);
        throw;
      }
      adopt(fresh, capacity);
    } else {
      ::new (static_cast<void*>(data_ + size_)) T(std::forward<Args>(args)...);
    }
    return data_[size_++];
  }
  void push_back(const T& v) { emplace_back(v); }
  void push_back(T&& v) { emplace_back(std::move(v)); }
  void clear() noexcept {
    std::destroy(begin(), end());
    size_ = 0;
  }

 private:
  // The inline block's address (it holds elements only up to size_).
  T* inline_data() noexcept { return reinterpret_cast<T*>(inline_); }

  static T* allocate(size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(alignof(T))));
  }
  static void deallocate(T* p) noexcept { ::operator delete(p, std::align_val_t(alignof(T))); }
  // Moves the elements into `fresh` (room for `capacity`) and keeps it.
  void adopt(T* fresh, size_t capacity) noexcept {
    std::uninitialized_move(begin(), end(), fresh);
    std::destroy(begin(), end());
    release();
    data_ = fresh;
    capacity_ = capacity;
  }
  void append(const T* first, const T* last) {
    reserve(size_ + size_t(last - first));
    for (; first != last; ++first) emplace_back(*first);
  }
  void grow(size_t n) { adopt(allocate(n), n); }
  void release() noexcept {
    if (data_ != inline_data()) deallocate(data_);
    data_ = inline_data();
    capacity_ = N;
  }
  // Takes o's elements; o is left empty with its inline storage.
  void take(SmallVector& o) noexcept {
    if (o.data_ == o.inline_data()) {
      std::uninitialized_move(o.begin(), o.end(), data_);
      size_ = o.size_;
      o.clear();
    } else {
      data_ = o.data_;
      size_ = o.size_;
      capacity_ = o.capacity_;
      o.data_ = o.inline_data();
      o.size_ = 0;
      o.capacity_ = N;
    }
  }

  alignas(T) std::byte inline_[N * sizeof(T)];
  T* data_ = inline_data();
  size_t size_ = 0;
  size_t capacity_ = N;
};

}  // namespace ember::detail
