// send_on_closed.cpp — several producers, one channel: who may close it?
//
//   buggy:  go func() { for ... { ch <- v }; close(ch) }()   // in every producer
//   fixed:  go func() { for ... { ch <- v }; wg.Done() }();  go func() { wg.Wait(); close(ch) }()
#include <chrono>
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

using namespace std::chrono_literals;

void send_on_closed_main(const SampleParams& p, SampleOutcome& out) {
  const bool buggy = p.get_choice("variant") == "buggy";
  const int producers = static_cast<int>(p.get_int("producers"));
  const int64_t values = p.get_int("values");

  auto ch = gor::make_chan<int64_t>(0, "values");
  gor::WaitGroup wg{"wg"};
  out.say(buggy ? "buggy" : "fixed", " variant: ", producers, " producers; producer k sends ", values,
          " * k values, one every 2 ms");
  for (int k = 1; k <= producers; ++k) {
    wg.add(1);
    gor::go_named("producer " + std::to_string(k), [&wg, ch, k, values, buggy] {
      for (int64_t i = 0; i < values * k; ++i) {
        gor::sleep(2ms);
        ch.send(k * 1000000 + i);  // panics in the buggy variant once producer 1 has closed ch
      }
      if (buggy) ch.close();  // BUG: "I am done sending" is not "everybody is done sending"
      wg.done();
    });
  }
  if (!buggy) {
    gor::go_named("closer", [&wg, ch] {
      wg.wait();   // the owner of the channel's lifetime: closes once every producer is done
      ch.close();
    });
  }

  int64_t received = 0;
  for (int64_t v : ch) {
    (void)v;
    ++received;
  }
  if (buggy) wg.wait();  // main waits for the producers, so their panic cannot be missed
  const int64_t expected = values * producers * (producers + 1) / 2;
  out.say("received ", received, " of ", expected, " values");
  out.set("received", static_cast<double>(received));
  out.set("expected", static_cast<double>(expected));
}

}  // namespace

Sample send_on_closed() {
  SampleInfo info;
  info.id = "send-on-closed";
  info.title = "Send on a closed channel";
  info.topic = "Channels";
  info.summary = "Producers that each close the shared channel when done panic with \"send on closed channel\"; a closer goroutine fixes it.";
  info.explanation =
      "Several producers send on one channel that the main goroutine ranges over. Producer k sends k "
      "times as many values as producer 1, so producer 1 finishes first. In the buggy variant every "
      "producer closes the channel when it has sent its own values. In the fixed variant producers only "
      "call `wg.Done()`, and a separate closer goroutine waits for the WaitGroup and closes the channel "
      "once.\n\n"
      "What to watch: in the buggy run producer 1 closes the channel; main's range loop ends at once, "
      "and producer 2's next send panics. The whole program dies with `panic: send on closed channel` "
      "and a goroutine dump pointing at the send. In the fixed run every value arrives and the program "
      "ends normally.\n\n"
      "Under the hood close marks the channel closed and wakes every parked receiver (they get the zero "
      "value and ok = false) and every parked sender (which panics). Any later send panics, a later "
      "receive returns immediately, and closing twice panics too. Go cannot make a send on a closed "
      "channel safe, because the receiver has already been told that no more values will come.\n\n"
      "The rule that avoids it: a channel is closed by its sender, and with several senders by the one "
      "goroutine that knows all of them are finished: the closer that waits on their WaitGroup. "
      "Receivers never close a channel they receive from; to tell senders to stop, close a separate "
      "`done` channel that the senders select on.";
  info.default_procs = 2;
  info.suggested_dilation = 20;
  info.params = {
      choice_param("variant", "Variant", "buggy: every producer closes the channel; fixed: a closer goroutine does, once.",
                   {"buggy", "fixed"}),
      int_param("producers", "Producers", "Number of producer goroutines.", 3, 2, 16),
      int_param("values", "Values", "Values sent by producer 1 (producer k sends k times as many).", 5, 1, 1000),
  };
  return Sample{std::move(info), send_on_closed_main};
}

}  // namespace goroscope::samples
