// source_site.hpp — finding "file:line" in the site texts the engine and the app print.
//
// Sites come in several shapes: the engine's "/abs/path/samples/deadlock.cpp:30 in void
// goroscope::samples::{anonymous}::deadlock_main(const goroscope::SampleParams&, ...)", the
// shortened "samples/deadlock.cpp:30 in main.deadlock_main", a dump's "\tsamples/deadlock.cpp:30",
// or just "deadlock.cpp:30". parse_site() reads the file's base name and the line from any of
// them. Plain C++ (no Qt).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace goroscope::gui {

// SourceSite is a line of a source file, named by the file's base name ("deadlock.cpp").
struct SourceSite {
  std::string file;
  int line = 0;
  bool operator==(const SourceSite&) const = default;
};

// parse_site() is the first "name.ext:LINE" in `text` with a C or C++ source extension (.cpp,
// .cc, .cxx, .hpp, .h) and a line >= 1, as its base name and line; nullopt if there is none.
std::optional<SourceSite> parse_site(std::string_view text);

// sample_source_file() is the base name of sample `id`'s source ("worker-pool" ->
// "worker_pool.cpp"), as samples/samples.def names them.
std::string sample_source_file(std::string_view sample_id);

}  // namespace goroscope::gui
