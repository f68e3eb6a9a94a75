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
  std::vector<gor::Duration> longest_wait(static_cast<size_t>(polite), gor::Duration{0});
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
        longest_wait[slot] = std::max(longest_wait[slot], gor::now() - t0);
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
  const gor::Duration worst = *std::max_element(longest_wait.begin(), longest_wait.end());
  const double worst_ms = std::chrono::duration<double, std::milli>(worst).count();
  out.say("greedy locked the mutex ", greedy_locks, " times; each of ", polite, " polite goroutines got it ",
          fewest == rounds ? "all " : "only ", fewest, " of ", rounds, " times");
  out.say("longest wait of a polite goroutine: ", fixed(worst_ms, 2), " ms (starvation threshold: 1 ms)");
  out.say("mode switches: ", mu.starving_switches(), " into starvation mode, ", mu.normal_switches(),
          " back to normal mode");
  out.set("greedy_locks", static_cast<double>(greedy_locks));
  out.set("polite_locks_min", static_cast<double>(fewest));
  out.set("polite_rounds", static_cast<double>(rounds));
  out.set("longest_wait_ms", worst_ms);
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
      "lock and how often the mutex switched between its two modes.\n\n"
      "What to watch: in normal mode, unlock wakes the first waiter, but the woken goroutine still has "
      "to be scheduled and then compete with newcomers, and the greedy goroutine, already running, "
      "wins almost every time. When a waiter has waited more than 1 ms it flips the mutex into "
      "starvation mode: from then on unlock hands the mutex directly to the waiter at the head of the "
      "queue and newcomers, greedy included, queue at the tail. When the waiter that receives the "
      "mutex is the last one, or waited less than 1 ms, the mutex goes back to normal mode.\n\n"
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
