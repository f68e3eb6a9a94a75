// rwmutex.hpp — gor::RWMutex, Go's sync.RWMutex (sync/rwmutex.go) on the engine.
#pragma once

#include <atomic>
#include <cstdint>
#include <source_location>

#include "gor/detail/sema.hpp"
#include "gor/mutex.hpp"

namespace gor {

// RWMutex is a reader/writer lock held by any number of readers or one writer, with Go's
// writer preference: once a writer waits in lock(), new readers block (rlock parks,
// try_rlock fails) until that writer has had the lock, so a writer is never starved by a
// stream of overlapping readers. Writers exclude each other with an internal Mutex.
//
// Besides Go's names it offers lock_shared/unlock_shared/try_lock_shared, so
// std::shared_lock works, and lock/unlock/try_lock for std::unique_lock/lock_guard.
// Neither copyable nor movable. RUnlock/Unlock of an unlocked RWMutex is a fatal error
// ("sync: RUnlock of unlocked RWMutex", "sync: Unlock of unlocked RWMutex").
class RWMutex {
 public:
  RWMutex() = default;
  // RWMutex(name) names it for dumps, snapshots and traces; it is registered at once.
  explicit RWMutex(const char* name) noexcept { oid_.name(detail::ObjectKind::RWMutex, this, name); }
  // ~RWMutex() waits until a concurrent unlock() has finished touching the object (see
  // unlock()), so a reader may destroy the RWMutex as soon as its runlock() returned.
  ~RWMutex();
  RWMutex(const RWMutex&) = delete;
  RWMutex& operator=(const RWMutex&) = delete;

  // rlock() locks for reading; parks ("sync.RWMutex.RLock") while a writer holds or waits.
  void rlock(std::source_location where = std::source_location::current()) {
    if (reader_count_.fetch_add(1, std::memory_order_acquire) + 1 < 0) {
      // A writer is pending: wait for it (Go's semacquireRWMutexR).
      reader_sem_.acquire(detail::WaitReason::RWMutexRLock, oid_.get(detail::ObjectKind::RWMutex, this), where);
    }
    // Go's race annotations: a reader acquires from the last writer's unlock.
    if (detail::race_active()) [[unlikely]] detail::race_acquire(&reader_sem_, 0, detail::race_tag(detail::RaceEdge::RWMutex, oid_, detail::ObjectKind::RWMutex, this));
  }
  // try_rlock() locks for reading if no writer holds or waits for the lock.
  bool try_rlock() noexcept;
  // runlock() undoes one rlock().
  void runlock() {
    // Every reader's unlock happens before the next writer's lock (merged).
    if (detail::race_active()) [[unlikely]] detail::race_release_merge(&writer_sem_, 0, detail::race_tag(detail::RaceEdge::RWMutexRead, oid_, detail::ObjectKind::RWMutex, this));
    const int32_t r = reader_count_.fetch_sub(1, std::memory_order_release) - 1;
    if (r < 0) runlock_slow(r);
  }

  // lock() locks for writing; parks ("sync.Mutex.Lock", as in Go) behind the other writers
  // and then ("sync.RWMutex.Lock") for the active readers to leave.
  void lock(std::source_location where = std::source_location::current());
  // try_lock() locks for writing if nobody holds the lock.
  bool try_lock() noexcept;
  // unlock() unlocks for writing and lets the readers that queued behind the writer in.
  void unlock();

  // id() is the object id, 0 while it is not watched (see detail/object_id.hpp).
  uint64_t id() const noexcept { return oid_.peek(); }

  void lock_shared(std::source_location where = std::source_location::current()) { rlock(where); }
  bool try_lock_shared() noexcept { return try_rlock(); }
  void unlock_shared() { runlock(); }

 private:
  static constexpr int32_t kMaxReaders = 1 << 30;  // Go's rwmutexMaxReaders

  friend struct detail::Inspector;
  void runlock_slow(int32_t r);

  Mutex w_;                            // held while writers are pending
  detail::Sema writer_sem_;            // writer waits for the departing readers
  detail::Sema reader_sem_;            // readers wait for the writer
  std::atomic<int32_t> reader_count_{0};  // readers; minus kMaxReaders while a writer is pending
  std::atomic<int32_t> reader_wait_{0};   // departing readers the pending writer still waits for
  std::atomic<int32_t> unlocking_{0};     // writers inside unlock() (read by the destructor)
  detail::ObjectId oid_;
};

}  // namespace gor
