// The one instantiation of oneTBB's parallel loop (see parallel.h).
#include "parallel.h"

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>

namespace ember::cpu {

void parallel_for(int64_t begin, int64_t end, int64_t grain, FunctionRef<void(int64_t, int64_t)> body) {
  if (begin >= end) return;
  tbb::parallel_for(tbb::blocked_range<int64_t>(begin, end, size_t(std::max<int64_t>(grain, 1))),
                    [body](const tbb::blocked_range<int64_t>& r) { body(r.begin(), r.end()); });
}

int64_t max_threads() {
  return std::min<int64_t>(tbb::this_task_arena::max_concurrency(),
                           int64_t(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism)));
}

}  // namespace ember::cpu
