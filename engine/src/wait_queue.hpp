// wait_queue.hpp — intrusive FIFO helpers for the sync package's waiters. Internal.
//
// A waiter type W has `W* next; W* prev; bool linked;` and lives on its goroutine's stack.
// The queue is a (head, tail) pair owned by the sync object and guarded by its lock.
#pragma once

#include <exception>

#include "gor/detail/park.hpp"

namespace gor::detail {

// push_back() appends w to the queue.
template <class W>
inline void wq_push_back(W*& head, W*& tail, W* w) noexcept {
  w->next = nullptr;
  w->prev = tail;
  if (tail) tail->next = w; else head = w;
  tail = w;
  w->linked = true;
}

// push_front() inserts w at the front of the queue.
template <class W>
inline void wq_push_front(W*& head, W*& tail, W* w) noexcept {
  w->prev = nullptr;
  w->next = head;
  if (head) head->prev = w; else tail = w;
  head = w;
  w->linked = true;
}

// remove() unlinks w, which must be linked.
template <class W>
inline void wq_remove(W*& head, W*& tail, W* w) noexcept {
  if (w->prev) w->prev->next = w->next; else head = w->next;
  if (w->next) w->next->prev = w->prev; else tail = w->prev;
  w->next = w->prev = nullptr;
  w->linked = false;
}

// pop_front() unlinks and returns the front waiter, or nullptr.
template <class W>
inline W* wq_pop_front(W*& head, W*& tail) noexcept {
  W* w = head;
  if (w) wq_remove(head, tail, w);
  return w;
}

// park_queued() parks the current goroutine, which the caller linked into a queue guarded by
// `lock` (held on entry, released by park after the switch). If the run ends while parked
// (ForcedUnwind), the waiter unlinks itself before its stack frame unwinds, so no later
// waker follows a dangling pointer.
template <class W, class Lock>
inline void park_queued(WaitReason reason, uint64_t object, std::source_location where, Lock& lock,
                        void (*unlock)(void*) noexcept, W*& head, W*& tail, W* w) {
  try {
    park(reason, object, where, unlock, &lock);
  } catch (...) {
    lock.lock();
    if (w->linked) wq_remove(head, tail, w);
    lock.unlock();
    throw;
  }
}

}  // namespace gor::detail
