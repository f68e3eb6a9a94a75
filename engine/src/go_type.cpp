// go_type.cpp — a class's name as Go prints a named type (see gor/go_type.hpp).
#include "gor/go_type.hpp"

#include "registry.hpp"

namespace gor::detail {

std::string go_class_name(const char* mangled) {
  const std::string full = demangle(mangled);
  // The name is the last `::` component outside template arguments, without them.
  std::string out;
  int depth = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    const char c = full[i];
    if (c == '<' || c == '(') {
      if (depth == 0 && c == '(' && full.compare(i, 21, "(anonymous namespace)") == 0) {
        i += 20;
        continue;
      }
      ++depth;
      continue;
    }
    if (c == '>' || c == ')') {
      if (depth > 0) --depth;
      continue;
    }
    if (depth > 0) continue;
    if (c == ':' && i + 1 < full.size() && full[i + 1] == ':') {
      out.clear();
      ++i;
      continue;
    }
    out += c;
  }
  if (out.starts_with("{anonymous}")) out.erase(0, 11);
  return out.empty() ? full : out;
}

}  // namespace gor::detail
