// semaphore.cpp — gor::Semaphore, after golang.org/x/sync/semaphore.Weighted.
#include "gor/semaphore.hpp"

#include "gor/panic.hpp"
#include "wait_queue.hpp"

namespace gor {

struct Semaphore::Waiter {
  detail::G* g = nullptr;
  Waiter* next = nullptr;
  Waiter* prev = nullptr;
  int64_t n = 0;
  bool linked = false;
};

void Semaphore::acquire(int64_t n, std::source_location where) {
  lock_.lock();
  if (size_ - cur_ >= n && head_ == nullptr) {
    cur_ += n;
    lock_.unlock();
    return;
  }
  if (n > size_) {
    // Can never succeed: x/sync waits for ctx.Done(); with no context, block forever.
    detail::park(detail::WaitReason::Semacquire, this, where, &detail::SpinLock::unlock_fn, &lock_);
    return;  // not reached: nobody readies us
  }
  Waiter w;
  w.g = detail::current_g();
  w.n = n;
  detail::wq_push_back(head_, tail_, &w);
  // A releaser grants our n units (cur_ += n) and unlinks us before readying us.
  detail::park_queued(detail::WaitReason::Semacquire, this, where, lock_, &detail::SpinLock::unlock_fn,
                      head_, tail_, &w);
}

bool Semaphore::try_acquire(int64_t n) noexcept {
  lock_.lock();
  const bool ok = size_ - cur_ >= n && head_ == nullptr;
  if (ok) cur_ += n;
  lock_.unlock();
  return ok;
}

void Semaphore::release(int64_t n) {
  lock_.lock();
  if (cur_ - n < 0) {
    lock_.unlock();
    throw Panic("semaphore: released more than held");
  }
  cur_ -= n;
  // Grant waiters front first. If the front one does not fit, stop: x/sync does not let
  // smaller later requests overtake it (that would starve large requests).
  Waiter* woken = nullptr;
  Waiter* last = nullptr;
  while (head_ && size_ - cur_ >= head_->n) {
    Waiter* w = detail::wq_pop_front(head_, tail_);
    cur_ += w->n;
    if (last) last->next = w; else woken = w;
    last = w;
  }
  lock_.unlock();
  while (woken) {  // parked until readied: frames valid; read next first
    Waiter* next = woken->next;
    detail::G* g = woken->g;
    woken = next;
    detail::ready(g);
  }
}

}  // namespace gor
