# Warning flags for every target of this project (not exported to consumers).
# (-Wnull-dereference is left out: GCC 12 reports false positives inside libstdc++ at -O2.
# -Wmissing-field-initializers is off: option structs are meant to be brace-initialised in part.)
add_library(cardinal_warnings INTERFACE)
target_compile_options(cardinal_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wno-missing-field-initializers -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wformat=2 -Wimplicit-fallthrough)
# GCC 12 reports -Wrestrict false positives on std::string concatenation at -O2/-O3 (GCC bug
# 105329); they break optimised builds under -Werror.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(cardinal_warnings INTERFACE -Wno-restrict)
endif()
if(CARDINAL_WERROR)
  target_compile_options(cardinal_warnings INTERFACE -Werror)
endif()
