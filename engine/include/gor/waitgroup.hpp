// waitgroup.hpp — gor::WaitGroup, Go's sync.WaitGroup (sync/waitgroup.go) on the engine.
#pragma once

#include <atomic>
#include <cstdint>
#include <source_location>
#include <utility>

#include "gor/detail/object_id.hpp"
#include "gor/detail/race.hpp"
#include "gor/detail/sema.hpp"
#include "gor/runtime.hpp"

namespace gor {

// WaitGroup waits for a collection of goroutines to finish: add(n) before starting them,
// done() in each, wait() until the counter is zero. Neither copyable nor movable.
//
// It may be destroyed as soon as wait() returns (a WaitGroup on main's stack): the counter
// and the waiter count share one 64-bit atomic, the goroutine whose add() brings the
// counter to zero with waiters present releases them all in one critical section and then
// touches only its locals, and a waiter that counted itself returns only once released.
// Misuse panics (gor::Panic) with Go's texts: "sync: negative WaitGroup counter",
// "sync: WaitGroup misuse: Add called concurrently with Wait",
// "sync: WaitGroup is reused before previous Wait has returned".
class WaitGroup {
 public:
  WaitGroup() = default;
  // WaitGroup(name) names it for dumps, snapshots and traces; it is registered at once.
  explicit WaitGroup(const char* name) noexcept { oid_.name(detail::ObjectKind::WaitGroup, this, name); }
  ~WaitGroup() {
    oid_.release();
    if (detail::race_active()) [[unlikely]] detail::race_free_sync(this);
  }
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  // add() adds delta (which may be negative) to the counter; at zero, waiters are released.
  void add(int64_t delta);
  // done() is add(-1).
  void done() { add(-1); }
  // wait() parks ("sync.WaitGroup.Wait") until the counter is zero.
  void wait(std::source_location where = std::source_location::current());

  // go() is Go 1.25's wg.Go(f): add(1), then f in a new goroutine (created at `where`), then
  // done() when f returns. As in Go 1.26, a panic (exception) in f propagates without done(),
  // so wait() cannot return before the panic ends the run.
  template <class F>
  void go(F&& f, std::source_location where = std::source_location::current()) {
    add(1);
    gor::go([this, fn = std::forward<F>(f)]() mutable {
      fn();
      done();
    }, where);
  }

 private:
  friend struct detail::Inspector;
  // state_: high 32 bits the counter, low 32 bits the number of waiters.
  std::atomic<uint64_t> state_{0};
  detail::Sema sema_;
  detail::ObjectId oid_;
};

}  // namespace gor
