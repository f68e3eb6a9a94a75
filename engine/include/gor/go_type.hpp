// go_type.hpp — C++ types in Go's words, for the element type of a channel as a snapshot,
// a card or a dump shows it: Chan<int64_t> is "chan int", Chan<gor::Unit> "chan struct{}",
// Chan<std::string> "chan string", Chan<std::unique_ptr<Item>> "chan *Item".
//
// A program names a type C++ cannot tell by specializing GoTypeName:
//
//   template <> struct gor::GoTypeName<Job> { static constexpr std::string_view value = "Job"; };
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <variant>
#include <vector>

namespace gor {

struct Unit;
struct EngineClock;
template <class T>
class Chan;

// GoTypeName<T> names T as a Go programmer would. The primary template has no `value`: for
// it, go_type_name<T>() derives the name from T's shape (see there). A specialization with
// `static constexpr std::string_view value` wins over every rule.
template <class T>
struct GoTypeName {};

namespace detail {

// go_class_name() is a class's name as Go prints a named type: the demangled typeid name
// without namespaces and template arguments ("app::(anonymous namespace)::Result" -> "Result").
std::string go_class_name(const char* mangled);

template <class T>
concept NamedGoType = requires { std::string_view(GoTypeName<T>::value); };

template <class T>
struct IsDuration : std::false_type {};
template <class R, class P>
struct IsDuration<std::chrono::duration<R, P>> : std::true_type {};

}  // namespace detail

// go_type_name<T>() is T's Go spelling. In order: GoTypeName<T>::value when specialized;
// bool; signed integers "int" (Go's int is a machine word; int8/int16 keep their width),
// unsigned "uint" (unsigned char "byte"); float32/float64; std::string and string_view
// "string"; gor::Unit and std::monostate "struct{}"; std::chrono durations "time.Duration";
// engine time points "time.Time"; T*, unique_ptr<T>, shared_ptr<T> "*T"; vector<T> "[]T";
// array<T, N> "[N]T"; map<K, V> and unordered_map<K, V> "map[K]V"; Chan<T> "chan T";
// std::function<R(A...)> "func(A...) R"; any other class its own name without namespaces.
template <class T>
std::string go_type_name();

namespace detail {

template <class T>
struct GoShape {
  static std::string name() {
    if constexpr (std::is_enum_v<T> || std::is_class_v<T> || std::is_union_v<T>) {
      return go_class_name(typeid(T).name());
    } else {
      return typeid(T).name();
    }
  }
};
template <class T>
struct GoShape<T*> {
  static std::string name() { return "*" + go_type_name<T>(); }
};
template <class T, class D>
struct GoShape<std::unique_ptr<T, D>> {
  static std::string name() { return "*" + go_type_name<T>(); }
};
template <class T>
struct GoShape<std::shared_ptr<T>> {
  static std::string name() { return "*" + go_type_name<T>(); }
};
template <class T, class A>
struct GoShape<std::vector<T, A>> {
  static std::string name() { return "[]" + go_type_name<T>(); }
};
template <class T, size_t N>
struct GoShape<std::array<T, N>> {
  static std::string name() { return "[" + std::to_string(N) + "]" + go_type_name<T>(); }
};
template <class K, class V, class C, class A>
struct GoShape<std::map<K, V, C, A>> {
  static std::string name() { return "map[" + go_type_name<K>() + "]" + go_type_name<V>(); }
};
template <class K, class V, class H, class E, class A>
struct GoShape<std::unordered_map<K, V, H, E, A>> {
  static std::string name() { return "map[" + go_type_name<K>() + "]" + go_type_name<V>(); }
};
template <class T>
struct GoShape<Chan<T>> {
  static std::string name() { return "chan " + go_type_name<T>(); }
};
template <class D>
struct GoShape<std::chrono::time_point<EngineClock, D>> {
  static std::string name() { return "time.Time"; }
};
template <class R, class... A>
struct GoShape<std::function<R(A...)>> {
  static std::string name() {
    std::string out = "func(";
    bool first = true;
    ((out += (first ? "" : ", ") + go_type_name<A>(), first = false), ...);
    out += ")";
    if constexpr (!std::is_void_v<R>) out += " " + go_type_name<R>();
    return out;
  }
};

}  // namespace detail

template <class T>
std::string go_type_name() {
  using U = std::remove_cvref_t<T>;
  if constexpr (detail::NamedGoType<U>) {
    return std::string(GoTypeName<U>::value);
  } else if constexpr (std::is_same_v<U, bool>) {
    return "bool";
  } else if constexpr (std::is_same_v<U, char> || std::is_same_v<U, unsigned char>) {
    return "byte";
  } else if constexpr (std::is_same_v<U, signed char>) {
    return "int8";
  } else if constexpr (std::is_same_v<U, short>) {
    return "int16";
  } else if constexpr (std::is_same_v<U, unsigned short>) {
    return "uint16";
  } else if constexpr (std::is_same_v<U, char32_t>) {
    return "rune";
  } else if constexpr (std::is_integral_v<U> && std::is_signed_v<U>) {
    return "int";
  } else if constexpr (std::is_integral_v<U>) {
    return "uint";
  } else if constexpr (std::is_same_v<U, float>) {
    return "float32";
  } else if constexpr (std::is_floating_point_v<U>) {
    return "float64";
  } else if constexpr (std::is_same_v<U, std::string> || std::is_same_v<U, std::string_view> ||
                       std::is_same_v<U, const char*>) {
    return "string";
  } else if constexpr (std::is_same_v<U, Unit> || std::is_same_v<U, std::monostate>) {
    return "struct{}";
  } else if constexpr (detail::IsDuration<U>::value) {
    return "time.Duration";
  } else {
    return detail::GoShape<U>::name();
  }
}

}  // namespace gor
