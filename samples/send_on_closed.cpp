// send_on_closed.cpp — several producers, one channel: who may close it?
//
//   buggy:   go func() { for ... { ch <- v }; close(ch) }()   // in every producer
//   recover: as buggy, with defer func() { recover() }() in each producer: the panic is caught
//   double-close: buggy without the sends that panic first: the second close(ch) panics
//   fixed:   go func() { for ... { ch <- v }; wg.Done() }();  go func() { wg.Wait(); close(ch) }()
#include <atomic>
#include <chrono>
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

using namespace std::chrono_literals;

void send_on_closed_main(const SampleParams& p, SampleOutcome& out) {
  const std::string variant = p.get_choice("variant");
  const bool fixed = variant == "fixed";
  const bool recovering = variant == "recover";
  const bool double_close = variant == "double-close";
  const int producers = static_cast<int>(p.get_int("producers"));
  const int64_t values = p.get_int("values");

  if (double_close) {
    // Two goroutines each believe they own the channel's end: the second close panics.
    auto ch = gor::make_chan<int64_t>(0, "values");
    auto first_closed = gor::make_chan<gor::Unit>(0, "first closed");
    out.say("double-close variant: two goroutines close the same channel");
    gor::go_named("closer 1", [ch, first_closed] {
      ch.close();
      first_closed.close();
    });
    gor::go_named("closer 2", [ch, first_closed] {
      (void)first_closed.recv();
      ch.close();  // panics: "close of closed channel"
    });
    for (int64_t v : ch) (void)v;
    gor::Chan<int>().recv();  // wait for the panic (a nil channel: never ready)
    return;
  }

  auto ch = gor::make_chan<int64_t>(0, "values");
  gor::WaitGroup wg{"wg"};
  std::atomic<int64_t> recovered{0};
  out.say(variant, " variant: ", producers, " producers; producer k sends ", values,
          " * k values, one every 2 ms");
  for (int k = 1; k <= producers; ++k) {
    wg.add(1);
    gor::go_named("producer " + std::to_string(k), [&wg, &recovered, ch, k, values, fixed, recovering] {
      // Go: defer wg.Done(), then (recover variant) defer func() { if r := recover(); ... }().
      struct Done {
        gor::WaitGroup& wg;
        ~Done() { wg.done(); }
      } done{wg};
      try {
        for (int64_t i = 0; i < values * k; ++i) {
          gor::sleep(2ms);
          ch.send(k * 1000000 + i);  // panics once producer 1 has closed ch (buggy, recover)
        }
        if (!fixed) ch.close();  // BUG: "I am done sending" is not "everybody is done sending"
      } catch (const gor::Panic& e) {
        if (!recovering) throw;
        recovered.fetch_add(1);  // recover() returned "send on closed channel": the panic stops here
        gor::log(std::string("recovered: ") + e.what());
      }
    });
  }
  if (fixed) {
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
  if (!fixed) wg.wait();  // main waits for the producers, so their panic cannot be missed
  const int64_t expected = values * producers * (producers + 1) / 2;
  out.say("received ", received, " of ", expected, " values");
  if (recovering) out.say(recovered.load(), " producer(s) recovered from \"send on closed channel\"; the program goes on");
  out.set("received", static_cast<double>(received));
  out.set("expected", static_cast<double>(expected));
  out.set("recovered", static_cast<double>(recovered.load()));
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
      "`done` channel that the senders select on.\n\n"
      "Two more variants. recover: the same buggy producers, each with a deferred recover. This panic "
      "is an ordinary run-time panic, and recover catches it (whatever folklore says): the producers "
      "that hit the closed channel stop, and the program goes on, having lost their remaining values. "
      "recover hides the bug rather than fixing it. double-close: two goroutines each close the "
      "channel; the second close panics with `close of closed channel`, and the dump points at it.";
  info.default_procs = 2;
  info.suggested_dilation = 20;
  info.params = {
      choice_param("variant", "Variant",
                   "buggy: every producer closes the channel; recover: the same, each producer recovering "
                   "the panic; double-close: two goroutines close it; fixed: a closer goroutine does, once.",
                   {"buggy", "recover", "double-close", "fixed"}),
      int_param("producers", "Producers", "Number of producer goroutines.", 3, 2, 16),
      int_param("values", "Values", "Values sent by producer 1 (producer k sends k times as many).", 5, 1, 1000),
  };
  return Sample{std::move(info), send_on_closed_main};
}

}  // namespace goroscope::samples
