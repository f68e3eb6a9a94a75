// sample_params.cpp — SampleParams: defaults, validated parsing, typed access; SampleOutcome::metric.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>
#include <stdexcept>
#include <string>

#include "goroscope/sample.hpp"

namespace goroscope {

namespace {

const char* kind_name(SampleParam::Kind k) {
  switch (k) {
    case SampleParam::Kind::Int: return "int";
    case SampleParam::Kind::Bool: return "bool";
    case SampleParam::Kind::Choice: return "choice";
  }
  return "?";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ParsedInt is the result of parse_int: ok false when the text is not an integer at all,
// overflow true when it is one but does not fit in int64_t.
struct ParsedInt {
  bool ok = false;
  bool overflow = false;
  int64_t value = 0;
};

ParsedInt parse_int(std::string_view text) {
  std::string digits;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '_' && i > 0 && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i - 1])) &&
        std::isdigit(static_cast<unsigned char>(text[i + 1])))
      continue;  // Go-style digit separator: 1_000_000
    digits.push_back(c);
  }
  if (!digits.empty() && digits[0] == '+') digits.erase(0, 1);
  ParsedInt r;
  if (digits.empty()) return r;
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  auto [ptr, ec] = std::from_chars(first, last, r.value);
  if (ptr != last) return r;
  if (ec == std::errc::result_out_of_range) {
    r.ok = true;
    r.overflow = true;
    return r;
  }
  r.ok = ec == std::errc();
  return r;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

}  // namespace

SampleParams::SampleParams(const SampleInfo& info) : sample_id_(info.id), specs_(info.params) {
  values_.reserve(specs_.size());
  for (const SampleParam& p : specs_) values_.push_back(p.def);
}

size_t SampleParams::index_of(std::string_view key, SampleParam::Kind kind) const {
  for (size_t i = 0; i < specs_.size(); ++i) {
    if (specs_[i].key != key) continue;
    if (specs_[i].kind != kind) {
      std::ostringstream msg;
      msg << "sample '" << sample_id_ << "': parameter '" << key << "' is a " << kind_name(specs_[i].kind)
          << ", not a " << kind_name(kind);
      throw std::logic_error(msg.str());
    }
    return i;
  }
  std::ostringstream msg;
  msg << "sample '" << sample_id_ << "' declares no parameter '" << key << "'";
  throw std::logic_error(msg.str());
}

void SampleParams::parse(std::string_view key, std::string_view text) {
  auto it = std::find_if(specs_.begin(), specs_.end(), [&](const SampleParam& p) { return p.key == key; });
  if (it == specs_.end()) {
    std::vector<std::string> keys;
    for (const SampleParam& p : specs_) keys.push_back(p.key);
    std::ostringstream msg;
    msg << "unknown parameter '" << key << "' for sample '" << sample_id_ << "' (known: "
        << (keys.empty() ? std::string("none") : join(keys, ", ")) << ")";
    throw SampleParamError(msg.str());
  }
  const SampleParam& p = *it;
  int64_t& value = values_[static_cast<size_t>(it - specs_.begin())];
  std::ostringstream msg;
  msg << "parameter '" << p.key << "' ";
  switch (p.kind) {
    case SampleParam::Kind::Int: {
      ParsedInt r = parse_int(text);
      if (!r.ok) {
        msg << "must be an integer (got '" << text << "')";
        throw SampleParamError(msg.str());
      }
      if (r.overflow || r.value < p.min || r.value > p.max) {
        msg << "must be between " << p.min << " and " << p.max << " (got " << text << ")";
        throw SampleParamError(msg.str());
      }
      value = r.value;
      return;
    }
    case SampleParam::Kind::Bool: {
      std::string t = lower(text);
      if (t == "true" || t == "1" || t == "yes" || t == "on") {
        value = 1;
      } else if (t == "false" || t == "0" || t == "no" || t == "off") {
        value = 0;
      } else {
        msg << "must be true or false (got '" << text << "')";
        throw SampleParamError(msg.str());
      }
      return;
    }
    case SampleParam::Kind::Choice: {
      for (size_t i = 0; i < p.choices.size(); ++i) {
        if (p.choices[i] == text) {
          value = static_cast<int64_t>(i);
          return;
        }
      }
      msg << "must be one of " << join(p.choices, ", ") << " (got '" << text << "')";
      throw SampleParamError(msg.str());
    }
  }
}

int64_t SampleParams::get_int(std::string_view key) const { return values_[index_of(key, SampleParam::Kind::Int)]; }

bool SampleParams::get_bool(std::string_view key) const {
  return values_[index_of(key, SampleParam::Kind::Bool)] != 0;
}

std::string SampleParams::get_choice(std::string_view key) const {
  size_t i = index_of(key, SampleParam::Kind::Choice);
  return specs_[i].choices.at(static_cast<size_t>(values_[i]));
}

std::string SampleParams::describe() const {
  std::ostringstream out;
  for (size_t i = 0; i < specs_.size(); ++i) {
    if (i) out << ' ';
    out << specs_[i].key << '=';
    switch (specs_[i].kind) {
      case SampleParam::Kind::Int: out << values_[i]; break;
      case SampleParam::Kind::Bool: out << (values_[i] ? "true" : "false"); break;
      case SampleParam::Kind::Choice: out << specs_[i].choices.at(static_cast<size_t>(values_[i])); break;
    }
  }
  return out.str();
}

double SampleOutcome::metric(std::string_view key) const {
  auto it = metrics.find(key);
  if (it == metrics.end()) throw std::out_of_range("sample outcome has no metric '" + std::string(key) + "'");
  return it->second;
}

}  // namespace goroscope
