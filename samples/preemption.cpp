// preemption.cpp — a goroutine that loops without blocking, and what sysmon does about it.
//
//   go func() { for { count++; time.Sleep(2 * time.Millisecond) } }()   // a ticker that needs a P now and then
//   go func() { for time.Since(t0) < hog { x = x*31 + 7 } }()           // never blocks
// Go (1.14+) interrupts the hog with a signal. Here preemption is cooperative: sysmon asks, and
// the hog yields only at its next engine call (gor::preempt_point()); the `never` variant ignores it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include <gor/trace.hpp>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

using namespace std::chrono_literals;

void preemption_main(const SampleParams& p, SampleOutcome& out) {
  const bool cooperative = p.get_choice("variant") == "cooperative";
  const gor::Duration hog = std::chrono::milliseconds(p.get_int("hog-ms"));
  const int procs = gor::gomaxprocs();

  std::atomic<bool> hogging{false};
  std::atomic<bool> stop{false};
  std::atomic<int64_t> ticks{0};
  std::atomic<int64_t> ticks_during_hog{0};
  int64_t iterations = 0;  // written by the hog only, read after it ended
  gor::WaitGroup ticker_done{"ticker_done"};
  gor::WaitGroup hog_done{"hog_done"};

  ticker_done.add(1);
  gor::go_named("ticker", [&] {
    while (!stop.load(std::memory_order_relaxed)) {
      ticks.fetch_add(1, std::memory_order_relaxed);
      if (hogging.load(std::memory_order_acquire)) ticks_during_hog.fetch_add(1, std::memory_order_relaxed);
      gor::sleep(2ms);
    }
    ticker_done.done();
  });
  gor::sleep(10ms);  // let the ticker get going

  gor::log(cooperative ? "hog starts (checks for preemption)" : "hog starts (never checks)");
  hog_done.add(1);
  gor::go_named("hog", [&] {
    hogging.store(true, std::memory_order_release);
    // CPU work in 100 us iterations, bounded so the sample ends in both variants. gor::spin is
    // a loop that never calls the engine (no preemption point: sysmon's request waits);
    // gor::work reaches a preemption point every 100 us, like a loop calling preempt_point.
    const auto step = std::chrono::microseconds(100);
    for (auto done = std::chrono::microseconds(0); done < hog; done += step) {
      if (cooperative) {
        gor::work(step);
      } else {
        gor::spin(step);
      }
      ++iterations;
    }
    hogging.store(false, std::memory_order_release);
    hog_done.done();
  });
  hog_done.wait();
  gor::log("hog done");
  stop.store(true, std::memory_order_relaxed);
  ticker_done.wait();

  const int64_t hog_ms = std::chrono::duration_cast<std::chrono::milliseconds>(hog).count();
  out.say(cooperative ? "cooperative" : "never", " variant, GOMAXPROCS ", procs, ": the hog spun for ", hog_ms,
          " ms (", iterations, " iterations)");
  out.say("the ticker ticked ", ticks.load(), " times in all, ", ticks_during_hog.load(), " while the hog ran",
          cooperative || procs > 1 ? "" : ": with one P and a hog that never yields, nobody else runs");
  out.set("iterations", static_cast<double>(iterations));
  out.set("ticks", static_cast<double>(ticks.load()));
  out.set("ticks_during_hog", static_cast<double>(ticks_during_hog.load()));
  out.set("procs", procs);
}

}  // namespace

Sample preemption() {
  SampleInfo info;
  info.id = "preemption";
  info.title = "Preemption";
  info.topic = "Scheduler";
  info.summary = "A goroutine loops without blocking: sysmon asks it to yield every 10 ms; Go 1.14+ preempts it anywhere, this engine only where it checks (cooperative).";
  info.explanation =
      "A ticker goroutine wakes every 2 ms to count. Then a hog goroutine spins in a loop that "
      "never blocks, for a bounded time. With one P (the default) the two compete for the same "
      "processor. In the `cooperative` variant the hog calls gor::preempt_point() on each "
      "iteration; in the `never` variant it makes no engine call at all.\n\n"
      "What to watch: sysmon, the runtime's monitor thread, notices that the same goroutine has "
      "been running on a P for more than 10 ms and sets its preemption flag (a `preempt_request` "
      "event). In the cooperative variant the hog sees the flag at its next preemption point, "
      "yields to the global run queue, the ticker runs its overdue ticks, and the hog resumes: "
      "they interleave in 10 ms slices. In the `never` variant sysmon asks again and again, but "
      "the hog does not listen: the ticker starves until the hog's loop ends.\n\n"
      "Under the hood Go (since 1.14) preempts asynchronously: sysmon sends the thread a signal "
      "and the goroutine is stopped at almost any instruction, using the compiler's stack maps, so "
      "in Go even the `never` loop is preempted every 10 ms and the ticker keeps ticking. This "
      "engine cannot do that to C++ code (no stack maps; interrupting code inside malloc or holding "
      "a lock is unsafe), so its preemption is cooperative, like Go before 1.14. A goroutine can "
      "be preempted only at a preemption point: a channel send or receive and a select (even when "
      "they do not block), go, sleep, yield, entering gor::syscall, an explicit "
      "gor::preempt_point(), and whenever it blocks. An uncontended Mutex lock or unlock, atomics "
      "and plain C++ code are not preemption points. This is one of the engine's deviations from "
      "Go (docs/go-fidelity.md lists them all).\n\n"
      "The pitfall was real in Go before 1.14: a tight CPU loop that never calls into the runtime "
      "could hold a P indefinitely, delaying timers, other goroutines and even garbage collection "
      "or a GOMAXPROCS change. Go 1.14+ fixed it for Go code; here the fix is still a preemption "
      "point in long loops, or splitting the work into chunks handed out through channels.";
  info.default_procs = 1;
  info.suggested_dilation = 10;
  info.params = {
      choice_param("variant", "Variant", "Whether the hog's loop checks for preemption requests.",
                   {"cooperative", "never"}),
      int_param("hog-ms", "Hog (ms)", "How long the hog loops (engine ms).", 200, 20, 10000),
  };
  return Sample{std::move(info), preemption_main};
}

}  // namespace goroscope::samples
