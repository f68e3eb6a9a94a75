// cond.hpp — gor::Cond, Go's sync.Cond (with the runtime's notifyList) on the engine.
#pragma once

#include <atomic>
#include <cstdint>
#include <source_location>

#include "gor/detail/park.hpp"
#include "gor/detail/race.hpp"
#include "gor/mutex.hpp"

namespace gor {

// Cond is a condition variable bound to a gor::Mutex. wait() unlocks the mutex, parks
// ("sync.Cond.Wait") and relocks it before returning; signal() wakes the goroutine that has
// waited longest, broadcast() all waiting goroutines. Go's ticket semantics: every wait()
// takes a ticket before unlocking the mutex, and a signal only wakes a goroutine whose
// ticket predates it (no lost or stolen wakeups). signal/broadcast need not hold the mutex.
// Neither copyable nor movable. The Cond may be destroyed once no goroutine waits on it:
// a waker's last touch is releasing the Cond's lock, before it readies anyone.
class Cond {
 public:
  explicit Cond(Mutex& m) : mu_(m) {}
  // Cond(m, name) names it for dumps, snapshots and traces; it is registered at once.
  Cond(Mutex& m, const char* name) noexcept : mu_(m) { oid_.name(detail::ObjectKind::Cond, this, name); }
  ~Cond() {
    oid_.release();
    if (detail::race_active()) [[unlikely]] detail::race_free_sync(this);
  }
  Cond(const Cond&) = delete;
  Cond& operator=(const Cond&) = delete;

  // wait() atomically unlocks the mutex and parks; relocks it after being woken.
  void wait(std::source_location where = std::source_location::current());
  // signal() wakes one waiter, if any.
  void signal();
  // broadcast() wakes all waiters.
  void broadcast();

  // mutex() is the associated mutex (Go's c.L).
  Mutex& mutex() const noexcept { return mu_; }

  struct Waiter;  // a goroutine parked in wait(), on its stack (cond.cpp)

 private:
  friend struct detail::Inspector;
  Mutex& mu_;
  std::atomic<uint32_t> wait_{0};    // ticket of the next waiter (Go's notifyList.wait)
  std::atomic<uint32_t> notify_{0};  // ticket of the next waiter to notify (guarded by lock_ for writes)
  detail::RuntimeLock lock_;
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
  detail::ObjectId oid_;
};

}  // namespace gor
