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

// crunch() is a fixed amount of CPU work (`rounds` x 256 multiply-adds) without calling the
// engine: one slice. Fixed work, not a wall-time spin: a slice descheduled by the OS takes
// longer instead of counting as done, so slices per wall ms measure real throughput.
uint64_t crunch(int64_t rounds) {
  uint64_t x = 0x9e3779b97f4a7c15ULL;
  for (int64_t r = 0; r < rounds; ++r) {
    for (int i = 0; i < 256; ++i) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    asm volatile("" : "+r"(x));  // keep the loop: its result is the work
  }
  return x;
}

// thread_cpu_ns() is the CPU time the calling OS thread has used.
int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// rounds_for() calibrates crunch(): the rounds that take about `d` of CPU on this machine.
int64_t rounds_for(std::chrono::microseconds d) {
  constexpr int64_t kProbe = 2000;
  int64_t best = INT64_MAX;
  for (int i = 0; i < 5; ++i) {
    const int64_t t0 = thread_cpu_ns();
    (void)crunch(kProbe);
    best = std::min(best, thread_cpu_ns() - t0);
  }
  const double per_round_ns = static_cast<double>(std::max<int64_t>(best, 1)) / kProbe;
  return std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(d.count()) * 1000.0 / per_round_ns));
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
  const int64_t rounds = rounds_for(slice);                  // one slice's fixed work
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> sink{0};
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
        const int64_t c0 = thread_cpu_ns();  // no engine call until c1: the same OS thread
        sink.fetch_add(crunch(rounds), std::memory_order_relaxed);  // the slice: no engine call inside
        const int64_t c1 = thread_cpu_ns();
        running.fetch_sub(1, std::memory_order_acq_rel);
        slices[static_cast<size_t>(ph)].fetch_add(1, std::memory_order_relaxed);
        cpu_ns[static_cast<size_t>(ph)].fetch_add(c1 - c0, std::memory_order_relaxed);
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
    const auto t0 = std::chrono::steady_clock::now();
    gor::sleep(phase_len);
    phase_seconds[i] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
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
  out.set("checksum_nonzero", sink.load() != 0 ? 1 : 0);
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
