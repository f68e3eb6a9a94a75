// semaphore.cpp — gor::Semaphore, after golang.org/x/sync/semaphore.Weighted.
#include "gor/semaphore.hpp"

#include <exception>

#include "gor/detail/race.hpp"
#include "gor/panic.hpp"
#include "gor/trace.hpp"
#include "registry.hpp"
#include "wait_queue.hpp"

namespace gor {

struct Semaphore::Waiter {
  detail::G* g = nullptr;
  Waiter* next = nullptr;
  Waiter* prev = nullptr;
  int64_t n = 0;
  bool linked = false;
};

void Semaphore::trace_value(uint64_t id) noexcept {
  if (id != 0) detail::trace_object_event(static_cast<int>(EventKind::ObjectValue), id, static_cast<uint64_t>(cur_));
}

uint64_t Semaphore::object_id() noexcept {
  if (const uint64_t id = oid_.peek()) return id;
  // First wait: register with the capacity (as a named semaphore is).
  oid_.name(detail::ObjectKind::Semaphore, this, nullptr, static_cast<uint64_t>(size_));
  return oid_.peek();
}

void Semaphore::acquire(int64_t n, std::source_location where) {
  // Every release happens before the acquires after it (x/sync's semaphore takes a mutex).
  struct RaceAcquire {
    Semaphore* s;
    ~RaceAcquire() {
      if (detail::race_active() && std::uncaught_exceptions() == 0) [[unlikely]]
        detail::race_acquire(s, 0, detail::race_tag(detail::RaceEdge::Semaphore, detail::tracing_active() ? s->object_id() : 0));
    }
  } race_acquire{this};
  const uint64_t traced = detail::tracing_active() ? object_id() : 0;  // a traced run watches it from its first use
  lock_.lock();
  if (size_ - cur_ >= n && head_ == nullptr) {
    cur_ += n;
    trace_value(traced);
    lock_.unlock();
    return;
  }
  if (oid_.peek() == 0) {
    // First wait: register outside the lock (the registry lock is never taken inside an
    // object's lock), then look again.
    lock_.unlock();
    object_id();
    lock_.lock();
    if (size_ - cur_ >= n && head_ == nullptr) {
      cur_ += n;
      trace_value(traced);
      lock_.unlock();
      return;
    }
  }
  const uint64_t id = oid_.peek();
  if (n > size_) {
    // Can never succeed: x/sync waits in `<-ctx.Done()`; with no context (Background's nil
    // Done channel) that is a receive from a nil channel, blocked forever.
    detail::park(detail::WaitReason::ChanReceiveNilChan, id, where, &detail::RuntimeLock::unlock_fn, &lock_);
    return;  // not reached: nobody readies us
  }
  Waiter w;
  w.g = detail::current_g();
  w.n = n;
  detail::wq_push_back(head_, tail_, &w);
  // A releaser grants our n units (cur_ += n) and unlinks us before readying us. x/sync's
  // Acquire waits in `select { case <-ctx.Done(): case <-ready: }`: the reason is "select".
  detail::park_queued(detail::WaitReason::Select, id, where, lock_, &detail::RuntimeLock::unlock_fn,
                      head_, tail_, &w);
}

bool Semaphore::try_acquire(int64_t n) noexcept {
  const uint64_t traced = detail::tracing_active() ? object_id() : 0;
  lock_.lock();
  const bool ok = size_ - cur_ >= n && head_ == nullptr;
  if (ok) {
    cur_ += n;
    trace_value(traced);
  }
  lock_.unlock();
  if (ok && detail::race_active()) [[unlikely]] detail::race_acquire(this, 0, detail::race_tag(detail::RaceEdge::Semaphore, detail::tracing_active() ? object_id() : 0));
  return ok;
}

void Semaphore::release(int64_t n) {
  if (detail::race_active()) [[unlikely]] detail::race_release_merge(this, 0, detail::race_tag(detail::RaceEdge::Semaphore, detail::tracing_active() ? object_id() : 0));
  const uint64_t traced = detail::tracing_active() ? object_id() : 0;
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
  trace_value(traced);  // the units held after the release and the grants it made
  lock_.unlock();
  while (woken) {  // parked until readied: frames valid; read next first
    Waiter* next = woken->next;
    detail::G* g = woken->g;
    woken = next;
    detail::ready(g);
  }
}

}  // namespace gor

namespace gor::detail {

void Inspector::semaphore(const Semaphore& s, SyncObjectInfo& info, std::vector<std::pair<const G*, int64_t>>& waiters) {
  auto& self = const_cast<Semaphore&>(s);
  self.lock_.lock();
  info.kind = "Semaphore";
  info.value = s.cur_;
  info.capacity = s.size_;
  for (const Semaphore::Waiter* w = s.head_; w != nullptr; w = w->next) waiters.emplace_back(w->g, 0);
  self.lock_.unlock();
}

}  // namespace gor::detail
