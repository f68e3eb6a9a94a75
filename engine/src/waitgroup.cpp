// waitgroup.cpp — gor::WaitGroup, a port of Go 1.19's sync/waitgroup.go.
#include "gor/waitgroup.hpp"

#include "gor/detail/race.hpp"
#include "gor/panic.hpp"
#include "gor/trace.hpp"

namespace gor {

void WaitGroup::add(int64_t delta) {
  detail::sched_point();
  // Go's race annotation: every done() happens before wait() returns.
  if (delta < 0 && detail::race_active()) [[unlikely]] detail::race_release_merge(this, 0, detail::race_tag(detail::RaceEdge::WaitGroup, oid_, detail::ObjectKind::WaitGroup, this));
  const uint64_t state =
      state_.fetch_add(static_cast<uint64_t>(delta) << 32, std::memory_order_acq_rel) +
      (static_cast<uint64_t>(delta) << 32);
  const int32_t v = static_cast<int32_t>(state >> 32);
  const uint32_t w = static_cast<uint32_t>(state);
  if (v < 0) throw Panic("sync: negative WaitGroup counter");
  if (detail::tracing_active()) [[unlikely]]  // a traced run watches the WaitGroup from its first Add
    detail::trace_object_event(static_cast<int>(EventKind::ObjectValue), oid_.get(detail::ObjectKind::WaitGroup, this),
                               static_cast<uint64_t>(static_cast<int64_t>(v)));
  if (w != 0 && delta > 0 && v == static_cast<int32_t>(delta))
    throw Panic("sync: WaitGroup misuse: Add called concurrently with Wait");
  // No waiters, or the counter is not zero: nothing else to do, and nothing touched since.
  if (v > 0 || w == 0) return;
  // The counter is zero and there are waiters. They cannot return before we release them,
  // so the WaitGroup is alive until then. Now there can't be concurrent mutations:
  // adds must not happen concurrently with wait, and wait does not increment waiters when
  // it sees the counter at zero. Still do a cheap sanity check to detect misuse.
  if (state_.load(std::memory_order_relaxed) != state)
    throw Panic("sync: WaitGroup misuse: Add called concurrently with Wait");
  // Reset waiters count to 0, then release them all in one critical section.
  state_.store(0, std::memory_order_release);
  sema_.release_n(w);
}

void WaitGroup::wait(std::source_location where) {
  detail::sched_point();
  uint64_t state = state_.load(std::memory_order_acquire);
  for (;;) {
    if ((state >> 32) == 0) {  // counter is zero: no need to wait
      if (detail::race_active()) [[unlikely]] detail::race_acquire(this, 0, detail::race_tag(detail::RaceEdge::WaitGroup, oid_, detail::ObjectKind::WaitGroup, this));
      return;
    }
    // Increment the waiter count.
    if (state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
      sema_.acquire(detail::WaitReason::WaitGroupWait, oid_.get(detail::ObjectKind::WaitGroup, this), where);
      if (state_.load(std::memory_order_acquire) != 0)
        throw Panic("sync: WaitGroup is reused before previous Wait has returned");
      if (detail::race_active()) [[unlikely]] detail::race_acquire(this, 0, detail::race_tag(detail::RaceEdge::WaitGroup, oid_, detail::ObjectKind::WaitGroup, this));
      return;
    }
  }
}

}  // namespace gor
