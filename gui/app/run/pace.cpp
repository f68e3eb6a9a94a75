#include "run/pace.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace goroscope::gui {

namespace {

bool parse_number(std::string_view s, double* out) {
  if (s.empty() || s.size() > 40) return false;
  const std::string text(s);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

std::string trim_number(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::optional<Pace> Pace::parse(std::string_view text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<Pace> {
    if (error) *error = why;
    return std::nullopt;
  };
  const std::string shown(text);
  if (text == "fastest") return fastest();
  std::string_view s = text;
  const bool prefixed = !s.empty() && (s.front() == 'x' || s.front() == 'X');
  if (prefixed) s.remove_prefix(1);
  double v = 0;
  if (const size_t slash = s.find('/'); slash != std::string_view::npos && s.substr(slash) != "/s") {
    double num = 0, den = 0;
    if (!parse_number(s.substr(0, slash), &num) || !parse_number(s.substr(slash + 1), &den) || num <= 0 || den <= 0)
      return fail("pace '" + shown + "' is not a fraction like 1/1000");
    v = num / den;
    if (v > 1) return fail("pace '" + shown + "' is faster than engine time (at most 1/1)");
    return engine_fraction(v);
  }
  if (!s.empty() && (s.back() == 'x' || s.back() == 'X')) {
    if (prefixed || !parse_number(s.substr(0, s.size() - 1), &v) || v <= 0 || v > 1)
      return fail("pace '" + shown + "' must be a fraction of engine time between 0 and 1, like 0.001x");
    return engine_fraction(v);
  }
  if (prefixed) return fail("pace '" + shown + "' is not a fraction like x1/1000");
  if (s.size() > 2 && s.substr(s.size() - 2) == "/s") s.remove_suffix(2);
  if (!parse_number(s, &v) || v <= 0 || v > 1e9)
    return fail("pace '" + shown + "' must be 'fastest', events per second (e.g. 5) or a fraction of engine time (e.g. 1/1000)");
  return events_per_second(v);
}

std::string Pace::text() const {
  switch (kind) {
    case Kind::Fastest: return "fastest";
    case Kind::EventsPerSecond: return trim_number(value) + (value == 1 ? " event/s" : " events/s");
    case Kind::EngineFraction:
      if (value >= 1) return "\u00d71";
      return "\u00d71/" + trim_number(std::round(1 / value));
  }
  return {};
}

std::string Pace::spec() const {
  switch (kind) {
    case Kind::Fastest: return "fastest";
    case Kind::EventsPerSecond: return trim_number(value);
    case Kind::EngineFraction: return value >= 1 ? "1/1" : "1/" + trim_number(std::round(1 / value));
  }
  return {};
}

double Pace::play_seconds(int64_t engine_ns, size_t events) const {
  switch (kind) {
    case Kind::Fastest: return 0;
    case Kind::EventsPerSecond: return static_cast<double>(events) / value;
    case Kind::EngineFraction: return static_cast<double>(engine_ns) / 1e9 / value;
  }
  return 0;
}

const std::vector<Pace>& pace_stops() {
  static const std::vector<Pace> stops = [] {
    std::vector<Pace> v;
    for (double r : {1, 2, 5, 10, 20, 50, 100, 200, 500}) v.push_back(Pace::events_per_second(r));
    for (double d : {100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1})
      v.push_back(Pace::engine_fraction(1 / d));
    v.push_back(Pace::fastest());
    return v;
  }();
  return stops;
}

int nearest_pace_stop(const Pace& p) {
  const auto& stops = pace_stops();
  int best = -1;
  double best_distance = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < stops.size(); ++i) {
    if (stops[i].kind != p.kind) continue;
    if (p.kind == Pace::Kind::Fastest) return static_cast<int>(i);
    const double d = std::abs(std::log(stops[i].value) - std::log(p.value));
    if (d < best_distance) {
      best_distance = d;
      best = static_cast<int>(i);
    }
  }
  return best < 0 ? static_cast<int>(stops.size()) - 1 : best;
}

Pace suggested_pace(int64_t engine_ns, size_t events, double target_seconds) {
  // The stop whose play time is nearest the target on a log scale; engine-time fractions are
  // preferred (they keep a run's rhythm) whenever one lands within 20..90 s.
  auto distance = [&](const Pace& p) {
    const double s = p.play_seconds(engine_ns, events);
    return s <= 0 ? std::numeric_limits<double>::infinity() : std::abs(std::log(s / target_seconds));
  };
  const Pace* best_fraction = nullptr;
  const Pace* best_any = nullptr;
  for (const Pace& p : pace_stops()) {
    if (p.kind == Pace::Kind::Fastest) continue;
    if (!best_any || distance(p) < distance(*best_any)) best_any = &p;
    if (p.kind == Pace::Kind::EngineFraction && (!best_fraction || distance(p) < distance(*best_fraction))) best_fraction = &p;
  }
  if (best_fraction) {
    const double s = best_fraction->play_seconds(engine_ns, events);
    if (s >= 20 && s <= 90) return *best_fraction;
  }
  return best_any ? *best_any : Pace::fastest();
}

}  // namespace goroscope::gui
