#pragma once
// The caching allocator (core-private): storages for every device come from
// here. Freed blocks go back to a per-device pool keyed by rounded size and
// are reused; the pool is released on an allocation failure (then retried)
// and on ember::empty_cache().
#include <cstddef>
#include <memory>

#include "ember/detail/tensor_impl.h"

namespace ember::allocator {

std::shared_ptr<detail::Storage> allocate(const Device& device, size_t nbytes);
void empty_cache();

}  // namespace ember::allocator
