// timeouts.cpp — select with time.After, and time.After in a loop (a leak before Go 1.23).
//
//   part 1: select { case r := <-reply: ...; case <-time.After(timeout): /* give up */ }
//   part 2, leaky: for { select { case m, ok := <-events: ...; case <-time.After(idle): ... } }
//   part 2, fixed: t := time.NewTimer(idle)
//                  for { select { case m, ok := <-events: t.Reset(idle) ...; case <-t.C: ... } }
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

using namespace std::chrono_literals;

// request() asks a "server" goroutine that needs `work` to answer, and waits at most `timeout`.
// The reply channel has room for one value, so a server answering after the timeout does not
// stay blocked forever on a send nobody receives.
bool request(const std::string& name, gor::Duration work, gor::Duration timeout, SampleOutcome& out) {
  auto reply = gor::make_chan<std::string>(1, name + " reply");
  gor::go_named(name + " server", [reply, work, name] {
    gor::sleep(work);
    reply.send(name + " answer");
  });
  bool answered = false;
  gor::select(gor::on_recv(reply, [&](std::string) { answered = true; }),
              gor::on_recv(gor::after(timeout)));  // case <-time.After(timeout)
  out.say("part 1: ", name, " request (", work / 1ms, " ms of work, ", timeout / 1ms, " ms timeout): ",
          answered ? "answered" : "timed out");
  gor::log(name + (answered ? " request answered" : " request timed out"));
  return answered;
}

void timeouts_main(const SampleParams& p, SampleOutcome& out) {
  const bool leaky = p.get_choice("variant") == "leaky";
  const auto timeout = std::chrono::milliseconds(p.get_int("timeout-ms"));
  const int64_t messages = p.get_int("messages");
  const auto interval = std::chrono::milliseconds(p.get_int("interval-ms"));
  const auto idle = std::chrono::milliseconds(p.get_int("idle-ms"));

  // Part 1: one request well within the timeout, one well beyond it.
  gor::log("part 1: select with after");
  const bool fast = request("fast", timeout / 3, timeout, out);
  const bool slow = request("slow", timeout * 2, timeout, out);
  gor::sleep(timeout * 2);  // let the slow server finish and the fast request's timer fire
  out.set("fast_answered", fast ? 1 : 0);
  out.set("slow_answered", slow ? 1 : 0);

  // Part 2: an event loop with an idle timeout.
  gor::log(leaky ? "part 2: a new after() every iteration" : "part 2: one Timer, reset every iteration");
  const size_t pending_before = gor::pending_timers();
  auto events = gor::make_chan<int64_t>(0, "events");
  gor::go_named("event source", [events, messages, interval] {
    for (int64_t i = 1; i <= messages; ++i) {
      if (interval > 0ms) gor::sleep(interval);
      events.send(i);
    }
    events.close();
  });

  int64_t handled = 0;
  int64_t idle_timeouts = 0;
  int64_t timers_made = 0;  // after() calls plus the fixed variant's one Timer
  size_t pending_max = 0;
  std::optional<gor::Timer> idle_timer;  // the fixed variant's one timer
  if (!leaky) {
    idle_timer.emplace(idle);
    ++timers_made;
  }
  for (bool open = true; open;) {
    auto on_event = gor::on_recv(events, [&](int64_t, bool ok) {
      if (!ok) { open = false; return; }
      ++handled;
      if (idle_timer) idle_timer->reset(idle);  // re-arm the one timer: no new timer per event
    });
    if (leaky) {
      // Every iteration makes a new timer. Before Go 1.23 each stayed pending for `idle`, event or
      // no event; since Go 1.23 (and here) it is released when the select drops its channel.
      ++timers_made;
      gor::select(std::move(on_event), gor::on_recv(gor::after(idle), [&](gor::TimePoint) { ++idle_timeouts; }));
    } else {
      gor::select(std::move(on_event), gor::on_recv(idle_timer->chan(), [&](gor::TimePoint) {
                    ++idle_timeouts;
                    idle_timer->reset(idle);
                  }));
    }
    pending_max = std::max(pending_max, gor::pending_timers());
  }
  if (idle_timer) idle_timer->stop();
  gor::log("part 2: events closed");

  out.say("part 2 (", leaky ? "leaky" : "fixed", "): ", handled, " events handled, ", idle_timeouts,
          " idle timeouts; ", timers_made, " timer", timers_made == 1 ? "" : "s", " made; pending timers: ",
          pending_before, " before the loop, up to ", pending_max, " during it");
  out.set("handled", static_cast<double>(handled));
  out.set("idle_timeouts", static_cast<double>(idle_timeouts));
  out.set("pending_timers_before", static_cast<double>(pending_before));
  out.set("pending_timers_max", static_cast<double>(pending_max));
  out.set("timers_made", static_cast<double>(timers_made));
}

}  // namespace

