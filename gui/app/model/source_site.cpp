#include "model/source_site.hpp"

#include <array>
#include <cctype>

namespace goroscope::gui {

namespace {

constexpr std::array<std::string_view, 5> kExtensions = {".cpp", ".cc", ".cxx", ".hpp", ".h"};

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '+';
}

}  // namespace

std::optional<SourceSite> parse_site(std::string_view text) {
  for (size_t colon = text.find(':'); colon != std::string_view::npos; colon = text.find(':', colon + 1)) {
    // The line: digits right after the colon, not followed by more name characters.
    size_t end = colon + 1;
    long line = 0;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) && line < 10'000'000)
      line = line * 10 + (text[end++] - '0');
    if (end == colon + 1 || line < 1) continue;
    if (end < text.size() && (std::isalpha(static_cast<unsigned char>(text[end])) || text[end] == '_')) continue;
    // The file: the name characters before the colon, back to a '/', '\\' or anything else.
    size_t begin = colon;
    while (begin > 0 && is_name_char(text[begin - 1])) --begin;
    const std::string_view name = text.substr(begin, colon - begin);
    for (std::string_view ext : kExtensions) {
      if (name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext)
        return SourceSite{std::string(name), static_cast<int>(line)};
    }
  }
  return std::nullopt;
}

std::string sample_source_file(std::string_view sample_id) {
  std::string file(sample_id);
  for (char& c : file)
    if (c == '-') c = '_';
  return file + ".cpp";
}

}  // namespace goroscope::gui
