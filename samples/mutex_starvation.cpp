// mutex_starvation.cpp — a greedy goroutine hogs a mutex; starvation mode rescues the polite ones.
//
//   greedy: for !stop { mu.Lock(); time.Sleep(hold); mu.Unlock() }   // re-locks at once
//   polite: for range rounds { time.Sleep(hold); mu.Lock(); n++; mu.Unlock() }
#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

void mutex_starvation_main(const SampleParams& p, SampleOutcome& out) {
  const int polite = static_cast<int>(p.get_int("polite"));
  const int64_t rounds = p.get_int("rounds");
  const gor::Duration hold = std::chrono::milliseconds(p.get_int("hold-ms"));

  gor::Mutex mu{"mu"};
  std::atomic<bool> stop{false};
  int64_t greedy_locks = 0;                                  // written by greedy only
  std::vector<int64_t> polite_locks(static_cast<size_t>(polite), 0);      // slot i: polite i only
  std::vector<std::vector<gor::Duration>> waits(static_cast<size_t>(polite));  // slot i: polite i only
  gor::WaitGroup greedy_done{"greedy_done"};
  gor::WaitGroup polite_done{"polite_done"};

  greedy_done.add(1);
  gor::go_named("greedy", [&] {
    while (!stop.load(std::memory_order_relaxed)) {
      mu.lock();
      gor::sleep(hold);  // BAD: sleeping (standing for slow work) while holding the lock
      ++greedy_locks;
      mu.unlock();       // ...and immediately competing for it again
    }
    greedy_done.done();
  });
  for (int i = 0; i < polite; ++i) {
    polite_done.add(1);
    gor::go_named("polite " + std::to_string(i + 1), [&, i] {
      const auto slot = static_cast<size_t>(i);
      for (int64_t r = 0; r < rounds; ++r) {
        gor::sleep(hold);  // some work outside the lock
        const gor::TimePoint t0 = gor::now();
        mu.lock();
        waits[slot].push_back(gor::now() - t0);
        ++polite_locks[slot];
        mu.unlock();
      }
      polite_done.done();
    });
  }
  polite_done.wait();
  stop.store(true, std::memory_order_relaxed);
  greedy_done.wait();

  const int64_t fewest = *std::min_element(polite_locks.begin(), polite_locks.end());
  std::vector<double> all_ms;  // every polite wait for the lock, in engine ms
  for (const auto& w : waits)
    for (gor::Duration d : w) all_ms.push_back(std::chrono::duration<double, std::milli>(d).count());
  std::sort(all_ms.begin(), all_ms.end());
  auto pct = [&](double q) {
    if (all_ms.empty()) return 0.0;
    const size_t i = static_cast<size_t>(q * static_cast<double>(all_ms.size() - 1) + 0.5);
    return all_ms[std::min(i, all_ms.size() - 1)];
  };
  const double p50 = pct(0.50), p99 = pct(0.99), worst_ms = all_ms.empty() ? 0.0 : all_ms.back();
  // In starvation mode a waiter is served after at most the holder and the waiters queued
  // ahead of it: (polite + 1) holds, plus the 1 ms it waited before the mode switched.
  const double bound_ms = static_cast<double>(polite + 1) * std::chrono::duration<double, std::milli>(hold).count() + 1.0;
  out.say("greedy locked the mutex ", greedy_locks, " times; the ", polite, " polite goroutines took it ",
          fewest * polite, " times");
  out.say("polite waits for the lock: p50 ", fixed(p50, 2), " ms, p99 ", fixed(p99, 2), " ms, max ",
          fixed(worst_ms, 2), " ms (starvation threshold 1 ms; starvation mode bounds a wait near ",
          fixed(bound_ms, 1), " ms)");
  out.say("mode switches: ", mu.starving_switches(), " into starvation mode, ", mu.normal_switches(),
          " back to normal mode");
  out.set("greedy_locks", static_cast<double>(greedy_locks));
  out.set("polite_locks_min", static_cast<double>(fewest));
  out.set("polite_rounds", static_cast<double>(rounds));
  out.set("longest_wait_ms", worst_ms);
  out.set("wait_p50_ms", p50);
  out.set("wait_p99_ms", p99);
  out.set("wait_bound_ms", bound_ms);
  out.set("starving_switches", static_cast<double>(mu.starving_switches()));
  out.set("normal_switches", static_cast<double>(mu.normal_switches()));
}

}  // namespace

Sample mutex_starvation() {
  SampleInfo info;
  info.id = "mutex-starvation";
  info.title = "Mutex normal and starvation mode";
  info.topic = "sync";
  info.summary = "A greedy goroutine re-locks a mutex in a loop; polite ones still get it because the mutex switches to starvation mode.";
  info.explanation =
      "One greedy goroutine locks a mutex, sleeps while holding it (standing for slow work done under "
      "the lock) and unlocks it only to lock it again immediately. A few polite goroutines do a little "
      "work outside the lock and then need it briefly. The sample reports how often each side got the "
      "lock, the polite goroutines' waits for it (median, 99th percentile and maximum) and how often the "
      "mutex switched between its two modes.\n\n"
      "What to watch: in normal mode, unlock wakes the first waiter, but the woken goroutine still has "
      "to be scheduled and then compete with newcomers, and the greedy goroutine, already running, "
      "wins almost every time. When a waiter has waited more than 1 ms it flips the mutex into "
      "starvation mode: from then on unlock hands the mutex directly to the waiter at the head of the "
      "queue and newcomers, greedy included, queue at the tail. When the waiter that receives the "
      "mutex is the last one, or waited less than 1 ms, the mutex goes back to normal mode. So no "
      "polite wait grows much beyond the greedy hold times queued ahead of it: the maximum stays near "
      "the bound printed, where without starvation mode it could grow without limit.\n\n"
      "Under the hood this is Go's sync.Mutex since Go 1.9: normal mode gives throughput (a running "
      "goroutine can take the lock without a context switch), starvation mode bounds the tail latency. "
      "The state word holds the locked, woken and starving bits and the waiter count; waiters park on "
      "a semaphore, re-woken waiters go to the front of its queue.\n\n"
      "The pitfall is the greedy pattern itself: holding a lock across slow work (I/O, sleeps, channel "
      "operations) and re-locking in a tight loop. Starvation mode keeps the others alive but every "
      "hand-off costs a context switch. The fix is to shorten the critical section: copy what you need "
      "under the lock, do the slow part outside it.";
  info.default_procs = 2;
  info.suggested_dilation = 20;
  info.params = {
      int_param("polite", "Polite goroutines", "Goroutines that take the lock briefly now and then.", 3, 1, 32),
      int_param("rounds", "Rounds", "How many times each polite goroutine takes the lock.", 20, 1, 10000),
      int_param("hold-ms", "Hold (ms)", "How long the greedy goroutine holds the lock each time (engine ms).", 2, 1, 100),
  };
  return Sample{std::move(info), mutex_starvation_main};
}

}  // namespace goroscope::samples
