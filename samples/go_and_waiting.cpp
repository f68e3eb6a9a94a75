// go_and_waiting.cpp — main returning early abandons its goroutines; waiting for them fixes it.
//
//   buggy:        for w := range n { go work(w) }                     // main returns at once
//   waitgroup:    for w := range n { wg.Add(1); go func() { work(w); wg.Done() }() }; wg.Wait()
//   done channel: for w := range n { go func() { work(w); done <- w }() }; for range n { <-done }
#include <atomic>
#include <chrono>
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

void go_and_waiting_main(const SampleParams& p, SampleOutcome& out) {
  const std::string variant = p.get_choice("variant");
  const int workers = static_cast<int>(p.get_int("workers"));
  const auto work = std::chrono::milliseconds(p.get_int("work-ms"));

  // finished is only counted here; the outcome is written by main alone.
  std::atomic<int64_t> finished{0};
  gor::WaitGroup wg{"wg"};
  auto done = gor::make_chan<int>(0, "done");

  out.say(variant, " variant: main starts ", workers, " workers, each working ", work.count(), " ms per step");
  gor::log("main starts the workers");
  for (int w = 1; w <= workers; ++w) {
    if (variant == "fixed-waitgroup") wg.add(1);
    gor::go_named("worker " + std::to_string(w), [&finished, &wg, done, variant, work, w] {
      gor::sleep(work * (1 + (w - 1) % 10));  // the "work": 1 to 10 steps
      finished.fetch_add(1, std::memory_order_relaxed);
      if (variant == "fixed-waitgroup") wg.done();
      if (variant == "fixed-done-channel") done.send(w);  // "I am finished", to main
    });
  }

  if (variant == "fixed-waitgroup") {
    gor::log("main waits on the WaitGroup");
    wg.wait();
  } else if (variant == "fixed-done-channel") {
    gor::log("main receives one value per worker on done");
    for (int i = 0; i < workers; ++i) done.recv();
  } else {
    gor::log("main returns without waiting");  // BUG: the program ends here, work and all
  }

  const int64_t n = finished.load(std::memory_order_relaxed);
  out.say("main returns with ", n, " of ", workers, " workers finished");
  out.set("workers", workers);
  out.set("finished", static_cast<double>(n));
  // The goroutines still running now are reported as RunResult::leaked and unwound.
}

}  // namespace

Sample go_and_waiting() {
  SampleInfo info;
  info.id = "go-and-waiting";
  info.title = "go and waiting";
  info.topic = "Goroutines";
  info.summary = "main returns before its goroutines finish and their work is lost; a WaitGroup or a done channel makes main wait.";
  info.explanation =
      "The main goroutine starts a few worker goroutines with `go`; worker w works for w steps (1 to "
      "ten; a sleep standing for real work). In the buggy variant main simply returns after starting them. "
      "The fixed variants make main wait: one with a sync.WaitGroup (Add before each `go`, Done at "
      "the end of each worker, Wait in main), the other with an unbuffered `done` channel on which "
      "every worker sends once and from which main receives once per worker.\n\n"
      "What to watch: in the buggy run the workers appear, go to sleep, and the run ends while they "
      "are still asleep: none of their work happens, and Goroscope reports them as leaked goroutines "
      "(Go simply kills them, silently). In the fixed runs main parks in `sync.WaitGroup.Wait` or in "
      "`chan receive` and is woken only when the last worker is finished.\n\n"
      "Under the hood `go f()` only creates a goroutine and queues it; it does not wait for anything. "
      "A Go program ends when main returns, whatever the other goroutines are doing: there is no "
      "join and no daemon/non-daemon distinction as with threads in other languages.\n\n"
      "The pitfall is assuming that started work will complete, or papering over it with a "
      "time.Sleep at the end of main. The fix is explicit waiting: a WaitGroup when you only need to "
      "know that everybody is finished, a channel when the workers also have something to hand back. "
      "Call wg.Add before the `go` statement, never inside the new goroutine, or Wait may run first.";
  info.default_procs = 2;
  info.suggested_dilation = 10;
  info.params = {
      choice_param("variant", "Variant",
                   "buggy: main returns at once; fixed-waitgroup / fixed-done-channel: main waits for every worker.",
                   {"buggy", "fixed-waitgroup", "fixed-done-channel"}),
      int_param("workers", "Workers", "Number of worker goroutines.", 5, 1, 1000),
      int_param("work-ms", "Work (ms)", "Length of one step of work; worker w does w steps (1 to 10, cycling).", 20, 0, 1000),
  };
  return Sample{std::move(info), go_and_waiting_main};
}

}  // namespace goroscope::samples
