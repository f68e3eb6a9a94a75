// gomaxprocs.cpp — CPU-bound goroutines under GOMAXPROCS 1, 2, 4, changed while they run.
//
//   for w := range workers { go func() { for !stop { crunch(n) } }() }   // pure CPU work, fixed per slice
//   for _, n := range []int{1, 2, 4} { runtime.GOMAXPROCS(n); time.Sleep(phase) }
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <array>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gor/trace.hpp>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

constexpr int kMaxPhases = 4;

// schedule_of() is the GOMAXPROCS values of the phases for the `schedule` choice.
std::vector<int> schedule_of(const std::string& name) {
  if (name == "4,2,1") return {4, 2, 1};
  if (name == "1,4,1") return {1, 4, 1};
  return {1, 2, 4};
}

void gomaxprocs_main(const SampleParams& p, SampleOutcome& out) {
  const int workers = static_cast<int>(p.get_int("workers"));
  const auto slice = std::chrono::microseconds(p.get_int("slice-us"));
  const auto phase_len = std::chrono::milliseconds(p.get_int("phase-ms"));
  const std::vector<int> procs = schedule_of(p.get_choice("schedule"));

  std::atomic<int> running{0};   // goroutines inside a CPU slice right now
  std::atomic<int> phase{0};     // index into procs of the phase slices are counted against
  std::array<std::atomic<int>, kMaxPhases> max_running{};    // most slices seen at once, per phase
  std::array<std::atomic<int64_t>, kMaxPhases> slices{};     // slices completed, per phase
  std::array<std::atomic<int64_t>, kMaxPhases> cpu_ns{};     // CPU time the slices used, per phase
  std::atomic<bool> stop{false};
  gor::WaitGroup wg{"wg"};

  // Phase 0's GOMAXPROCS before any worker starts.
  gor::gomaxprocs(procs[0]);
  gor::log("GOMAXPROCS " + std::to_string(procs[0]));
  for (int w = 1; w <= workers; ++w) {
    wg.add(1);
    gor::go_named("cruncher " + std::to_string(w), [&] {
      while (!stop.load(std::memory_order_relaxed)) {
        const int ph = phase.load(std::memory_order_acquire);
        const int now_running = running.fetch_add(1, std::memory_order_acq_rel) + 1;
        int seen = max_running[static_cast<size_t>(ph)].load(std::memory_order_relaxed);
        while (now_running > seen &&
               !max_running[static_cast<size_t>(ph)].compare_exchange_weak(seen, now_running, std::memory_order_relaxed)) {
        }
        // The slice: `slice` of CPU work with no engine call inside (gor::spin: CPU time on a
        // real core in real mode, the P's virtual clock in a deterministic run), so a slice is
        // the same work either way and its goroutine holds its P throughout.
        gor::spin(slice);
        running.fetch_sub(1, std::memory_order_acq_rel);
        slices[static_cast<size_t>(ph)].fetch_add(1, std::memory_order_relaxed);
        cpu_ns[static_cast<size_t>(ph)].fetch_add(std::chrono::nanoseconds(slice).count(), std::memory_order_relaxed);
        gor::preempt_point();  // between slices: yield if sysmon asked, or if the world must stop
      }
      wg.done();
    });
  }

  std::vector<double> phase_seconds(procs.size(), 0);
  for (size_t i = 0; i < procs.size(); ++i) {
    if (i > 0) {
      // Count slices against the larger of the old and new limits while the change happens:
      // raise the phase first when growing, after the resize when shrinking.
      const int idx = static_cast<int>(i);
      if (procs[i] > procs[i - 1]) phase.store(idx, std::memory_order_release);
      gor::gomaxprocs(procs[i]);  // stops the world, resizes the Ps, starts the world
      if (procs[i] <= procs[i - 1]) phase.store(idx, std::memory_order_release);
      gor::log("GOMAXPROCS " + std::to_string(procs[i]));
    }
    const gor::TimePoint t0 = gor::now();
    gor::sleep(phase_len);
    phase_seconds[i] = std::chrono::duration<double>(gor::now() - t0).count();
  }
  stop.store(true, std::memory_order_relaxed);
  wg.wait();
  gor::log("crunchers done");

  int overall_max = 0;
  int max_procs = 0;
  int64_t violations = 0;
  for (size_t i = 0; i < procs.size(); ++i) {
    const int m = max_running[i].load();
    const int64_t n = slices[i].load();
    const double per_ms = phase_seconds[i] > 0 ? static_cast<double>(n) / (phase_seconds[i] * 1000) : 0;
    // Parallelism: CPU time the slices used over the phase's wall time (how many cores worked).
    const double par = phase_seconds[i] > 0 ? static_cast<double>(cpu_ns[i].load()) / (phase_seconds[i] * 1e9) : 0;
    out.say("phase ", i + 1, ": GOMAXPROCS ", procs[i], ", at most ", m, " goroutines running at once, ", n,
            " slices of fixed work (", fixed(per_ms, 1), " per wall ms), parallelism ", fixed(par, 2),
            " (CPU time / wall time)");
    out.set("phase" + std::to_string(i + 1) + "_parallelism", par);
    overall_max = std::max(overall_max, m);
    max_procs = std::max(max_procs, procs[i]);
    if (m > procs[i]) ++violations;
    out.set("phase" + std::to_string(i + 1) + "_procs", procs[i]);
    out.set("phase" + std::to_string(i + 1) + "_max_running", m);
    out.set("phase" + std::to_string(i + 1) + "_slices", static_cast<double>(n));
  }
  out.say(workers, " CPU-bound goroutines; the most running at once was ", overall_max, " (largest GOMAXPROCS ",
          max_procs, "), this machine has ", std::thread::hardware_concurrency(), " hardware threads");
  out.set("phases", static_cast<double>(procs.size()));
  out.set("max_running", overall_max);
  out.set("max_procs", max_procs);
  out.set("violations", static_cast<double>(violations));
}

}  // namespace

