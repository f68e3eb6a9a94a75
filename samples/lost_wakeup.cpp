// lost_wakeup.cpp — check-then-wait: a waiter tests the condition, then waits for a signal
// that may already have been given.
//
//   racy:  if !ready { mu.Lock(); cond.Wait(); mu.Unlock() }     // the check is outside the lock
//          setter: ready = true; mu.Lock(); cond.Signal(); mu.Unlock()
//   fixed: mu.Lock(); for !ready { cond.Wait() }; mu.Unlock()    // check and wait under one lock
//          setter: mu.Lock(); ready = true; cond.Signal(); mu.Unlock()
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

void lost_wakeup_main(const SampleParams& p, SampleOutcome& out) {
  const bool racy = p.get_choice("variant") == "racy";
  const int64_t rounds = p.get_int("rounds");
  out.say(racy ? "racy" : "fixed", " variant: ", rounds, " rounds of one waiter and one setter");
  int64_t woken = 0;
  for (int64_t round = 1; round <= rounds; ++round) {
    gor::Mutex mu{"mu"};
    gor::Cond cond{mu, "cond"};
    gor::Shared<bool> ready{false, "ready"};
    gor::WaitGroup wg{"wg"};
    wg.add(2);
    gor::go_named("waiter", [&] {
      if (racy) {
        if (!ready.load()) {  // BUG: the setter may signal between this check and Wait
          mu.lock();
          cond.wait();  // waits for a signal that was already given: forever
          mu.unlock();
        }
      } else {
        mu.lock();
        while (!ready.load()) cond.wait();  // Wait unlocks mu atomically with going to sleep
        mu.unlock();
      }
      wg.done();
    });
    gor::go_named("setter", [&] {
      if (racy) {
        ready.store(true);
        mu.lock();
        cond.signal();
        mu.unlock();
      } else {
        mu.lock();
        ready.store(true);
        cond.signal();
        mu.unlock();
      }
      wg.done();
    });
    wg.wait();  // a lost wake-up leaves the waiter, and so main, asleep: Go's deadlock
    ++woken;
  }
  out.say("the waiter got past its wait in all ", woken, " rounds");
  out.set("rounds", static_cast<double>(woken));
}

}  // namespace

Sample lost_wakeup() {
  SampleInfo info;
  info.id = "lost-wakeup";
  info.title = "Lost wake-up: check, then wait";
  info.topic = "Races";
  info.summary = "A waiter checks a flag outside the lock, then waits on a Cond: a signal given in between is lost and it sleeps forever.";
  info.explanation =
      "A waiter goroutine needs `ready` to be true. In the racy variant it checks `ready` first and, "
      "if it is false, locks the mutex and calls cond.Wait(). The setter sets `ready` and signals the "
      "Cond under the mutex. In the fixed variant the waiter checks `ready` with the mutex held, in a "
      "loop around Wait, and the setter sets it under the mutex too.\n\n"
      "What to watch: nearly every schedule is fine: the waiter either sees `ready` already true or "
      "is asleep in Wait when the signal comes. The failing schedule is narrow: the waiter reads "
      "`ready` = false, then the setter runs its store and its Signal before the waiter reaches Wait. "
      "Nobody is waiting when the signal comes, so it is lost; the waiter then sleeps forever, main "
      "blocks in wg.Wait, and Go ends the program with `fatal error: all goroutines are asleep - "
      "deadlock!`. A normal run at default settings almost never hits it; `goroscope-cli explore "
      "lost-wakeup` finds it (strategy pct, seed 1: in 4 of 1,000 runs, the first at run 450), shrinks "
      "it to two forced preemptions and shows the schedule: the waiter reads `ready` = false and is "
      "switched out, the setter runs its store and Signal, then the waiter locks and waits. The "
      "explorer's other outcome is the data race on `ready`: the check outside the lock is one.\n\n"
      "Under the hood Cond.Wait unlocks the mutex and parks the goroutine as one step; the condition "
      "is only meaningful if it is tested while holding the same mutex, so that a setter (which needs "
      "the mutex to signal) cannot slip in between the test and the wait. Go's documentation says to "
      "call Wait in a loop: `for !condition() { c.Wait() }`.\n\n"
      "The fix: test the condition under the lock, in a loop around Wait, and change it under the "
      "lock. Simpler still in Go: close a channel to say \"ready\", and receive from it.";
  info.default_procs = 2;
  info.suggested_dilation = 50;
  info.params = {
      choice_param("variant", "Variant", "racy: check outside the lock, then wait; fixed: check and wait under the lock.",
                   {"racy", "fixed"}),
      int_param("rounds", "Rounds", "How many waiter/setter pairs run, one after another.", 3, 1, 1000),
  };
  return Sample{std::move(info), lost_wakeup_main};
}

}  // namespace goroscope::samples
