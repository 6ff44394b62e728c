# Installs the build tree into a fresh prefix, builds tests/install against
# it, runs the program with only the installed plugins, and compares its
# output with expected.txt.
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} COMMAND_ERROR_IS_FATAL ANY
                OUTPUT_QUIET)
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${prefix}
                        -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=${CXX_FLAGS}
                        -DCMAKE_EXE_LINKER_FLAGS=${CXX_FLAGS}
                COMMAND_ERROR_IS_FATAL ANY OUTPUT_QUIET)
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build COMMAND_ERROR_IS_FATAL ANY OUTPUT_QUIET)
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=EMBER_PLUGIN_PATH EMBER_LOG=plugins ${WORK_DIR}/build/consumer
                OUTPUT_VARIABLE out ERROR_VARIABLE trace RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "consumer failed (${rc}):\n${out}\n${trace}")
endif()
string(FIND "${trace}" "loaded cpu" loaded_at)
string(FIND "${trace}" "${prefix}/lib/ember/plugins/libember-backend-cpu.so" from_prefix)
if(loaded_at EQUAL -1 OR from_prefix EQUAL -1)
  message(FATAL_ERROR "the CPU plugin was not loaded from the install prefix:\n${trace}")
endif()
file(READ ${SOURCE_DIR}/expected.txt expected)
if(NOT out STREQUAL expected)
  file(WRITE ${WORK_DIR}/actual.txt "${out}")
  message(FATAL_ERROR "output differs from expected.txt; see ${WORK_DIR}/actual.txt:\n${out}")
endif()
message(STATUS "installed consumer prints what Python prints")
