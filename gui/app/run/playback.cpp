#include "run/playback.hpp"

#include <algorithm>
#include <cmath>

namespace goroscope::gui {

std::string breakpoint_reason(const gor::Event& e, const BreakpointSet& b) {
  using gor::EventKind;
  switch (e.kind) {
    case EventKind::Steal:
      if (b.on_steal)
        return "P" + std::to_string(e.p) + " stole " + std::to_string(e.a1) + (e.a1 == 1 ? " goroutine" : " goroutines") +
               " from P" + std::to_string(e.a0);
      break;
    case EventKind::MutexMode:
      if (b.on_starving && gor::mutex_starving(e)) return "a mutex entered starvation mode";
      break;
    case EventKind::GoBlock:
      if (b.on_goroutine_block != 0 && e.g == b.on_goroutine_block)
        return "G" + std::to_string(e.g) + " blocked (" + gor::wait_reason_text(gor::block_fields(e).reason) + ")";
      break;
    case EventKind::PartialDeadlock:
      if (b.on_partial_deadlock) return "partial deadlock";
      break;
    case EventKind::Race:
      if (b.on_race) return "data race between G" + std::to_string(e.g) + " and G" + std::to_string(e.a0);
      break;
    case EventKind::RunEnd:
      if ((b.on_panic && e.a0 == static_cast<uint64_t>(gor::RunStatus::Panic)) ||
          (b.on_deadlock && e.a0 == static_cast<uint64_t>(gor::RunStatus::Deadlock)))
        return "the program would end here";
      break;
    default: break;
  }
  return {};
}

void Playback::reset() {
  cursor_ = 0;
  held_before_ = kNone;
  playing_ = false;
  anchor_wall_ns_ = 0;
  anchor_cursor_ = 0;
  anchor_engine_ns_ = 0;
}

void Playback::anchor(const std::vector<gor::Event>& events, int64_t wall_ns) {
  anchor_wall_ns_ = wall_ns;
  anchor_cursor_ = cursor_;
  anchor_engine_ns_ = cursor_ == 0 || events.empty() ? 0 : events[std::min(cursor_, events.size()) - 1].ts;
}

void Playback::set_pace(const Pace& p, const std::vector<gor::Event>& events, int64_t wall_ns) {
  pace_ = p;
  anchor(events, wall_ns);
}

void Playback::play(const std::vector<gor::Event>& events, int64_t wall_ns) {
  playing_ = true;
  anchor(events, wall_ns);
}

Playback::Tick Playback::advance(const std::vector<gor::Event>& events, size_t available, int64_t wall_ns,
                                 const BreakpointSet& b) {
  Tick tick;
  available = std::min(available, events.size());
  if (!playing_ || cursor_ >= available) {
    if (cursor_ > available) cursor_ = available;
    return tick;
  }
  size_t target = available;
  const double elapsed_ns = static_cast<double>(std::max<int64_t>(0, wall_ns - anchor_wall_ns_));
  switch (pace_.kind) {
    case Pace::Kind::Fastest: break;
    case Pace::Kind::EventsPerSecond: {
      const double n = std::floor(elapsed_ns * pace_.value / 1e9);
      target = std::min<size_t>(available, anchor_cursor_ + static_cast<size_t>(std::min(n, 1e15)));
      break;
    }
    case Pace::Kind::EngineFraction: {
      const double t = static_cast<double>(anchor_engine_ns_) + elapsed_ns * pace_.value;
      const int64_t limit = t >= 9.2e18 ? INT64_MAX : static_cast<int64_t>(t);
      const auto end = events.begin() + static_cast<std::ptrdiff_t>(available);
      const auto it = std::upper_bound(events.begin() + static_cast<std::ptrdiff_t>(cursor_), end, limit,
                                       [](int64_t v, const gor::Event& e) { return v < e.ts; });
      target = static_cast<size_t>(it - events.begin());
      break;
    }
  }
  if (target <= cursor_) return tick;
  for (size_t i = cursor_; i < target; ++i) {
    if (i == held_before_) continue;  // the ending it is held at: playing on lets it happen
    if (std::string why = breakpoint_reason(events[i], b); !why.empty()) {
      // The run's end is held just before it (the instant the program would end); every other
      // breakpoint shows its event.
      cursor_ = events[i].kind == gor::EventKind::RunEnd ? i : i + 1;
      held_before_ = events[i].kind == gor::EventKind::RunEnd ? i : kNone;
      playing_ = false;
      tick.moved = true;
      tick.hit = BreakHit{i, std::move(why)};
      return tick;
    }
  }
  cursor_ = target;
  tick.moved = true;
  return tick;
}

void Playback::seek(size_t count, const std::vector<gor::Event>& events, size_t available, int64_t wall_ns) {
  cursor_ = std::min({count, available, events.size()});
  anchor(events, wall_ns);
}

void Playback::seek_time(int64_t t, const std::vector<gor::Event>& events, size_t available, int64_t wall_ns) {
  available = std::min(available, events.size());
  const auto end = events.begin() + static_cast<std::ptrdiff_t>(available);
  const auto it = std::upper_bound(events.begin(), end, t, [](int64_t v, const gor::Event& e) { return v < e.ts; });
  seek(static_cast<size_t>(it - events.begin()), events, available, wall_ns);
}

bool Playback::step_forward(const std::vector<gor::Event>& events, size_t available, StepUnit unit) {
  playing_ = false;
  available = std::min(available, events.size());
  if (cursor_ >= available) return false;
  if (unit == StepUnit::Event) {
    ++cursor_;
    return true;
  }
  for (size_t i = cursor_; i < available; ++i)
    if (events[i].kind == gor::EventKind::GoStart) {
      cursor_ = i + 1;
      return true;
    }
  cursor_ = available;
  return true;
}

bool Playback::step_back(const std::vector<gor::Event>& events, StepUnit unit) {
  playing_ = false;
  cursor_ = std::min(cursor_, events.size());
  if (cursor_ == 0) return false;
  if (unit == StepUnit::Event) {
    --cursor_;
    return true;
  }
  // Back to the previous goroutine switch: right after the GoStart before the one shown last.
  for (size_t i = cursor_ - 1; i-- > 0;)
    if (events[i].kind == gor::EventKind::GoStart) {
      cursor_ = i + 1;
      return true;
    }
  cursor_ = 0;
  return true;
}

bool Playback::jump_where(bool forward, const std::vector<gor::Event>& events, size_t available,
                          bool (*about)(const gor::Event&, uint64_t), uint64_t key) {
  available = std::min(available, events.size());
  cursor_ = std::min(cursor_, available);
  if (forward) {
    for (size_t i = cursor_; i < available; ++i)
      if (about(events[i], key)) {
        cursor_ = i + 1;
        playing_ = false;
        return true;
      }
    return false;
  }
  // The event shown last is events[cursor_ - 1]; the previous one about `key` lies before it.
  if (cursor_ < 2) return false;
  for (size_t i = cursor_ - 1; i-- > 0;)
    if (about(events[i], key)) {
      cursor_ = i + 1;
      playing_ = false;
      return true;
    }
  return false;
}

bool Playback::jump_to_goroutine(uint64_t g, bool forward, const std::vector<gor::Event>& events, size_t available) {
  return jump_where(forward, events, available,
                    [](const gor::Event& e, uint64_t key) {
                      return e.g == key || (e.kind == gor::EventKind::GoUnblock && e.a0 == key);
                    },
                    g);
}

bool Playback::jump_to_proc(int p, bool forward, const std::vector<gor::Event>& events, size_t available) {
  return jump_where(forward, events, available,
                    [](const gor::Event& e, uint64_t key) { return e.p >= 0 && static_cast<uint64_t>(e.p) == key; },
                    static_cast<uint64_t>(p));
}

}  // namespace goroscope::gui
