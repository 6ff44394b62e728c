#pragma once
// The SPIR-V of every shader variant, compiled by glslc at build time into
// the generated shader_table.cpp (CMakeLists.txt).
#include <cstddef>
#include <cstdint>

namespace ember::vulkan {

struct ShaderCode {
  const char* name;  // "<shader>_<dtypes>", e.g. "binary_f32"
  const uint32_t* words;
  size_t bytes;
};
extern const ShaderCode kShaders[];
extern const size_t kShaderCount;

}  // namespace ember::vulkan
