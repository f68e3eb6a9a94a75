// sample_kit.hpp — everything a sample's .cpp needs: the gor API, the sample types, and
// small helpers to declare parameters and format figures.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <gor/gor.hpp>

#include "goroscope/sample.hpp"

namespace goroscope {

// int_param() declares an integer parameter with default `def` in [min, max].
inline SampleParam int_param(std::string key, std::string label, std::string help, int64_t def, int64_t min,
                             int64_t max) {
  return SampleParam{std::move(key), std::move(label), std::move(help), SampleParam::Kind::Int, def, min, max, {}};
}

// bool_param() declares a boolean parameter.
inline SampleParam bool_param(std::string key, std::string label, std::string help, bool def) {
  return SampleParam{std::move(key), std::move(label), std::move(help), SampleParam::Kind::Bool, def ? 1 : 0, 0, 1, {}};
}

// choice_param() declares a parameter taking one of `choices`, the first being the default.
inline SampleParam choice_param(std::string key, std::string label, std::string help,
                                std::vector<std::string> choices) {
  return SampleParam{std::move(key), std::move(label), std::move(help), SampleParam::Kind::Choice, 0, 0, 0,
                     std::move(choices)};
}

// fixed() formats x with `digits` digits after the decimal point.
std::string fixed(double x, int digits);

// rss_kib() is this process's resident set size (VmRSS in /proc/self/status) in KiB, or
// nullopt where it cannot be read.
std::optional<int64_t> rss_kib();

}  // namespace goroscope
