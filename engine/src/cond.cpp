// cond.cpp — gor::Cond, a port of Go's sync.Cond and runtime notifyList (sema.go).
#include "gor/cond.hpp"

#include "gor/detail/race.hpp"
#include "registry.hpp"
#include "wait_queue.hpp"

namespace gor {

struct Cond::Waiter {
  detail::G* g = nullptr;
  Waiter* next = nullptr;
  Waiter* prev = nullptr;
  uint32_t ticket = 0;
  bool linked = false;
};

namespace {
// less() compares tickets with wrap-around (Go's less(a, b uint32)).
bool less(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
}  // namespace

void Cond::wait(std::source_location where) {
  // Watched from its first wait on (registered before any lock is taken).
  const uint64_t id = oid_.get(detail::ObjectKind::Cond, this);
  // Take a ticket before unlocking: a signal after this point can wake us.
  const uint32_t t = wait_.fetch_add(1, std::memory_order_acq_rel);
  mu_.unlock();
  lock_.lock();
  if (less(t, notify_.load(std::memory_order_relaxed))) {
    // Already notified while we were unlocking.
    lock_.unlock();
  } else {
    Waiter w;
    w.g = detail::current_g();
    w.ticket = t;
    detail::wq_push_back(head_, tail_, &w);
    // On ForcedUnwind (the run ends) this throws without relocking the mutex.
    detail::park_queued(detail::WaitReason::CondWait, id, where, lock_, &detail::RuntimeLock::unlock_fn,
                        head_, tail_, &w);
  }
  if (detail::race_active()) [[unlikely]] detail::race_acquire(this, 0, detail::race_tag(detail::RaceEdge::Cond, oid_, detail::ObjectKind::Cond, this));  // the signal happens before
  mu_.lock(where);
}

void Cond::signal() {
  if (detail::race_active()) [[unlikely]] detail::race_release_merge(this, 0, detail::race_tag(detail::RaceEdge::Cond, oid_, detail::ObjectKind::Cond, this));
  // Fast path: nobody waits since the last notification.
  if (wait_.load(std::memory_order_acquire) == notify_.load(std::memory_order_acquire)) return;
  lock_.lock();
  const uint32_t t = notify_.load(std::memory_order_relaxed);
  if (t == wait_.load(std::memory_order_acquire)) {
    lock_.unlock();
    return;
  }
  notify_.store(t + 1, std::memory_order_release);
  // Find the waiter with ticket t. It may not have queued yet: then it sees notify_ > t
  // when it does, and returns without parking.
  Waiter* found = nullptr;
  for (Waiter* w = head_; w; w = w->next) {
    if (w->ticket == t) {
      found = w;
      detail::wq_remove(head_, tail_, w);
      break;
    }
  }
  detail::G* g = found ? found->g : nullptr;
  lock_.unlock();
  if (g) detail::ready(g);
}

void Cond::broadcast() {
  if (detail::race_active()) [[unlikely]] detail::race_release_merge(this, 0, detail::race_tag(detail::RaceEdge::Cond, oid_, detail::ObjectKind::Cond, this));
  if (wait_.load(std::memory_order_acquire) == notify_.load(std::memory_order_acquire)) return;
  lock_.lock();
  notify_.store(wait_.load(std::memory_order_acquire), std::memory_order_release);
  Waiter* list = head_;
  for (Waiter* w = list; w; w = w->next) w->linked = false;
  head_ = tail_ = nullptr;
  lock_.unlock();
  // The waiters stay parked until readied, so their frames are valid: read next first.
  while (list) {
    Waiter* next = list->next;
    detail::G* g = list->g;
    list = next;
    detail::ready(g);
  }
}

}  // namespace gor

namespace gor::detail {

void Inspector::cond(const Cond& c, SyncObjectInfo& info, std::vector<std::pair<const G*, int64_t>>& waiters) {
  auto& self = const_cast<Cond&>(c);
  self.lock_.lock();
  info.kind = "Cond";
  for (const Cond::Waiter* w = c.head_; w != nullptr; w = w->next) waiters.emplace_back(w->g, 0);
  self.lock_.unlock();
}

}  // namespace gor::detail
