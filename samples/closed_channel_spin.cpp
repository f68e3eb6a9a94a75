// closed_channel_spin.cpp — comma-ok, and a select that keeps choosing a closed channel.
//
//   for quickOpen || slowOpen {
//     select {
//     case v, ok := <-quick: if !ok { quickOpen = false /* BUG: quick stays selectable */ ; continue } ...
//     case v, ok := <-slow:  if !ok { slowOpen = false; continue } ...
//     }
//   }
//   fixed: if !ok { quick = nil }   // a nil channel is never chosen
#include <chrono>
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

void closed_channel_spin_main(const SampleParams& p, SampleOutcome& out) {
  const bool buggy = p.get_choice("variant") == "buggy";
  const int64_t values = p.get_int("values");
  const auto interval = std::chrono::milliseconds(p.get_int("interval-ms"));
  constexpr int64_t kQuickValues = 3;

  auto quick = gor::make_chan<int64_t>(0, "quick");
  auto slow = gor::make_chan<int64_t>(0, "slow");
  gor::go_named("quick producer", [quick] {
    for (int64_t i = 1; i <= kQuickValues; ++i) quick.send(i);
    quick.close();
    gor::log("quick closed");
  });
  gor::go_named("slow producer", [slow, values, interval] {
    for (int64_t i = 1; i <= values; ++i) {
      gor::sleep(interval);
      slow.send(i);
    }
    slow.close();
    gor::log("slow closed");
  });

  out.say(buggy ? "buggy" : "fixed", " variant: one select loop over quick (", kQuickValues, " values) and slow (",
          values, " values, one every ", interval.count(), " ms)");
  gor::log(buggy ? "loop keeps both channels in the select" : "loop sets a closed channel to nil");
  const gor::TimePoint start = gor::now();
  int64_t iterations = 0;
  int64_t closed_receives = 0;  // receives that returned ok == false
  int64_t received = 0;
  bool quick_open = true;
  bool slow_open = true;
  gor::Chan<int64_t> q = quick;  // the loop's own handles: the fixed variant sets them to nil
  gor::Chan<int64_t> s = slow;
  while (quick_open || slow_open) {
    ++iterations;
    bool quick_closed = false;
    bool slow_closed = false;
    gor::select(gor::on_recv(q, [&](int64_t, bool ok) {  // v, ok := <-quick
                  if (ok) ++received; else quick_closed = true;
                }),
                gor::on_recv(s, [&](int64_t, bool ok) {  // v, ok := <-slow
                  if (ok) ++received; else slow_closed = true;
                }));
    if (quick_closed || slow_closed) ++closed_receives;
    if (quick_closed) {
      if (quick_open) gor::log("quick is closed");
      quick_open = false;
      if (!buggy) q = gor::Chan<int64_t>{};  // the fix: a nil channel's case is never ready
    }
    if (slow_closed) {
      slow_open = false;
      if (!buggy) s = gor::Chan<int64_t>{};
    }
  }
  const double ms = std::chrono::duration<double, std::milli>(gor::now() - start).count();
  gor::log("loop ended");

  out.say("the loop ran ", iterations, " times in ", fixed(ms, 1), " ms: ", received, " values and ",
          closed_receives, " receives from a closed channel");
  out.set("iterations", static_cast<double>(iterations));
  out.set("closed_receives", static_cast<double>(closed_receives));
  out.set("received", static_cast<double>(received));
  out.set("expected", static_cast<double>(kQuickValues + values));
  out.set("loop_ms", ms);
}

}  // namespace

Sample closed_channel_spin() {
  SampleInfo info;
  info.id = "closed-channel-spin";
  info.title = "Comma-ok and the closed-channel spin";
  info.topic = "Channels";
  info.summary = "A select loop keeps choosing a channel that is already closed and spins; setting the channel to nil fixes it.";
  info.explanation =
      "Two producers feed one select loop in main: `quick` delivers three values at once and is "
      "closed, `slow` delivers a value now and then and is closed at the end. The loop receives with "
      "the comma-ok form (`v, ok := <-ch`) so it can tell a real value from the zero value of a closed "
      "channel, and it stops when both channels are closed. In the buggy variant it only notes that "
      "`quick` is closed and carries on with the same select; in the fixed variant it sets its "
      "`quick` variable to nil.\n\n"
      "What to watch: in the buggy run, once `quick` is closed main never parks again. A receive from "
      "a closed channel is always ready, so every select returns at once with ok = false, and main "
      "keeps one P busy at 100% until `slow` is closed: a hot P doing nothing useful, and an iteration "
      "count in the millions. In the fixed run main parks in `select` between the slow values and the "
      "loop runs once per value.\n\n"
      "Under the hood select polls its cases in random order and takes the first ready one; only if "
      "none is ready does the goroutine park. A closed channel is ready forever. A nil channel is never "
      "ready: its case is skipped as if it were not there, which is exactly how Go code switches a "
      "case off inside a loop.\n\n"
      "The pitfall is treating ok == false as \"nothing this time\". It means \"nothing ever again\": "
      "after seeing it, stop receiving from that channel, by leaving the loop or, when other cases "
      "must go on, by setting the channel variable to nil. Here the nil channel is `gor::Chan<T>{}`.";
  info.default_procs = 2;
  info.suggested_dilation = 10;
  info.params = {
      choice_param("variant", "Variant",
                   "buggy: the loop keeps selecting the closed channel; fixed: it sets the channel to nil.",
                   {"buggy", "fixed"}),
      int_param("values", "Slow values", "Values the slow producer sends before closing its channel.", 5, 1, 1000),
      int_param("interval-ms", "Interval (ms)", "Time between two slow values.", 20, 1, 1000),
  };
  return Sample{std::move(info), closed_channel_spin_main};
}

}  // namespace goroscope::samples
