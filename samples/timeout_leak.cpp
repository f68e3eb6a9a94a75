// timeout_leak.cpp — a caller gives up on a timeout; the worker it started blocks forever
// sending a result nobody will receive.
//
//   leaky: ch := make(chan int)                 // unbuffered: BUG
//          go func() { ch <- fetch() }()
//          select { case v := <-ch: use(v); case <-time.After(timeout): giveUp() }
//   fixed: ch := make(chan int, 1)              // the late send always completes
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

void timeout_leak_main(const SampleParams& p, SampleOutcome& out) {
  const bool leaky = p.get_choice("variant") == "leaky";
  const int64_t requests = p.get_int("requests");
  const auto timeout = std::chrono::milliseconds(p.get_int("timeout-ms"));
  out.say(leaky ? "leaky" : "fixed", " variant: ", requests, " requests, each with a ", timeout.count(),
          " ms timeout, to a backend that takes about as long");
  int64_t answered = 0, timed_out = 0;
  for (int64_t r = 1; r <= requests; ++r) {
    auto reply = gor::make_chan<int64_t>(leaky ? 0 : 1, "reply");
    gor::go_named("fetch " + std::to_string(r), [reply, r, timeout] {
      gor::work(timeout);  // the backend answers just when the caller's patience runs out
      reply.send(r);       // leaky: blocks forever once the caller has stopped listening
    });
    gor::select(gor::on_recv(reply, [&](int64_t) { ++answered; }),
                gor::on_recv(gor::after(timeout), [&](gor::TimePoint) { ++timed_out; }));
  }
  out.say(answered, " answered in time, ", timed_out, " timed out");
  out.set("answered", static_cast<double>(answered));
  out.set("timed_out", static_cast<double>(timed_out));
}

}  // namespace

Sample timeout_leak() {
  SampleInfo info;
  info.id = "timeout-leak";
  info.title = "Goroutine leak after a timeout";
  info.topic = "Channels";
  info.summary = "A caller stops waiting after a timeout; its worker then blocks forever sending the late answer on an unbuffered channel.";
  info.explanation =
      "For each request main starts a worker goroutine that fetches an answer and sends it on a reply "
      "channel, and waits in a select for the reply or a time.After timeout. The backend takes exactly "
      "as long as the timeout, so both cases become ready at the same instant and the outcome depends "
      "on the schedule (and on select's random choice among ready cases). In the leaky variant the "
      "reply channel is unbuffered; in the fixed variant it has a buffer of one.\n\n"
      "What to watch: when the reply wins, all is well. When the timeout wins, main moves on, and the "
      "leaky worker is left in `chan send` forever: nobody will ever receive. Go does not report it; "
      "the program just holds one more goroutine (and its stack, and whatever it references) per "
      "timed-out request. `goroscope-cli explore timeout-leak` classifies such runs as `leak`, with "
      "where the goroutines are blocked: at the defaults (three requests) some request times out in "
      "every one of its 1,000 runs. With a buffer of one the late send completes at once and the "
      "worker ends.\n\n"
      "Under the hood an unbuffered send completes only when a receiver takes the value; a goroutine "
      "blocked on a channel that no other goroutine can reach is never woken and never collected. Tools "
      "such as uber-go/goleak check for it at the end of tests.\n\n"
      "The fix: give the reply channel a buffer of one (the worker never waits for the caller), or pass "
      "a context and select on ctx.Done() in the worker's send.";
  info.default_procs = 2;
  info.suggested_dilation = 20;
  info.params = {
      choice_param("variant", "Variant", "leaky: unbuffered reply channel; fixed: a buffer of one.", {"leaky", "fixed"}),
      int_param("requests", "Requests", "Requests made one after another.", 3, 1, 1000),
      int_param("timeout-ms", "Timeout (ms)", "The caller's timeout, and the backend's time to answer.", 5, 1, 1000),
  };
  return Sample{std::move(info), timeout_leak_main};
}

}  // namespace goroscope::samples
