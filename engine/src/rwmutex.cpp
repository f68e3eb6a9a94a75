// rwmutex.cpp — gor::RWMutex, a port of Go 1.19's sync/rwmutex.go.
#include "gor/rwmutex.hpp"

#include "gor/panic.hpp"

namespace gor {

bool RWMutex::try_rlock() noexcept {
  int32_t c = reader_count_.load(std::memory_order_relaxed);
  for (;;) {
    if (c < 0) return false;  // a writer holds or waits
    if (reader_count_.compare_exchange_weak(c, c + 1, std::memory_order_acquire, std::memory_order_relaxed))
      return true;
  }
}

void RWMutex::runlock_slow(int32_t r) {
  if (r + 1 == 0 || r + 1 == -kMaxReaders) detail::fatal("sync: RUnlock of unlocked RWMutex");
  // A writer is pending. The last departing reader unblocks it; the writer cannot return
  // before that token, so the RWMutex is alive for the release.
  if (reader_wait_.fetch_sub(1, std::memory_order_acq_rel) - 1 == 0) writer_sem_.release();
}

void RWMutex::lock(std::source_location where) {
  // First, resolve competition with other writers.
  w_.lock_as(detail::WaitReason::RWMutexLock, this, where);
  // Announce to readers there is a pending writer.
  const int32_t r = reader_count_.fetch_sub(kMaxReaders, std::memory_order_acq_rel);
  // Wait for active readers.
  if (r != 0 && reader_wait_.fetch_add(r, std::memory_order_acq_rel) + r != 0)
    writer_sem_.acquire(detail::WaitReason::RWMutexLock, this, where);
}

bool RWMutex::try_lock() noexcept {
  if (!w_.try_lock()) return false;
  int32_t zero = 0;
  if (!reader_count_.compare_exchange_strong(zero, -kMaxReaders, std::memory_order_acquire,
                                             std::memory_order_relaxed)) {
    w_.unlock();
    return false;
  }
  return true;
}

void RWMutex::unlock() {
  // Announce to readers there is no active writer.
  const int32_t r = reader_count_.fetch_add(kMaxReaders, std::memory_order_release) + kMaxReaders;
  if (r >= kMaxReaders) detail::fatal("sync: Unlock of unlocked RWMutex");
  // Unblock the readers that queued behind us, then allow other writers to proceed.
  // (As in Go, a reader arriving after the add can already take the lock while we still
  // release w_; destroying the RWMutex in that window is not supported.)
  reader_sem_.release_n(static_cast<uint32_t>(r));
  w_.unlock();
}

}  // namespace gor
