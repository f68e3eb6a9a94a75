// goroutines_are_cheap.cpp — start many goroutines, measure what one costs.
//
//   for i := range n { go func() { started.Done(); <-release; finished.Done() }() }
//   started.Wait()   // all n alive and parked: measure memory
//   close(release); finished.Wait()
#include <chrono>
#include <optional>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

void goroutines_are_cheap_main(const SampleParams& p, SampleOutcome& out) {
  using Clock = std::chrono::steady_clock;  // wall time: what spawning really costs
  const int64_t n = p.get_int("count");

  gor::WaitGroup started{"started"};
  gor::WaitGroup finished{"finished"};
  auto release = gor::make_chan<gor::Unit>(0, "release");
  std::atomic<int64_t> ran{0};

  const std::optional<int64_t> rss_before = rss_kib();
  started.add(n);
  finished.add(n);
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < n; ++i) {
    gor::go([&started, &finished, &ran, release] {
      ran.fetch_add(1, std::memory_order_relaxed);
      started.done();
      release.recv();  // park until main closes `release`: every goroutine is alive at once
      finished.done();
    });
  }
  const auto t1 = Clock::now();
  started.wait();
  const auto t2 = Clock::now();
  const std::optional<int64_t> rss_alive = rss_kib();
  const int alive = gor::num_goroutine();  // n parked + main
  release.close();                         // wake them all: one close readies every receiver
  finished.wait();
  const auto t3 = Clock::now();

  auto ns = [](Clock::duration d) { return std::chrono::duration<double, std::nano>(d).count(); };
  const double spawn_ns = ns(t1 - t0) / static_cast<double>(n);
  const double start_ns = ns(t2 - t0) / static_cast<double>(n);
  out.say("started ", n, " goroutines; ", alive - 1, " were alive at once (plus main)");
  // A deterministic run prints the same output on every run (and on replay): the wall-clock
  // and memory measurements, which vary, are printed in real mode only.
  const bool measured = !gor::deterministic();
  if (measured) {
    out.say("go statement: ", fixed(spawn_ns, 0), " ns per goroutine; spawn until all parked: ", fixed(start_ns, 0),
            " ns per goroutine");
    out.say("waking and finishing all of them: ", fixed(ns(t3 - t2) / 1e6, 1), " ms");
  } else {
    out.say("deterministic run: the spawn times and memory per goroutine are measured in real mode only");
  }
  out.set("count", static_cast<double>(n));
  out.set("ran", static_cast<double>(ran.load()));
  out.set("alive_at_once", alive - 1);
  out.set("spawn_ns_per_goroutine", spawn_ns);
  if (!measured) {
    out.set("memory_measured", 0);
  } else if (rss_before && rss_alive) {
    const double per_g = static_cast<double>(*rss_alive - *rss_before) * 1024.0 / static_cast<double>(n);
    out.say("memory: VmRSS ", *rss_before, " KiB before, ", *rss_alive, " KiB with all parked: ", fixed(per_g, 0),
            " bytes per goroutine");
    out.set("memory_measured", 1);
    out.set("bytes_per_goroutine", per_g);
  } else {
    out.say("memory: /proc/self/status VmRSS not readable here, so not measured");
    out.set("memory_measured", 0);
  }
}

}  // namespace

Sample goroutines_are_cheap() {
  SampleInfo info;
  info.id = "goroutines-are-cheap";
  info.title = "Goroutines are cheap";
  info.topic = "Goroutines";
  info.summary = "Start thousands of goroutines at once and measure the spawn time and memory of each.";
  info.explanation =
      "The main goroutine starts `count` goroutines. Each one checks in on a WaitGroup and parks on a "
      "`release` channel, so all of them are alive at the same moment. Main then reads the process's "
      "resident memory (VmRSS), closes `release` to wake everybody and waits for them to finish. The "
      "figures are measured on this machine, not assumed: time per `go` statement and bytes of "
      "resident memory per parked goroutine.\n\n"
      "What to watch: the goroutine count shoots up to `count` while the number of OS threads stays at "
      "about GOMAXPROCS. New goroutines go to the creating P's `runnext` slot and local run queue; "
      "other Ps steal half of a busy P's queue, so the start-up spreads over every P.\n\n"
      "Under the hood a goroutine is a small struct plus a stack. Go starts stacks at 2 KiB and grows "
      "them by copying; this engine reserves a larger virtual stack but the kernel commits pages only "
      "when touched, so a goroutine that parks early costs about one page. A thread, by contrast, costs "
      "a kernel object and typically 8 MiB of reserved stack, and switching between threads goes "
      "through the kernel.\n\n"
      "The pitfall: cheap is not free. A million goroutines blocked forever is a leak of gigabytes; "
      "bound concurrency with a worker pool or a semaphore when the work is unbounded, and make sure "
      "every goroutine you start has a way to finish.";
  info.default_procs = 2;
  info.suggested_dilation = 1;
  info.params = {
      int_param("count", "Goroutines", "How many goroutines to start (all alive at once).", 10000, 1, 1000000),
  };
  return Sample{std::move(info), goroutines_are_cheap_main};
}

}  // namespace goroscope::samples
