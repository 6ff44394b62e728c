# Runs seed_tutorial and compares its output with expected_output.txt (what
# the Python program seed_tutorial.py prints).
execute_process(COMMAND ${PROGRAM} --seed 0 OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "seed_tutorial failed (${rc})")
endif()
file(READ ${EXPECTED} expected)
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "seed_tutorial's output differs from Python's:\n${out}\nexpected:\n${expected}")
endif()
