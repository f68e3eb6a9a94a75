// chan_mutex.cpp — a buffered channel of capacity 1 used as a mutex, next to sync.Mutex.
//
//   sem := make(chan struct{}, 1)
//   sem <- struct{}{}; counter++; <-sem          // lock = send a token, unlock = take it back
//   mu.Lock(); counter++; mu.Unlock()            // the same with sync.Mutex
#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

void chan_mutex_main(const SampleParams& p, SampleOutcome& out) {
  const bool use_chan = p.get_choice("variant") == "chan";
  const int goroutines = static_cast<int>(p.get_int("goroutines"));
  const int64_t rounds = p.get_int("rounds");
  const auto hold = std::chrono::microseconds(p.get_int("hold-us"));

  auto sem = gor::make_chan<gor::Unit>(1, "sem");
  gor::Mutex mu{"mu"};
  int64_t counter = 0;  // guarded by the lock in use
  std::vector<gor::Duration> worst(static_cast<size_t>(goroutines), gor::Duration{0});
  gor::WaitGroup wg{"wg"};
  const gor::TimePoint start = gor::now();
  for (int g = 0; g < goroutines; ++g) {
    wg.go([&, g] {
      for (int64_t r = 0; r < rounds; ++r) {
        const gor::TimePoint t0 = gor::now();
        if (use_chan) sem.send(gor::Unit{}); else mu.lock();  // lock
        worst[static_cast<size_t>(g)] = std::max(worst[static_cast<size_t>(g)], gor::now() - t0);
        ++counter;
        gor::sleep(hold);  // a little work under the lock, so the others queue
        if (use_chan) (void)sem.recv(); else mu.unlock();  // unlock
      }
    });
  }
  wg.wait();
  const double elapsed_ms = std::chrono::duration<double, std::milli>(gor::now() - start).count();
  const gor::Duration w = *std::max_element(worst.begin(), worst.end());
  const double worst_ms = std::chrono::duration<double, std::milli>(w).count();
  const int64_t expected = rounds * goroutines;
  out.say(use_chan ? "channel of capacity 1" : "sync.Mutex", ": ", goroutines, " goroutines x ", rounds,
          " locked increments -> counter ", counter, " (expected ", expected, ")");
  out.say("took ", fixed(elapsed_ms, 1), " ms (engine time); longest wait for the lock ", fixed(worst_ms, 2), " ms");
  out.set("counter", static_cast<double>(counter));
  out.set("expected", static_cast<double>(expected));
  out.set("elapsed_ms", elapsed_ms);
  out.set("longest_wait_ms", worst_ms);
}

}  // namespace

Sample chan_mutex() {
  SampleInfo info;
  info.id = "chan-mutex";
  info.title = "A channel as a mutex";
  info.topic = "sync";
  info.summary = "A buffered channel of capacity 1 works as a mutex (send locks, receive unlocks); sync.Mutex does the same job more cheaply.";
  info.explanation =
      "Several goroutines increment one counter, each holding a lock for a moment around the "
      "increment. In the chan variant the lock is a channel with a buffer of one: sending a token "
      "locks (a second sender blocks while the buffer is full), receiving it back unlocks. In the "
      "mutex variant it is a sync.Mutex. Both count exactly: the channel's buffer makes the "
      "increments mutually exclusive, and its send happens before the next receive, which orders "
      "the memory accesses just as Unlock happens before the next Lock.\n\n"
      "What to watch: with the channel, waiting goroutines park in `chan send` on the `sem` card, "
      "queued in FIFO order, and each unlock (a receive) moves the first blocked sender's token "
      "into the buffer and wakes it: strict turn-taking. With the mutex they park in "
      "`sync.Mutex.Lock`; an unlocking goroutine that wants the lock again may take it back before "
      "the woken waiter runs (normal mode), until a waiter has waited over 1 ms and the mutex "
      "switches to starvation mode (see the mutex-starvation sample).\n\n"
      "Under the hood a channel operation takes the channel's lock, copies the element and "
      "manages two wait queues; an uncontended Mutex.Lock is one atomic compare-and-swap. So the "
      "mutex is the cheaper lock, and the channel's strength is elsewhere: it can be used in a "
      "select (a lock with a timeout or a cancellation case) and generalises to a counting "
      "semaphore with a bigger buffer.\n\n"
      "The pitfall is using a channel as a lock by reflex: prefer sync.Mutex for plain mutual "
      "exclusion, and channels for passing ownership of data. Either way, keep the critical "
      "section short.";
  info.default_procs = 2;
  info.suggested_dilation = 20;
  info.params = {
      choice_param("variant", "Variant", "chan: a buffered channel of capacity 1 as the lock; mutex: a sync.Mutex.",
                   {"chan", "mutex"}),
      int_param("goroutines", "Goroutines", "Goroutines taking the lock.", 4, 1, 64),
      int_param("rounds", "Rounds", "Locked increments per goroutine.", 20, 1, 100000),
      int_param("hold-us", "Hold (us)", "Time spent under the lock each time (engine microseconds).", 200, 0, 100000),
  };
  return Sample{std::move(info), chan_mutex_main};
}

}  // namespace goroscope::samples
