// preemption.cpp — a goroutine that loops without blocking, and what sysmon does about it.
//
//   go func() { for { count++; time.Sleep(2 * time.Millisecond) } }()   // a ticker that needs a P now and then
//   go func() { for time.Since(t0) < hog { x = mix(x) } }()             // never blocks
// Go (1.14+) interrupts the hog with a signal wherever it is. Here sysmon's request is honoured
// at a preemption point: an engine call (the `cooperative` variant), or the entry of any function
// of the sample's own code, which is compiled with -finstrument-functions (the `calls` variant,
// engine/src/preempt.cpp); a loop with neither (the `never` variant) keeps its P, as in Go 1.13.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include <gor/trace.hpp>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

using namespace std::chrono_literals;

// mix() is one step of the hog's arithmetic: a plain function of this file, so instrumented:
// its entry is where the engine may preempt the hog (the `calls` variant).
__attribute__((noinline)) uint64_t mix(uint64_t x) { return x * 6364136223846793005ull + 1442695040888963407ull; }

void preemption_main(const SampleParams& p, SampleOutcome& out) {
  const std::string variant = p.get_choice("variant");
  const bool cooperative = variant == "cooperative";
  const bool calls = variant == "calls";
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

  gor::log(cooperative ? "hog starts (checks for preemption)"
                      : calls ? "hog starts (plain function calls)" : "hog starts (never checks)");
  hog_done.add(1);
  gor::go_named("hog", [&] {
    hogging.store(true, std::memory_order_release);
    // CPU work in 100 us iterations, bounded so the sample ends in both variants. gor::spin is
    // a loop that never calls the engine (no preemption point: sysmon's request waits);
    // gor::work reaches a preemption point every 100 us, like a loop calling preempt_point.
    const auto step = std::chrono::microseconds(100);
    if (calls && !gor::deterministic()) {
      // Plain C++ until hog of engine time has passed: mix() in a loop, and gor::now(), which
      // reads the clock and is no preemption point. Only mix()'s entry can yield.
      uint64_t x = 1;
      for (const gor::TimePoint end = gor::now() + hog; gor::now() < end; ++iterations) {
        for (int i = 0; i < 1000; ++i) x = mix(x);
      }
      out.set("mixed", static_cast<double>(x % 1000));
      hogging.store(false, std::memory_order_release);
      hog_done.done();
      return;
    }
    // (A deterministic run does not yield at function entries, preempt.cpp: `calls` is `never`.)
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
  out.say(variant, " variant, GOMAXPROCS ", procs, ": the hog spun for ", hog_ms, " ms (", iterations, " iterations)");
  const bool starves = !cooperative && !(calls && !gor::deterministic()) && procs == 1;
  out.say("the ticker ticked ", ticks.load(), " times in all, ", ticks_during_hog.load(), " while the hog ran",
          starves ? ": with one P and a hog that never yields, nobody else runs" : "");
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
  info.summary = "A goroutine loops without blocking: sysmon asks it to yield every 10 ms; Go 1.14+ preempts it anywhere, this engine at engine calls and at function entries of instrumented code.";
  info.explanation =
      "A ticker goroutine wakes every 2 ms to count. Then a hog goroutine loops without ever "
      "blocking, for a bounded time. With one P (the default) the two compete for the same "
      "processor. In the `cooperative` variant the hog calls gor::work, an engine call that is "
      "a preemption point every 100 us; in the `calls` variant it is plain C++, a loop calling "
      "a small function of this file; in the `never` variant it is a loop that calls nothing "
      "the engine can see (gor::spin, standing for Go's `for i := 0; i < n; i++ { x = x*31 + 7 }`).\n\n"
      "What to watch: sysmon, the runtime's monitor thread, notices that the same goroutine has "
      "been running on a P for more than 10 ms and sets its preemption flag (a `preempt_request` "
      "event). In the `cooperative` and `calls` variants the hog honours it at its next "
      "preemption point, goes to the global run queue, the ticker runs its overdue ticks, and the "
      "hog resumes: they interleave in 10 ms slices. In the `never` variant sysmon asks again and "
      "again, but nothing in the loop looks: the ticker starves until the loop ends.\n\n"
      "Go since 1.14 preempts asynchronously: sysmon sends the thread a signal (SIGURG) and "
      "the goroutine stops at almost any instruction, thanks to the compiler's stack maps; so in Go "
      "all three variants are preempted every 10 ms and the ticker keeps ticking. C++ has no stack "
      "maps, and stopping code inside malloc or a std::mutex is unsafe, so this engine does what "
      "Go did up to 1.13, checking at function entries: the samples are compiled with GCC's "
      "-finstrument-functions, and every entry to one of their functions checks the flag. The "
      "preemption points are: those function entries, a channel send or receive and a select "
      "(even when they do not block), go, sleep, yield, gor::work, entering gor::syscall, "
      "gor::preempt_point(), and every blocking call. An uncontended Mutex lock or unlock, "
      "atomics, the C++ library, and a loop whose body calls no instrumented function are not "
      "(a deterministic run yields at engine calls only). docs/go-fidelity.md lists this and "
      "every other deviation from Go.\n\n"
      "The pitfall was real in Go before 1.14: a tight loop with no function call could hold a P "
      "indefinitely, delaying timers, other goroutines, the garbage collector and a GOMAXPROCS "
      "change. Here it still can: put a call or a preemption point in long loops, or split the work "
      "into chunks handed out through channels.";
  info.default_procs = 1;
  info.suggested_dilation = 10;
  info.params = {
      choice_param("variant", "Variant",
                   "cooperative: engine calls (gor::work); calls: plain C++ calling a function; never: no call at all.",
                   {"cooperative", "calls", "never"}),
      int_param("hog-ms", "Hog (ms)", "How long the hog loops (engine ms).", 200, 20, 10000),
  };
  return Sample{std::move(info), preemption_main};
}

}  // namespace goroscope::samples
