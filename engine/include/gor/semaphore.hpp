// semaphore.hpp — gor::Semaphore, a weighted semaphore like golang.org/x/sync/semaphore.
#pragma once

#include <cstdint>
#include <source_location>

#include "gor/detail/object_id.hpp"
#include "gor/detail/race.hpp"
#include "gor/detail/park.hpp"

namespace gor {

// Semaphore is a weighted semaphore of fixed capacity. acquire(n) takes n units, parking
// in FIFO order ("select", as x/sync's Acquire waits in a select): a queued large request is
// never overtaken by later small ones, and try_acquire fails while anyone waits.
// acquire(n > capacity) parks forever in "chan receive (nil chan)" (x/sync's `<-ctx.Done()`
// with a context that is never done). Releasing more than held panics (gor::Panic)
// with "semaphore: released more than held". Neither copyable nor movable. A waiter is
// granted its units under the lock and readied after the releaser's last touch, so the
// Semaphore may be destroyed as soon as acquire returns.
class Semaphore {
 public:
  explicit Semaphore(int64_t capacity) : size_(capacity) {}
  // Semaphore(capacity, name) names it for dumps, snapshots and traces; registered at once.
  Semaphore(int64_t capacity, const char* name) noexcept : size_(capacity) {
    oid_.name(detail::ObjectKind::Semaphore, this, name, static_cast<uint64_t>(capacity));
  }
  ~Semaphore() {
    oid_.release();
    if (detail::race_active()) [[unlikely]] detail::race_free_sync(this);
  }
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // acquire() takes n units, parking until they are available and earlier waiters are served.
  void acquire(int64_t n = 1, std::source_location where = std::source_location::current());
  // try_acquire() takes n units if available and nobody waits; never parks.
  bool try_acquire(int64_t n = 1) noexcept;
  // release() returns n units and grants queued requests, front first, while they fit.
  void release(int64_t n = 1);

  // capacity() is the total weight.
  int64_t capacity() const noexcept { return size_; }

  struct Waiter;  // a goroutine parked in acquire(), on its stack (semaphore.cpp)

 private:
  friend struct detail::Inspector;
  uint64_t object_id() noexcept;
  // trace_value() records the units held now (an ObjectValue event) when id != 0 (a traced run).
  // Called with lock_ held, so the events follow the changes in order.
  void trace_value(uint64_t id) noexcept;
  const int64_t size_;
  int64_t cur_ = 0;  // units held, guarded by lock_
  detail::RuntimeLock lock_;
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
  detail::ObjectId oid_;
};

}  // namespace gor
