# gorConfig.cmake — the installed gor engine: find_package(gor) gives the target gor::engine
# (a static library; C++20; links Boost.Context and Threads, found here).
include(CMakeFindDependencyMacro)
find_dependency(Boost 1.74 COMPONENTS context)
find_dependency(Threads)
include(${CMAKE_CURRENT_LIST_DIR}/gorTargets.cmake)
