// go_names.hpp — source sites in Go's words for dumps and race reports: a project-relative
// path and a short Go-style function name instead of an absolute build path and a C++
// signature.
#pragma once

#include <source_location>
#include <string>
#include <string_view>

namespace gor::detail {

// project_path() is `file` relative to the project's root (the directory that holds engine/),
// e.g. "samples/deadlock.cpp"; a file outside the project keeps its path.
std::string project_path(std::string_view file);

// go_function_name() is a C++ function signature (std::source_location::function_name(), as
// GCC or Clang print it) in the shape of a Go traceback frame's function, without return
// type, parameters, template arguments or namespaces:
//   "void goroscope::samples::{anonymous}::deadlock_main(const P&, O&)"  -> "main.deadlock_main"
//   "...::deadlock_main(const P&, O&)::<lambda()>"                         -> "main.deadlock_main.func"
//   "void {anonymous}::Probe::mark(std::source_location)"                 -> "main.(*Probe).mark"
// `package` is the Go package to print ("main" for the program's code, "gor" for the engine's).
std::string go_function_name(std::string_view signature, std::string_view package = "main");

// go_frame() is a frame as Go's traceback prints it: "main.f(...)\n\tsamples/x.cpp:12\n"
// (the engine's own files are in package "gor"). An unknown site gives "".
std::string go_frame(const std::source_location& s);

// TracebackLevel is how much a panic's dump shows (Go's GOTRACEBACK, read from the
// environment like Go does): Single, the panicking goroutine (Go's default); All, every
// goroutine; None, no goroutine.
enum class TracebackLevel { None, Single, All };
TracebackLevel traceback_level() noexcept;

// go_site() is "samples/x.cpp:12 in main.f": the one-line form of go_frame(); "" if unknown.
std::string go_site(const std::source_location& s);
// go_site() of a site given by its parts (`function` may be null or empty: "samples/x.cpp:12").
std::string go_site(const char* file, unsigned line, const char* function);

}  // namespace gor::detail
