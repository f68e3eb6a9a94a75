// partial_deadlock.cpp — two goroutines lock two mutexes in opposite orders (AB/BA) and wait
// for each other forever while the rest of the program keeps running: Go never reports it;
// Goroscope's partial-deadlock detector names the cycle.
//
//   go func() { accounts.Lock(); ...; ledger.Lock() }()   // transfer 1: A then B
//   go func() { ledger.Lock(); ...; accounts.Lock() }()   // transfer 2: B then A  (BUG)
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

// Bank is what the transfers share. It lives on the heap, held by every goroutine that uses
// it: in the buggy variant main returns while the transfers are still blocked, and when the
// run ends they are unwound, unlocking `accounts` and `ledger` on the way out.
struct Bank {
  gor::Mutex accounts{"accounts"};
  gor::Mutex ledger{"ledger"};
  gor::WaitGroup both_hold{"both hold their first lock"};
  std::atomic<int> transfers_done{0};
};

// transfer() takes `first`, then `second`. In the buggy variant the two transfers meet once
// each holds its first lock (both_hold), so the AB/BA cycle closes on every run.
// The locks are taken with lock() here, not std::lock_guard, so that the app shows this
// file's lines as the blocking sites (a lock_guard would show its own constructor's).
// A transfer stuck in the cycle is unwound when the run ends, still holding `first`: nobody
// needs it any more.
void transfer(Bank& bank, gor::Mutex& first, gor::Mutex& second, bool buggy) {
  first.lock();
  if (buggy) {
    bank.both_hold.done();
    bank.both_hold.wait();
  } else {
    gor::sleep(std::chrono::milliseconds(5));  // the other transfer queues on `first`
  }
  second.lock();  // buggy: blocks forever, the other transfer holds `second` and wants `first`
  bank.transfers_done.fetch_add(1);
  second.unlock();
  first.unlock();
}

void partial_deadlock_main(const SampleParams& p, SampleOutcome& out) {
  const bool buggy = p.get_choice("variant") == "buggy";
  const int64_t ticks = p.get_int("ticks");

  auto bank = std::make_shared<Bank>();
  out.say(buggy ? "buggy" : "fixed", " variant: two transfers lock accounts and ledger ",
          buggy ? "in opposite orders" : "in the same order", "; a reporter keeps working");
  if (buggy) bank->both_hold.add(2);
  gor::log(buggy ? "transfers start: accounts->ledger and ledger->accounts"
                 : "transfers start: both accounts->ledger");
  gor::go_named("transfer 1", [bank, buggy] { transfer(*bank, bank->accounts, bank->ledger, buggy); });
  gor::go_named("transfer 2", [bank, buggy] {
    if (buggy) {
      transfer(*bank, bank->ledger, bank->accounts, buggy);  // BUG: the opposite order
    } else {
      transfer(*bank, bank->accounts, bank->ledger, buggy);  // the fix: one global lock order
    }
  });

  // The rest of the program is fine: a reporter keeps ticking while the transfers are stuck.
  auto done = gor::make_chan<int64_t>(0, "reporter done");
  gor::go_named("reporter", [done, ticks] {
    int64_t n = 0;
    for (; n < ticks; ++n) gor::sleep(std::chrono::milliseconds(20));
    done.send(n);
  });
  const int64_t reported = done.recv();
  gor::log("reporter done");
  if (!buggy) gor::sleep(std::chrono::milliseconds(20));  // the transfers finish in ~10 ms
  const int finished = bank->transfers_done.load();
  out.say("reporter ticked ", reported, " times; transfers done: ", finished, " of 2");
  out.set("ticks", static_cast<double>(reported));
  out.set("transfers_done", static_cast<double>(finished));
  // Buggy: main returns with both transfers still blocked (the run counts them as leaked).
}

}  // namespace

Sample partial_deadlock() {
  SampleInfo info;
  info.id = "partial-deadlock";
  info.title = "Partial deadlock (AB/BA)";
  info.topic = "Deadlocks";
  info.summary = "Two transfers lock two mutexes in opposite orders and wait for each other forever while the rest of the program runs; the detector names the cycle.";
  info.explanation =
      "Two transfer goroutines each need two mutexes, `accounts` and `ledger`. The first takes "
      "accounts, then ledger; the second, in the buggy variant, takes ledger, then accounts. Once each "
      "holds its first lock, each waits in `sync.Mutex.Lock` for the lock the other holds: a cycle in "
      "the wait-for graph that nothing can ever break. Meanwhile a reporter goroutine keeps ticking "
      "and main waits for it, so the program as a whole is not stuck.\n\n"
      "What to watch: both transfers park on the mutexes and stay there; the reporter keeps running "
      "on the Ps. Go's runtime only reports a deadlock when every goroutine is asleep, so here it says "
      "nothing: the two goroutines simply leak. Goroscope's partial-deadlock detector (sysmon looks "
      "every 50 ms while goroutines wait on mutexes) finds the cycle and names it: which goroutine "
      "waits for which mutex, held by whom. The app shows it in a banner and highlights both.\n\n"
      "The fix is a global lock order: every goroutine that needs both takes accounts before ledger. "
      "In the fixed variant the second transfer queues behind the first and both complete.";
  info.default_procs = 2;
  info.suggested_dilation = 10;
  info.params = {
      choice_param("variant", "Variant", "buggy: opposite lock orders (AB/BA); fixed: one lock order.",
                   {"buggy", "fixed"}),
      int_param("ticks", "Reporter ticks", "How many 20 ms steps the reporter works while the transfers run.", 15,
                4, 1000),
  };
  return Sample{std::move(info), partial_deadlock_main};
}

}  // namespace goroscope::samples
