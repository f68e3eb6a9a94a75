// sema.hpp — the sync package's semaphore (Go's runtime/sema.go), the blocking half of
// Mutex, RWMutex and WaitGroup. Internal API.
//
// Unlike Go's semaphore (one global table of queues, safe because Go has a GC), a Sema
// lives inside its sync object, so it is built to survive the object's destruction right
// after a wait returns: the token count and the FIFO of waiters are guarded by one
// RuntimeLock; release() hands a token to the front waiter (or banks it) under the lock,
// unlocks, and only then readies the waiter. A goroutine gets past acquire() only by
// taking a token under the lock or by being readied, so it never returns while a
// releaser still touches the Sema.
#pragma once

#include <cstdint>
#include <source_location>

#include "gor/detail/park.hpp"

namespace gor::detail {

// SemaWaiter is one goroutine blocked in Sema::acquire; it lives on that goroutine's stack.
struct SemaWaiter {
  G* g = nullptr;
  int64_t since = 0;    // engine ns the wait began (0: unknown; then the G's block time)
  SemaWaiter* next = nullptr;
  SemaWaiter* prev = nullptr;
  bool linked = false;  // in the queue (guarded by the Sema's lock)
};

// Sema is a counting semaphore with a FIFO wait queue (Go's semacquire/semrelease).
class Sema {
 public:
  Sema() = default;
  Sema(const Sema&) = delete;
  Sema& operator=(const Sema&) = delete;

  // acquire() takes one token, parking (reason, object id, where) until one is released.
  // lifo queues the goroutine at the front (Go's semacquire lifo, for a re-woken mutex waiter).
  // since is when the caller began waiting (shown in snapshots; 0: now).
  void acquire(WaitReason reason, uint64_t object, std::source_location where, bool lifo = false,
               int64_t since = 0);

  // for_each_waiter() calls f(const SemaWaiter&) front first, under the lock (snapshots).
  template <class F>
  void for_each_waiter(F&& f) const {
    lock_.lock();
    for (const SemaWaiter* w = head_; w; w = w->next) f(*w);
    lock_.unlock();
  }

  // release() adds one token: the front waiter, if any, gets it directly and is readied.
  // handoff (Go's starvation-mode semrelease) then yields so that the waiter runs at once.
  // After the waiter is readied the Sema is not touched again.
  void release(bool handoff = false);

  // release_n() releases n tokens in one critical section (RWMutex.Unlock, WaitGroup).
  void release_n(uint32_t n);

 private:
  mutable RuntimeLock lock_;
  uint32_t count_ = 0;         // banked tokens (released while nobody was queued)
  SemaWaiter* head_ = nullptr; // FIFO of waiters
  SemaWaiter* tail_ = nullptr;
};

}  // namespace gor::detail