Sample gomaxprocs() {
  SampleInfo info;
  info.id = "gomaxprocs";
  info.title = "GOMAXPROCS";
  info.topic = "Scheduler";
  info.summary = "CPU-bound goroutines under GOMAXPROCS 1, 2 and 4, changed while they run: never more of them run at once than there are Ps.";
  info.explanation =
      "A handful of goroutines do pure CPU work in short slices, never blocking. Meanwhile main "
      "changes GOMAXPROCS, the number of Ps, in phases (1, then 2, then 4 by default) with "
      "runtime.GOMAXPROCS. Each goroutine counts itself in and out of every slice; the sample "
      "reports, per phase, how many were running at the same moment and how much work got done.\n\n"
      "What to watch: with one P only one goroutine runs at a time and the others wait in the run "
      "queue, taking turns when sysmon asks the running one to yield (every 10 ms). When main raises "
      "GOMAXPROCS, the world stops for an instant (every goroutine yields at its next preemption "
      "point), new Ps appear and idle threads start stealing the waiting goroutines: two, then four "
      "run in parallel. The count of goroutines running at once never exceeds the number of Ps, "
      "because a goroutine runs only on a thread (M) that holds a P.\n\n"
      "Under the hood GOMAXPROCS limits running Go code, not threads: threads blocked in system "
      "calls do not count. Raising it beyond the machine's cores adds Ps that the OS time-slices on "
      "the same cores, so throughput stops growing: on a 2-core machine the parallelism (CPU time over "
      "wall time) and the slices of fixed work per ms grow from 1 P to 2, not from 2 to 4. Since "
      "Go 1.5 the default is the number of CPUs, and since Go 1.25 it also respects a container's "
      "cgroup CPU limit (and follows it if it changes), so setting it by hand in containers is "
      "rarely needed any more.\n\n"
      "The pitfall is expecting more goroutines to mean more parallelism: CPU-bound work scales with "
      "Ps and cores, not goroutines. Here preemption is cooperative: each slice ends at "
      "gor::preempt_point(), where the goroutine yields if sysmon asked it to or the world must stop.";
  info.default_procs = 1;
  info.suggested_dilation = 5;
  info.params = {
      int_param("workers", "Workers", "CPU-bound goroutines.", 6, 1, 64),
      choice_param("schedule", "Schedule", "GOMAXPROCS of each phase, in order.", {"1,2,4", "4,2,1", "1,4,1"}),
      int_param("phase-ms", "Phase (ms)", "How long each phase lasts (engine ms).", 300, 10, 10000),
      int_param("slice-us", "Slice (us)", "CPU time of one slice of fixed work on an idle core (microseconds).", 200, 10, 100000),
  };
  return Sample{std::move(info), gomaxprocs_main};
}

}  // namespace goroscope::samples
