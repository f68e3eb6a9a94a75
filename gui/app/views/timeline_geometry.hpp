// timeline_geometry.hpp — the timeline's time <-> pixel mapping, zoom, pan and axis ticks.
//
// Pure arithmetic (no Qt, no painting), so it is unit-tested on its own and shared by the
// widget, the exports and goroscope-cli. x is in pixels from the plot's left edge.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace goroscope::gui {

// AxisTick is one labelled tick of the time axis.
struct AxisTick {
  int64_t t = 0;
  double x = 0;
  std::string label;  // "1.250 ms": the unit fits the visible range, decimals fit the step
};

// TimelineGeometry maps engine time to x over a plot `width` pixels wide: x_of(t0()) == 0 and
// x_of(t1()) == width. ns_per_px() stays within [kMinNsPerPx, kMaxNsPerPx].
class TimelineGeometry {
 public:
  static constexpr double kMinNsPerPx = 0.05;   // ~20 pixels per ns: the deepest zoom
  static constexpr double kMaxNsPerPx = 1e10;   // 10 s per pixel

  TimelineGeometry() = default;
  TimelineGeometry(int64_t t0, double ns_per_px, double width) : t0_(t0), ns_per_px_(ns_per_px), width_(width) { clamp_scale(); }

  int64_t t0() const { return t0_; }
  int64_t t1() const { return t_of(width_); }
  double ns_per_px() const { return ns_per_px_; }
  double width() const { return width_; }
  // set_width() resizes the plot, keeping t0 and the scale.
  void set_width(double w) { width_ = w > 1 ? w : 1; }

  // x_of() is t's x (may lie outside [0, width] for times not visible).
  double x_of(int64_t t) const { return static_cast<double>(t - t0_) / ns_per_px_; }
  // t_of() is the time at x (rounded to the nearest ns).
  int64_t t_of(double x) const;

  // show() makes [t0, t1) fill the width (at least kMinNsPerPx).
  void show(int64_t t0, int64_t t1);
  // zoom() scales by `factor` (> 1 zooms in) keeping the time under anchor_x in place.
  void zoom(double factor, double anchor_x);
  // pan() moves the view by dx pixels (dx > 0 shows later times).
  void pan(double dx);
  // keep_within() shifts (never scales) the view so it does not start before `begin` nor,
  // if it can, end after `end` (with a small margin past the end).
  void keep_within(int64_t begin, int64_t end);

  // ticks() are the axis ticks: a 1-2-5 step at least min_spacing pixels apart.
  std::vector<AxisTick> ticks(double min_spacing = 90) const;
  // tick_step() is that step in ns.
  int64_t tick_step(double min_spacing = 90) const;

 private:
  void clamp_scale();

  int64_t t0_ = 0;
  double ns_per_px_ = 1000;
  double width_ = 1000;
};

// format_time_label() is t in `unit_ns` (1, 1e3, 1e6, 1e9) with `decimals`: "1.250 ms".
std::string format_time_label(int64_t t, int64_t unit_ns, int decimals);

// format_span() is a duration for people: "850 ns", "12.4 us", "1.25 ms", "2.100 s".
std::string format_span(int64_t ns);

}  // namespace goroscope::gui
