#pragma once
// The CPU backend's one parallel loop. Every kernel's parallel work goes
// through parallel_for below, which hands oneTBB a type-erased body: each
// distinct functor given to tbb::parallel_for instantiates oneTBB's task
// templates anew (about 5 KB each, with their RTTI), and the kernels'
// per-dtype lambdas had made that 1.5 MB, a third of the plugin. One
// indirect call per task costs nothing next to the task's work (thousands
// of elements, or a gemm).
#include <cstdint>
#include <memory>
#include <type_traits>

namespace ember::cpu {

// A non-owning reference to a callable; valid while the callable lives (for
// a temporary: until the end of the full expression, which covers the call
// it is passed to).
template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef>>>
  FunctionRef(F&& f)  // NOLINT(google-explicit-constructor): passed like a std::function
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}
  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

// body(b, e) over subranges [b, e) that together cover [begin, end), split
// no finer than about `grain` indices (oneTBB halves a range while it is
// larger than grain); oneTBB's partitioner decides the split, so a body must
// not depend on where it falls.
void parallel_for(int64_t begin, int64_t end, int64_t grain, FunctionRef<void(int64_t, int64_t)> body);

// body(i) for every i in [0, count), in parallel, one index per task at the
// finest (tbb::parallel_for(0, count, body)).
template <typename Body>
void parallel_for_each(int64_t count, Body&& body) {
  parallel_for(0, count, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) body(i);
  });
}

// The threads a kernel may use now: the arena's concurrency, capped by
// set_num_threads (a tbb::global_control, which the arena does not report).
int64_t max_threads();

}  // namespace ember::cpu
