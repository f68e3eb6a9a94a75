# goroscope_warnings: the one set of compiler warnings for every target of the project (engine,
# samples, GUI, CLI, tests, benchmarks). Link it PRIVATE, through $<BUILD_INTERFACE:...> from an
# installed target, so the flags never reach a consumer of the installed engine:
#   target_link_libraries(my_target PRIVATE goroscope_warnings)
# -Wno-restrict: GCC 12's false positive inside libstdc++'s std::string operator+ at -O3 (GCC
# bug 105329). Included from the top-level CMakeLists.txt and from engine/CMakeLists.txt (which
# also builds on its own, add_subdirectory(<checkout>/engine)); defined once either way.
if(NOT TARGET goroscope_warnings)
  add_library(goroscope_warnings INTERFACE)
  target_compile_options(goroscope_warnings INTERFACE -Wall -Wextra $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
endif()
