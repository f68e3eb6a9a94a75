// once.cpp — gor::Once.
#include "gor/once.hpp"

#include <algorithm>
#include <thread>

#include "registry.hpp"

namespace gor {

struct Once::Waiter {
  detail::G* g = nullptr;
  Waiter* next = nullptr;
  bool linked = false;
};

bool Once::lock_unless_done() noexcept {
  for (int spins = 0;; ++spins) {
    uint32_t s = state_.load(std::memory_order_acquire);
    if (s & kDone) return false;
    if (!(s & kLocked) &&
        state_.compare_exchange_weak(s, s | kLocked, std::memory_order_acquire, std::memory_order_relaxed))
      return true;
    if (spins < 64) detail::cpu_relax(); else std::this_thread::yield();
  }
}

void Once::unlock_fn(void* self) noexcept {
  static_cast<Once*>(self)->state_.fetch_and(~kLocked, std::memory_order_release);
}

void Once::call_slow(void (*invoke)(void*), void* fn, std::source_location where) {
  if (!lock_unless_done()) return;
  if ((state_.load(std::memory_order_relaxed) & kRunning) && oid_.peek() == 0) {
    // First wait: register outside the state lock, then look again (fn may have finished;
    // while it has not, kRunning stays set).
    unlock_fn(this);
    oid_.get(detail::ObjectKind::Once, this);
    if (!lock_unless_done()) return;
  }
  if (state_.load(std::memory_order_relaxed) & kRunning) {
    // Another goroutine runs fn: wait for it.
    Waiter w;
    w.g = detail::current_g();
    w.next = waiters_;
    w.linked = true;
    waiters_ = &w;
    try {
      // Go's Once.doSlow waits in o.m.Lock(): the wait reason is "sync.Mutex.Lock".
      detail::park(detail::WaitReason::MutexLock, oid_.peek(), where, &Once::unlock_fn, this);
    } catch (...) {  // ForcedUnwind: leave the queue before the frame goes away
      if (lock_unless_done()) {
        if (w.linked) {
          for (Waiter** p = &waiters_; *p; p = &(*p)->next)
            if (*p == &w) { *p = w.next; break; }
        }
        unlock_fn(this);
      }
      throw;
    }
    // Released by the runner after it published kDone; pair with that store.
    (void)state_.load(std::memory_order_acquire);
    return;
  }
  state_.store(kRunning, std::memory_order_relaxed);  // also drops kLocked

  // finish publishes kDone and releases the queue in one store, then readies the waiters.
  auto finish = [this] {
    // fn happens before every call() returns (race detector).
    if (detail::race_active()) [[unlikely]] detail::race_release_merge(this, 0, detail::race_tag(detail::RaceEdge::Once, oid_, detail::ObjectKind::Once, this));
    uint32_t s = kRunning;
    for (int spins = 0;
         !state_.compare_exchange_weak(s, kRunning | kLocked, std::memory_order_acquire, std::memory_order_relaxed);
         ++spins) {
      s = kRunning;
      if (spins < 64) detail::cpu_relax(); else std::this_thread::yield();
    }
    Waiter* w = waiters_;
    waiters_ = nullptr;
    for (Waiter* p = w; p; p = p->next) p->linked = false;
    state_.store(kDone, std::memory_order_release);
    // The Once may be gone now; the waiters stay parked (valid) until readied.
    while (w) {
      Waiter* next = w->next;
      detail::G* g = w->g;
      w = next;
      detail::ready(g);
    }
  };
  try {
    invoke(fn);
  } catch (...) {
    finish();  // Go's Once: a panicking fn counts as done
    throw;
  }
  finish();
}

}  // namespace gor

namespace gor::detail {

void Inspector::once(const Once& o, SyncObjectInfo& info, std::vector<std::pair<const G*, int64_t>>& waiters) {
  auto& self = const_cast<Once&>(o);
  info.kind = "Once";
  if (!self.lock_unless_done()) {
    info.value = 1;
    return;
  }
  const size_t first = waiters.size();
  for (const Once::Waiter* w = o.waiters_; w != nullptr; w = w->next) waiters.emplace_back(w->g, 0);
  std::reverse(waiters.begin() + static_cast<std::ptrdiff_t>(first), waiters.end());  // the stack is LIFO
  Once::unlock_fn(&self);
}

}  // namespace gor::detail