Sample timeouts() {
  SampleInfo info;
  info.id = "timeouts";
  info.title = "Timeouts";
  info.topic = "Time";
  info.summary = "select with after() gives up on a slow reply; after() in a loop makes a timer per iteration (a leak before Go 1.23), one reused Timer does not.";
  info.explanation =
      "Part 1 sends two requests to little server goroutines and waits for each reply in a select "
      "whose other case is `<-time.After(timeout)`. The fast server answers in time; the slow one does "
      "not, and main moves on when the timer fires. Part 2 is an event loop: an event source sends "
      "messages quickly, and the loop also wants to notice when nothing has arrived for a long while "
      "(an idle timeout). The after-in-a-loop variant writes that as `case <-time.After(idle)` inside "
      "the loop; the fixed variant creates one Timer before the loop and resets it after each event.\n\n"
      "What to watch: in part 1 main parks in `select` and is woken either by the server's send or by "
      "the timer. In part 2 the after-in-a-loop variant makes a new timer for every event (the output "
      "counts them), while the fixed loop keeps one. The count of pending timers stays flat in both: "
      "each abandoned timer is released as soon as the select that took the event case drops its "
      "channel.\n\n"
      "Under the hood time.After creates a timer on the runtime's timer heap and returns its channel; "
      "a select that takes another case simply forgets the channel. Before Go 1.23 such a timer stayed "
      "on the heap until it fired, so a busy loop with a long timeout accumulated thousands of live "
      "timers: the classic time.After leak. Go 1.23 made timer channels unbuffered-looking (len and cap "
      "are 0) and lets a timer nobody references be collected at once; Goroscope's engine does the "
      "same (see docs/go-fidelity.md). What remains is the churn of one new timer per iteration.\n\n"
      "The tidy form is still to own one timer: `t := time.NewTimer(d)` before the loop and `t.Reset(d)` "
      "when an event arrives (with Go 1.23 semantics Reset also discards a value that fired but was "
      "not read; older code needs `if !t.Stop() { <-t.C }` first), and `t.Stop()` when the loop ends. "
      "Also note part 1's reply channel has a buffer of one, so the slow server can still deliver its "
      "late answer and end instead of blocking forever.";
  info.default_procs = 2;
  info.suggested_dilation = 10;
  info.params = {
      choice_param("variant", "Variant",
                   "leaky: a new after() in every loop iteration (a leak before Go 1.23); fixed: one Timer reset after each event.",
                   {"leaky", "fixed"}),
      int_param("timeout-ms", "Timeout (ms)", "Part 1: how long main waits for a reply.", 30, 1, 10000),
      int_param("messages", "Messages", "Part 2: events the source sends.", 200, 1, 100000),
      int_param("interval-ms", "Interval (ms)", "Part 2: time between two events.", 2, 0, 1000),
      int_param("idle-ms", "Idle timeout (ms)", "Part 2: the loop's idle timeout.", 1000, 1, 100000),
  };
  return Sample{std::move(info), timeouts_main};
}

}  // namespace goroscope::samples
