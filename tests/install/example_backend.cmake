# Installs the build tree into a fresh prefix, builds plugins/example-backend
# against it as a third party would (find_package(Ember), ember_add_backend),
# and runs the installed `ember check-backend` on the plugin it built: every
# case must pass or fall back to the CPU, none may fail.
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} COMMAND_ERROR_IS_FATAL ANY
                OUTPUT_QUIET)
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${prefix}
                        -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=${CXX_FLAGS}
                        -DCMAKE_MODULE_LINKER_FLAGS=${CXX_FLAGS}
                COMMAND_ERROR_IS_FATAL ANY OUTPUT_QUIET)
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build OUTPUT_VARIABLE build_log ERROR_VARIABLE build_log
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR build_log MATCHES "warning")
  message(FATAL_ERROR "building the example backend failed or warned (${rc}):\n${build_log}")
endif()
set(plugin ${WORK_DIR}/build/libember-backend-sample.so)
execute_process(COMMAND ${CMAKE_COMMAND} -E env EMBER_PLUGIN_PATH=${WORK_DIR}/build
                        ${prefix}/bin/ember check-backend ${plugin} --quiet
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ember check-backend failed (${rc}):\n${err}")
endif()
if(NOT out MATCHES "== sample:0" OR NOT out MATCHES "cases: [0-9]+ pass, [1-9][0-9]* fell back, 0 unsupported, 0 fail")
  message(FATAL_ERROR "expected the sample device checked, some cases falling back and none failing")
endif()
# Where its own kernels cover a case (add, forward and backward, in the
# four dtypes it computes in), nothing falls back.
if(NOT out MATCHES "\nadd +pass")
  message(FATAL_ERROR "add should pass on the sample device without the fallback")
endif()
message(STATUS "the example backend, built out of tree, passes ember check-backend")
