# ctest docs.doxygen: rebuild the `docs` target from scratch; fail if doxygen fails or warns.
file(REMOVE_RECURSE "${OUT_DIR}")
execute_process(
  COMMAND "${CMAKE_COMMAND}" --build "${BINARY_DIR}" --target docs
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "docs target failed (exit ${rc})")
endif()
if(err MATCHES "warning:" OR out MATCHES "warning:")
  message(FATAL_ERROR "doxygen reported warnings")
endif()
if(NOT EXISTS "${OUT_DIR}/html/index.html")
  message(FATAL_ERROR "no ${OUT_DIR}/html/index.html")
endif()
