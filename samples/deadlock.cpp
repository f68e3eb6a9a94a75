// deadlock.cpp — a global deadlock: main ranges over a channel nobody closes.
//
//   go func() { for i := range n { ch <- i } /* BUG: no close(ch) */ }()
//   for v := range ch { sum += v }   // fatal error: all goroutines are asleep - deadlock!
#include <chrono>
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

void deadlock_main(const SampleParams& p, SampleOutcome& out) {
  const bool buggy = p.get_choice("variant") == "buggy";
  const int64_t values = p.get_int("values");

  auto ch = gor::make_chan<int64_t>(0, "numbers");
  gor::go_named("producer", [ch, values, buggy] {
    for (int64_t i = 1; i <= values; ++i) {
      gor::sleep(std::chrono::milliseconds(20));  // pace the story: one value every 20 ms
      ch.send(i);
    }
    if (!buggy) ch.close();  // the fix: the sender says "no more values"
  });

  out.say(buggy ? "buggy" : "fixed", " variant: main sums ", values, " values with a range loop");
  int64_t sum = 0;
  int64_t received = 0;
  for (int64_t v : ch) {  // buggy: after the last value this waits forever
    sum += v;
    ++received;
  }
  out.say("received ", received, " values, sum ", sum);
  out.set("received", static_cast<double>(received));
  out.set("sum", static_cast<double>(sum));
}

}  // namespace

Sample deadlock() {
  SampleInfo info;
  info.id = "deadlock";
  info.title = "Global deadlock";
  info.topic = "Deadlocks";
  info.summary = "main ranges over a channel its producer never closes: every goroutine ends up asleep and the runtime reports a deadlock.";
  info.explanation =
      "A producer goroutine sends a few numbers on an unbuffered channel and returns. The main "
      "goroutine sums them with a range loop. In the buggy variant the producer forgets to close the "
      "channel, so after the last value main's range loop waits for a value that will never come. In "
      "the fixed variant the producer closes the channel and the loop ends.\n\n"
      "What to watch: the producer finishes and disappears; main parks in `chan receive`, and then no "
      "goroutine is runnable, none is sleeping on a timer and none is in a system call. The runtime "
      "notices that nothing can ever wake anybody and stops the program with `fatal error: all "
      "goroutines are asleep - deadlock!` followed by a dump showing main blocked on the channel.\n\n"
      "Under the hood Go's scheduler checks for this whenever a thread runs out of work: if no M is "
      "running goroutines and no timer is pending, the program can make no progress. It only catches "
      "the global case; two goroutines waiting on each other while a third keeps working is a partial "
      "deadlock that Go never reports (Goroscope's detector will).\n\n"
      "The fix is the ownership rule for channels: the goroutine that sends decides when sending is "
      "over and closes the channel (with several senders, a closer goroutine waits on their WaitGroup "
      "and closes it). A range loop over a channel needs someone to close it.";
  info.default_procs = 2;
  info.suggested_dilation = 20;
  info.params = {
      choice_param("variant", "Variant", "buggy: the producer never closes the channel; fixed: it closes it.",
                   {"buggy", "fixed"}),
      int_param("values", "Values", "How many numbers the producer sends.", 5, 0, 100000),
  };
  return Sample{std::move(info), deadlock_main};
}

}  // namespace goroscope::samples
