#include "views/timeline_geometry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace goroscope::gui {

int64_t TimelineGeometry::t_of(double x) const {
  return t0_ + static_cast<int64_t>(std::llround(x * ns_per_px_));
}

void TimelineGeometry::clamp_scale() {
  if (!(ns_per_px_ >= kMinNsPerPx)) ns_per_px_ = kMinNsPerPx;  // also catches NaN
  if (ns_per_px_ > kMaxNsPerPx) ns_per_px_ = kMaxNsPerPx;
}

void TimelineGeometry::show(int64_t t0, int64_t t1) {
  if (t1 < t0) std::swap(t0, t1);
  t0_ = t0;
  ns_per_px_ = static_cast<double>(std::max<int64_t>(t1 - t0, 1)) / width_;
  clamp_scale();
}

void TimelineGeometry::zoom(double factor, double anchor_x) {
  if (!(factor > 0)) return;
  const double anchor_t = static_cast<double>(t0_) + anchor_x * ns_per_px_;
  ns_per_px_ /= factor;
  clamp_scale();
  t0_ = static_cast<int64_t>(std::llround(anchor_t - anchor_x * ns_per_px_));
}

void TimelineGeometry::pan(double dx) { t0_ += static_cast<int64_t>(std::llround(dx * ns_per_px_)); }

void TimelineGeometry::keep_within(int64_t begin, int64_t end) {
  const int64_t span = t1() - t0_;
  const int64_t margin = span / 20;
  if (t0_ + span > end + margin) t0_ = end + margin - span;
  if (t0_ < begin) t0_ = begin;
}

int64_t TimelineGeometry::tick_step(double min_spacing) const {
  const double want = std::max(min_spacing, 1.0) * ns_per_px_;
  int64_t step = 1;
  for (;;) {
    for (int64_t m : {1, 2, 5}) {
      if (static_cast<double>(step * m) >= want) return step * m;
    }
    if (step > 1'000'000'000'000'000LL) return step;
    step *= 10;
  }
}

std::vector<AxisTick> TimelineGeometry::ticks(double min_spacing) const {
  std::vector<AxisTick> out;
  const int64_t step = tick_step(min_spacing);
  const int64_t last = t1();
  const int64_t magnitude = std::max<int64_t>(std::max(std::llabs(t0_), std::llabs(last)), step);
  int64_t unit = 1;
  for (int64_t u : {1'000LL, 1'000'000LL, 1'000'000'000LL})
    if (magnitude >= u) unit = u;
  int decimals = 0;
  for (int64_t s = unit; s > step && decimals < 9; s /= 10) ++decimals;
  int64_t t = t0_ >= 0 ? (t0_ + step - 1) / step * step : -((-t0_) / step * step);
  for (; t <= last && out.size() < 1000; t += step) out.push_back(AxisTick{t, x_of(t), format_time_label(t, unit, decimals)});
  return out;
}

std::string format_time_label(int64_t t, int64_t unit_ns, int decimals) {
  const char* name = unit_ns >= 1'000'000'000 ? "s" : unit_ns >= 1'000'000 ? "ms" : unit_ns >= 1'000 ? "us" : "ns";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f %s", decimals, static_cast<double>(t) / static_cast<double>(unit_ns), name);
  return buf;
}

std::string format_span(int64_t ns) {
  char buf[64];
  const double v = static_cast<double>(ns);
  if (ns < 0) return "-" + format_span(-ns);
  if (ns < 1'000)
    std::snprintf(buf, sizeof buf, "%lld ns", static_cast<long long>(ns));
  else if (ns < 1'000'000)
    std::snprintf(buf, sizeof buf, "%.*f us", v < 1e4 ? 2 : 1, v / 1e3);
  else if (ns < 1'000'000'000)
    std::snprintf(buf, sizeof buf, "%.*f ms", v < 1e7 ? 3 : 2, v / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.3f s", v / 1e9);
  return buf;
}

}  // namespace goroscope::gui
