// running_overlay.hpp — what each P was doing just before a sampling snapshot stopped it.
//
// A live snapshot is taken with the world stopped (RunControl::snapshot), so in it every P is
// "stopped" and the goroutine each P was running sits back in a run queue, preempted by the
// sampling itself. Showing that picture would say "nothing ever runs". ProcessorTracker
// follows the event stream (GoStart, GoBlock/GoEnd/..., ProcIdle/ProcBusy) to know, per P,
// the goroutine it last started and whether it was busy; restore_running() puts that
// goroutine back into its P's running slot when the snapshot still shows it runnable (it was
// only stopped for the sample), and gives the P its pre-stop status. A snapshot the user
// paused, and the final picture of an ended run, are shown as they are: then the world
// really is stopped.
#pragma once

#include <cstdint>
#include <vector>

#include <gor/control.hpp>
#include <gor/trace.hpp>

namespace goroscope::gui {

// ProcessorTracker keeps, per P id, the last goroutine started there (0 if it blocked,
// yielded or ended since) and whether the P was busy. Feed it every event in time order.
class ProcessorTracker {
 public:
  void clear() { procs_.clear(); }
  void apply(const gor::Event& e);
  // running() is the goroutine P `p` runs according to the events (0: none).
  uint64_t running(int p) const;
  // busy() says whether P `p` was last acquired (ProcBusy) rather than idle.
  bool busy(int p) const;
  // rewind_from() sets the tracker to what apply() of every one of events[0, end) would leave
  // for Ps 0..procs-1, reading backwards from `end` only as far as each P's last events that
  // decide it: a busy run decides every P within a few dozen events, where following the
  // ~500,000 events between two snapshots cost milliseconds. Returns false (the tracker is
  // then unchanged) if some P is not decided within `max_back` events, e.g. one that has run
  // one goroutine without a scheduling event for that long.
  bool rewind_from(const std::vector<gor::Event>& events, size_t end, int procs, size_t max_back);

 private:
  struct State {
    uint64_t running = 0;
    bool busy = false;
  };
  State& at(int p);
  std::vector<State> procs_;
};

// restore_running() rewrites a sampling snapshot `s` (not user-paused) so that each P shows
// the goroutine it was running before the sample stopped it. Every goroutine still appears
// exactly once (it is moved out of the queue it was put back in).
void restore_running(gor::Snapshot& s, const ProcessorTracker& tracker);

}  // namespace goroscope::gui
