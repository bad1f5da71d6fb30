# Installs the already-built project into a temporary prefix, builds a consumer project against it
# with find_package(CardinalSdk), runs it, and checks the pkg-config file.
# Variables: BUILD_DIR, WORK_DIR, LIBDIR, CONSUMER_CXX_FLAGS / CONSUMER_LINKER_FLAGS (the sanitizer
# flags of the build under test, which an instrumented static library needs), and either SOURCE_DIR
# (the consumer is tests/package/consumer) or CONSUMER_SOURCE_DIR + CONSUMER_EXE (another consumer
# project, e.g. examples/find_package_consumer, and the executable it builds).
if(NOT CONSUMER_SOURCE_DIR)
  set(CONSUMER_SOURCE_DIR "${SOURCE_DIR}/tests/package/consumer")
endif()
if(NOT CONSUMER_EXE)
  set(CONSUMER_EXE consumer)
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()

run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
foreach(f include/cardinal/result.hpp include/cardinal/crypto/aes.hpp include/cardinal/http/transport.hpp
          include/cardinal/content/manifest.hpp include/cardinal/keys/crypto_strategies.hpp
          ${LIBDIR}/cmake/CardinalSdk/CardinalSdkConfig.cmake ${LIBDIR}/cmake/CardinalSdk/CardinalSdkConfigVersion.cmake
          ${LIBDIR}/pkgconfig/cardinal-sdk.pc)
  if(NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
if(EXISTS "${prefix}/include/crypto" OR EXISTS "${prefix}/include/cardinal/../crypto/openssl.hpp")
  message(FATAL_ERROR "internal headers were installed")
endif()

run(${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${WORK_DIR}/build"
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_CXX_FLAGS=${CONSUMER_CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${CONSUMER_LINKER_FLAGS}")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run("${WORK_DIR}/build/${CONSUMER_EXE}")

find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  set(ENV{PKG_CONFIG_PATH} "${prefix}/${LIBDIR}/pkgconfig")
  run(${PKG_CONFIG} --cflags --libs cardinal-sdk)
endif()
