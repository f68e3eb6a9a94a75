// go_names.cpp — C++ sites in Go's words (see go_names.hpp).
#include "go_names.hpp"

#include <cctype>
#include <vector>

namespace gor::detail {

namespace {

// kRoot is the project's root directory as this build sees it: this file is engine/src/go_names.cpp.
std::string_view project_root() {
  static const std::string root = [] {
    std::string f = __FILE__;
    const size_t at = f.rfind("engine/src/go_names.cpp");
    return at == std::string::npos ? std::string() : f.substr(0, at);
  }();
  return root;
}

// Component is one `::`-separated part of a qualified name.
struct Component {
  std::string name;
  bool function = false;  // it had a parameter list
  bool lambda = false;
};

// split() splits a qualified name at the `::` outside brackets, noting which parts had a
// parameter list, and dropping template arguments.
std::vector<Component> split(std::string_view s) {
  std::vector<Component> parts;
  Component cur;
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (depth == 0 && c == ':' && i + 1 < s.size() && s[i + 1] == ':') {
      parts.push_back(cur);
      cur = Component{};
      ++i;
      continue;
    }
    if (c == '(' || c == '<' || c == '[') {
      if (depth == 0 && c == '(') cur.function = true;
      if (depth == 0 && c == '<' && s.substr(i).starts_with("<lambda")) cur.lambda = true;
      ++depth;
      continue;
    }
    if (c == ')' || c == '>' || c == ']') {
      if (depth > 0) --depth;
      continue;
    }
    if (depth == 0) cur.name += c;
  }
  parts.push_back(cur);
  return parts;
}

bool is_namespace_like(const std::string& n) {
  return n.empty() || n == "{anonymous}" || n == "std" || n == "gor" || n == "detail" || n == "goroscope" ||
         n == "samples";
}

}  // namespace

std::string project_path(std::string_view file) {
  const std::string_view root = project_root();
  if (!root.empty() && file.starts_with(root)) file.remove_prefix(root.size());
  return std::string(file);
}

std::string go_function_name(std::string_view sig, std::string_view package) {
  std::string s(sig);
  // Clang's spelling of the anonymous namespace, and a leading "virtual "/"static ".
  for (size_t at; (at = s.find("(anonymous namespace)")) != std::string::npos;) s.replace(at, 21, "{anonymous}");
  // The return type ends at the last space outside brackets before the name's first '('.
  int depth = 0;
  size_t name_start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '(' && depth == 0) break;
    if (c == '(' || c == '<' || c == '[') ++depth;
    else if ((c == ')' || c == '>' || c == ']') && depth > 0) --depth;
    else if (c == ' ' && depth == 0) name_start = i + 1;
  }
  std::vector<Component> parts = split(std::string_view(s).substr(name_start));
  // The first function in the chain is the outermost named one; what follows are lambdas
  // (Go's closures, "f.func") or functions local to it.
  size_t first_fn = parts.size();
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].function && !parts[i].lambda) {
      first_fn = i;
      break;
    }
  }
  std::string out(package);
  out += '.';
  if (first_fn == parts.size()) {  // no named function (a lambda at namespace scope)
    out += "func";
    return out;
  }
  // A type right before the function makes it a method: Go's "pkg.(*T).m".
  if (first_fn > 0 && !is_namespace_like(parts[first_fn - 1].name)) {
    const std::string& type = parts[first_fn - 1].name;
    const bool type_like = !type.empty() && (std::isupper(static_cast<unsigned char>(type[0])) || type.find('_') != std::string::npos);
    if (type_like) out += "(*" + type + ").";
  }
  out += parts[first_fn].name;
  for (size_t i = first_fn + 1; i < parts.size(); ++i) {
    out += '.';
    out += parts[i].lambda ? std::string("func") : parts[i].name;
  }
  return out;
}

namespace {
std::string package_of(std::string_view path) { return path.starts_with("engine/") ? "gor" : "main"; }
}  // namespace

std::string go_frame(const std::source_location& s) {
  if (s.line() == 0 || s.file_name() == nullptr || s.file_name()[0] == '\0') return "";
  const std::string path = project_path(s.file_name());
  std::string out;
  out += (s.function_name() != nullptr && s.function_name()[0] != '\0')
             ? go_function_name(s.function_name(), package_of(path))
             : package_of(path) + ".func";
  out += "(...)\n\t" + path + ":" + std::to_string(s.line()) + "\n";
  return out;
}

std::string go_site(const std::source_location& s) { return go_site(s.file_name(), s.line(), s.function_name()); }

std::string go_site(const char* file, unsigned line, const char* function) {
  if (line == 0 || file == nullptr || file[0] == '\0') return "";
  const std::string path = project_path(file);
  std::string out = path + ":" + std::to_string(line);
  if (function != nullptr && function[0] != '\0') out += " in " + go_function_name(function, package_of(path));
  return out;
}

}  // namespace gor::detail
