// rwmutex.cpp — gor::RWMutex, a port of Go 1.19's sync/rwmutex.go.
#include "gor/rwmutex.hpp"

#include <thread>

#include "gor/panic.hpp"
#include "gor/runtime.hpp"

namespace gor {

bool RWMutex::try_rlock() noexcept {
  int32_t c = reader_count_.load(std::memory_order_relaxed);
  for (;;) {
    if (c < 0) return false;  // a writer holds or waits
    if (reader_count_.compare_exchange_weak(c, c + 1, std::memory_order_acquire, std::memory_order_relaxed)) {
      if (detail::race_active()) [[unlikely]] detail::race_acquire(&reader_sem_, 0, detail::race_tag(detail::RaceEdge::RWMutex, oid_, detail::ObjectKind::RWMutex, this));
      return true;
    }
  }
}

void RWMutex::runlock_slow(int32_t r) {
  if (r + 1 == 0 || r + 1 == -kMaxReaders) detail::fatal("sync: RUnlock of unlocked RWMutex");
  // A writer is pending. The last departing reader unblocks it; the writer cannot return
  // before that token, so the RWMutex is alive for the release.
  if (reader_wait_.fetch_sub(1, std::memory_order_acq_rel) - 1 == 0) writer_sem_.release();
}

void RWMutex::lock(std::source_location where) {
  // First, resolve competition with other writers: Go's rw.w.Lock(), so a writer queued
  // behind another writer waits in "sync.Mutex.Lock"; only the wait for readers to drain
  // below is "sync.RWMutex.Lock" (Go 1.26's semacquireRWMutex).
  w_.lock_as(detail::WaitReason::MutexLock, oid_, detail::ObjectKind::RWMutex, this, where);
  // Announce to readers there is a pending writer.
  const int32_t r = reader_count_.fetch_sub(kMaxReaders, std::memory_order_acq_rel);
  // Wait for active readers.
  if (r != 0 && reader_wait_.fetch_add(r, std::memory_order_acq_rel) + r != 0)
    writer_sem_.acquire(detail::WaitReason::RWMutexLock, oid_.get(detail::ObjectKind::RWMutex, this), where);
  if (detail::race_active()) [[unlikely]] {  // after the last writer and every reader before us
    detail::race_acquire(&reader_sem_, 0, detail::race_tag(detail::RaceEdge::RWMutex, oid_, detail::ObjectKind::RWMutex, this));
    detail::race_acquire(&writer_sem_, 0, detail::race_tag(detail::RaceEdge::RWMutexRead, oid_, detail::ObjectKind::RWMutex, this));
  }
  if (detail::tracing_active()) [[unlikely]]
    detail::trace_mutex_op(oid_, detail::ObjectKind::RWMutex, this, true);
}

bool RWMutex::try_lock() noexcept {
  if (!w_.try_lock_raw()) return false;
  int32_t zero = 0;
  if (!reader_count_.compare_exchange_strong(zero, -kMaxReaders, std::memory_order_acquire,
                                             std::memory_order_relaxed)) {
    w_.unlock_raw();
    return false;
  }
  w_.holder_.store(detail::current_goid(), std::memory_order_relaxed);
  if (detail::race_active()) [[unlikely]] {
    detail::race_acquire(&reader_sem_, 0, detail::race_tag(detail::RaceEdge::RWMutex, oid_, detail::ObjectKind::RWMutex, this));
    detail::race_acquire(&writer_sem_, 0, detail::race_tag(detail::RaceEdge::RWMutexRead, oid_, detail::ObjectKind::RWMutex, this));
  }
  if (detail::tracing_active()) [[unlikely]]
    detail::trace_mutex_op(oid_, detail::ObjectKind::RWMutex, this, true);
  return true;
}

void RWMutex::unlock() {
  // As in Go, a reader arriving right after the add below can take (and release) the lock
  // while we still release reader_sem_ and w_. Go's GC keeps the object alive meanwhile;
  // here `unlocking_` does: the destructor waits for it to drop to zero, which is this
  // function's last touch of the object.
  struct Unlocking {
    std::atomic<int32_t>& n;
    explicit Unlocking(std::atomic<int32_t>& counter) : n(counter) { n.fetch_add(1, std::memory_order_relaxed); }
    ~Unlocking() { n.fetch_sub(1, std::memory_order_release); }  // the last touch, even on a throw
  } unlocking(unlocking_);
  if (detail::tracing_active()) [[unlikely]]
    detail::trace_mutex_op(oid_, detail::ObjectKind::RWMutex, this, false);
  if (detail::race_active()) [[unlikely]] detail::race_release(&reader_sem_, 0, detail::race_tag(detail::RaceEdge::RWMutex, oid_, detail::ObjectKind::RWMutex, this));  // before the next (r)lock
  // Announce to readers there is no active writer.
  const int32_t r = reader_count_.fetch_add(kMaxReaders, std::memory_order_release) + kMaxReaders;
  if (r >= kMaxReaders) detail::fatal("sync: Unlock of unlocked RWMutex");
  // Unblock the readers that queued behind us, then allow other writers to proceed.
  reader_sem_.release_n(static_cast<uint32_t>(r));
  w_.unlock_raw();
}

RWMutex::~RWMutex() {
  // The unlocking writer may be parked (a handoff in w_.unlock() yields to the waiter):
  // yield the goroutine so it can finish, even on one P.
  while (unlocking_.load(std::memory_order_acquire) != 0) {
    if (detail::current_g() != nullptr) {
      gor::yield();
    } else {
      std::this_thread::yield();
    }
  }
  oid_.release();
  if (detail::race_active()) [[unlikely]] {
    detail::race_free_sync(&reader_sem_);
    detail::race_free_sync(&writer_sem_);
  }
}

}  // namespace gor
