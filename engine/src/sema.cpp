// sema.cpp — Sema, the sync package's semaphore (see gor/detail/sema.hpp).
#include "gor/detail/sema.hpp"

#include "wait_queue.hpp"

namespace gor::detail {

void Sema::acquire(WaitReason reason, uint64_t object, std::source_location where, bool lifo, int64_t since) {
  lock_.lock();
  if (count_ > 0) {  // Go's cansemacquire
    --count_;
    lock_.unlock();
    return;
  }
  SemaWaiter w;
  w.g = current_g();
  w.since = since;
  if (lifo) wq_push_front(head_, tail_, &w); else wq_push_back(head_, tail_, &w);
  // A releaser unlinks w and hands it the token before readying it: when park returns,
  // the token is ours.
  park_queued(reason, object, where, lock_, &RuntimeLock::unlock_fn, head_, tail_, &w);
}

void Sema::release(bool handoff) {
  lock_.lock();
  SemaWaiter* w = wq_pop_front(head_, tail_);
  if (!w) ++count_;
  G* g = w ? w->g : nullptr;
  lock_.unlock();
  // From here on `this` may be destroyed by the woken goroutine: touch only locals.
  if (g) {
    ready(g);
    if (handoff) goyield();
  }
}

void Sema::release_n(uint32_t n) {
  if (n == 0) return;
  SemaWaiter* woken = nullptr;  // FIFO, singly linked through `next`, built under the lock
  SemaWaiter* last = nullptr;
  lock_.lock();
  for (; n > 0; --n) {
    SemaWaiter* w = wq_pop_front(head_, tail_);
    if (!w) break;
    if (last) last->next = w; else woken = w;
    last = w;
  }
  count_ += n;
  lock_.unlock();
  // The popped waiters stay parked until ready(), so their frames are still valid; read
  // `next` before readying each (a readied goroutine may return and reuse its stack).
  while (woken) {
    SemaWaiter* next = woken->next;
    G* g = woken->g;
    woken = next;
    ready(g);
  }
}

}  // namespace gor::detail
