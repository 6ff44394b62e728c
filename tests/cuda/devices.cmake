# The CUDA plugin as `ember devices` shows it (cmake -DEMBER=<ember tool> -P).
# On a machine without an NVIDIA driver (CI, most builders) the plugin must
# load as a library, be listed as not loaded with the CUDA runtime's reason,
# and add no device; where the driver is present, cuda:0 must exist instead.
execute_process(COMMAND ${EMBER} devices OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message(STATUS "ember devices:\n${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ember devices failed (${rc})")
endif()
string(REGEX MATCH "\n  cuda [^\n]*" plugin "${out}")
string(REGEX MATCH "\nDevices:[^\n]*" devices "${out}")
if(NOT plugin)
  message(FATAL_ERROR "the cuda plugin is not listed")
endif()
if(EXISTS /proc/driver/nvidia/version OR EXISTS /dev/nvidiactl)
  if(NOT plugin MATCHES " loaded$" OR NOT devices MATCHES " cuda:0( |$)")
    message(FATAL_ERROR "an NVIDIA driver is present, but cuda:0 is not a device")
  endif()
  message(STATUS "GPU machine: cuda:0 exists")
else()
  # A missing shared library would fail the load itself, with the loader's
  # message instead of the runtime's: the reason must come from CUDA.
  if(NOT plugin MATCHES "not loaded: [^\n]*CUDA")
    message(FATAL_ERROR "without a GPU the cuda plugin must be listed as not loaded, with CUDA's reason")
  endif()
  if(devices MATCHES "cuda")
    message(FATAL_ERROR "without a GPU there must be no cuda device")
  endif()
  message(STATUS "no GPU: the cuda plugin is listed with its reason and adds no device")
endif()
