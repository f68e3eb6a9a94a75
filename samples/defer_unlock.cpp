// defer_unlock.cpp — `mu.Lock(); defer mu.Unlock()`: the unlock runs on every way out.
//
//   manual: mu.Lock(); if bad(x) { return errBad }  // BUG: returns with the mutex held
//           total += x; mu.Unlock()
//   defer:  mu.Lock(); defer mu.Unlock(); if bad(x) { return errBad }; total += x
//   (C++: std::lock_guard, whose destructor is the deferred Unlock, on return and on panic)
#include <atomic>
#include <mutex>
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

struct Account {
  gor::Mutex mu{"account"};
  int64_t total = 0;     // guarded by mu
  int64_t rejected = 0;  // guarded by mu
};

// add_manual() unlocks by hand, and forgets to on the early return.
bool add_manual(Account& a, int64_t x) {
  a.mu.lock();
  if (x % 7 == 0) {
    ++a.rejected;
    return false;  // BUG: the mutex stays locked
  }
  a.total += x;
  a.mu.unlock();
  return true;
}

// add_deferred() is Go's `mu.Lock(); defer mu.Unlock()`: std::lock_guard unlocks on every way
// out, an early return or a panic (a C++ exception) alike.
bool add_deferred(Account& a, int64_t x) {
  std::lock_guard<gor::Mutex> unlock_on_exit(a.mu);
  if (x % 7 == 0) {
    ++a.rejected;
    return false;
  }
  if (x % 11 == 0) throw gor::Panic("amount " + std::to_string(x) + " overflows");  // recovered by the caller
  a.total += x;
  return true;
}

void defer_unlock_main(const SampleParams& p, SampleOutcome& out) {
  const bool deferred = p.get_choice("variant") == "defer";
  const int workers = static_cast<int>(p.get_int("workers"));
  const int64_t amounts = p.get_int("amounts");

  Account acct;
  std::atomic<int64_t> recovered{0};
  gor::WaitGroup wg{"wg"};
  out.say(deferred ? "defer" : "manual", " variant: ", workers, " workers add ", amounts,
          " amounts each; multiples of 7 are rejected with an early return");
  for (int w = 0; w < workers; ++w) {
    wg.go([&, w] {
      for (int64_t i = 1; i <= amounts; ++i) {
        const int64_t x = w * amounts + i;
        if (!deferred) {
          (void)add_manual(acct, x);
          continue;
        }
        try {
          (void)add_deferred(acct, x);
        } catch (const gor::Panic&) {  // Go: defer func() { recover() }() in the caller
          recovered.fetch_add(1);
        }
      }
    });
  }
  wg.wait();  // manual: never returns once a rejection left the mutex locked
  std::lock_guard<gor::Mutex> g(acct.mu);
  out.say("total ", acct.total, ", ", acct.rejected, " rejected, ", recovered.load(),
          " panics recovered with the mutex released");
  out.set("rejected", static_cast<double>(acct.rejected));
  out.set("recovered", static_cast<double>(recovered.load()));
  out.set("total", static_cast<double>(acct.total));
}

}  // namespace

Sample defer_unlock() {
  SampleInfo info;
  info.id = "defer-unlock";
  info.title = "defer mu.Unlock()";
  info.topic = "sync";
  info.summary = "An early return that skips a manual Unlock leaves the mutex locked and deadlocks everyone; defer (RAII in C++) unlocks on every way out.";
  info.explanation =
      "Workers add amounts to a shared account under a mutex. Amounts that are multiples of 7 are "
      "rejected with an early return. In the manual variant the function calls Unlock by hand at "
      "its end, so the early return leaves the mutex locked. In the defer variant the function "
      "writes `mu.Lock(); defer mu.Unlock()`; in C++ that is a std::lock_guard, whose destructor "
      "is the deferred call. Some amounts (multiples of 11) also panic inside the critical "
      "section, and the caller recovers.\n\n"
      "What to watch: in the manual run the first rejection returns with the mutex held. Every "
      "other worker then parks in `sync.Mutex.Lock` for good, main parks in "
      "`sync.WaitGroup.Wait`, and the runtime ends the program with `fatal error: all goroutines "
      "are asleep - deadlock!`. In the defer run the rejections and even the panics release the "
      "mutex: the deferred Unlock runs while the panic unwinds, before the caller's recover.\n\n"
      "Under the hood Go runs deferred calls when the function returns by any path, including a "
      "panic; C++ runs destructors on the same paths (stack unwinding). Go's Mutex is not tied to "
      "a goroutine, so nothing notices a lock left held except the goroutines that wait for it.\n\n"
      "The habit that avoids it: put `defer mu.Unlock()` right after `mu.Lock()`, and keep the "
      "function short enough that holding the lock to its end is what you want.";
  info.default_procs = 2;
  info.suggested_dilation = 20;
  info.params = {
      choice_param("variant", "Variant", "manual: Unlock by hand, skipped by an early return; defer: std::lock_guard.",
                   {"manual", "defer"}),
      int_param("workers", "Workers", "Goroutines adding amounts.", 3, 1, 64),
      int_param("amounts", "Amounts", "Amounts each worker adds.", 20, 1, 100000),
  };
  return Sample{std::move(info), defer_unlock_main};
}

}  // namespace goroscope::samples
