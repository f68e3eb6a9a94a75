// registry.cpp — the sample list, built from samples.def (one line per sample).
//
// Explicit registration rather than static registrars: nothing depends on static
// initialisation order or on the linker keeping otherwise unreferenced objects of a static
// library, so every sample is present in every program that links goroscope::samples.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "goroscope/registry.hpp"

namespace goroscope {

namespace samples {
#define GOROSCOPE_SAMPLE(fn) Sample fn();
#include "samples.def"
#undef GOROSCOPE_SAMPLE
}  // namespace samples

namespace {

bool is_kebab(const std::string& s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && s[i - 1] != '-');
    if (!ok) return false;
  }
  return true;
}

[[noreturn]] void broken(const SampleInfo& info, const std::string& why) {
  throw std::logic_error("sample '" + info.id + "': " + why);
}

}  // namespace

void validate_sample(const SampleInfo& info) {
  if (!is_kebab(info.id)) broken(info, "id must be kebab-case");
  if (info.title.empty()) broken(info, "no title");
  if (info.topic.empty()) broken(info, "no topic");
  if (info.summary.empty() || info.summary.find('\n') != std::string::npos) broken(info, "summary must be one line");
  if (info.explanation.find("\n\n") == std::string::npos) broken(info, "explanation must have several paragraphs");
  if (info.default_procs < 1 || info.default_procs > 256) broken(info, "default_procs out of 1..256");
  if (!(info.suggested_dilation >= 0.01 && info.suggested_dilation <= 1e6)) broken(info, "suggested_dilation out of range");
  for (size_t i = 0; i < info.params.size(); ++i) {
    const SampleParam& p = info.params[i];
    if (!is_kebab(p.key)) broken(info, "parameter key '" + p.key + "' must be kebab-case");
    for (size_t j = 0; j < i; ++j)
      if (info.params[j].key == p.key) broken(info, "duplicate parameter '" + p.key + "'");
    if (p.label.empty() || p.help.empty()) broken(info, "parameter '" + p.key + "' needs a label and help");
    switch (p.kind) {
      case SampleParam::Kind::Int:
        if (p.min > p.max || p.def < p.min || p.def > p.max) broken(info, "parameter '" + p.key + "': bad range");
        break;
      case SampleParam::Kind::Bool:
        if (p.def != 0 && p.def != 1) broken(info, "parameter '" + p.key + "': bool default must be 0 or 1");
        break;
      case SampleParam::Kind::Choice:
        if (p.choices.empty() || p.def < 0 || p.def >= static_cast<int64_t>(p.choices.size()))
          broken(info, "parameter '" + p.key + "': bad choices or default");
        break;
    }
  }
}

const std::vector<Sample>& all_samples() {
  static const std::vector<Sample> list = [] {
    std::vector<Sample> v;
#define GOROSCOPE_SAMPLE(fn) v.push_back(samples::fn());
#include "samples.def"
#undef GOROSCOPE_SAMPLE
    for (size_t i = 0; i < v.size(); ++i) {
      validate_sample(v[i].info);
      if (!v[i].main) broken(v[i].info, "no main");
      for (size_t j = 0; j < i; ++j)
        if (v[j].info.id == v[i].info.id) broken(v[i].info, "duplicate id");
    }
    return v;
  }();
  return list;
}

const Sample* find_sample(std::string_view id) {
  const auto& list = all_samples();
  auto it = std::find_if(list.begin(), list.end(), [&](const Sample& s) { return s.info.id == id; });
  return it == list.end() ? nullptr : &*it;
}

const Sample& default_sample() { return all_samples().front(); }

}  // namespace goroscope
