// chan.cpp — channel operations: a port of Go 1.19's runtime/chan.go onto the engine's
// park/ready machinery (detail/park.hpp).
//
// Invariants (Go's, enforced under c->lock):
//   - At least one of c->sendq and c->recvq is empty, except for an unbuffered channel on
//     which one goroutine's select waits to both send and receive.
//   - For a buffered channel: count > 0 implies recvq is empty; count < cap implies sendq is
//     empty (a waiting sender or receiver is served before anything goes to/from the ring).
//   - A closed channel has an empty sendq (close wakes every sender) and never gets a new
//     waiter (send on closed panics; receive on closed returns at once).
// Wakers write into the waiter (value, success, select winner) while holding c->lock,
// unlock, and only then ready() the goroutine, never touching the channel afterwards.

#include <stdexcept>

#include "chan_core.hpp"
#include "registry.hpp"
#include "gor/detail/race.hpp"
#include "gor/trace.hpp"

namespace gor::detail {

namespace {

// park_forever() blocks the current goroutine for good (operations on a nil channel). It
// returns only by ForcedUnwind when the run ends.
[[noreturn]] void park_forever(WaitReason reason, std::source_location where) {
  for (;;) park(reason, 0, where, nullptr, nullptr);
}

// ready_list() readies the goroutines of a chain of waiters linked by `next` (close's wake
// list). Each waiter is read before its goroutine is readied: afterwards it may be gone.
void ready_list(ChanWaiter* w) noexcept {
  while (w) {
    ChanWaiter* next = w->next;
    G* g = w->g;
    ready(g);
    w = next;
  }
}

// park_on() parks the current goroutine, queued as w on q of channel c, releasing c->lock
// after the switch. If the run ends while it is parked (ForcedUnwind), w is unlinked first so
// the channel, which may outlive the run, keeps no pointer into the unwound stack.
void park_on(ChanCore* c, ChanWaitQueue& q, ChanWaiter& w, WaitReason reason, std::source_location where) {
  try {
    park(reason, c->id, where, &RuntimeLock::unlock_fn, &c->lock);
  } catch (...) {
    c->lock.lock();
    q.remove(&w);
    c->lock.unlock();
    throw;
  }
}

}  // namespace

// --- ChanWaitQueue --------------------------------------------------------------------------

void ChanWaitQueue::enqueue(ChanWaiter* w) noexcept {
  w->next = nullptr;
  w->prev = last;
  if (last)
    last->next = w;
  else
    first = w;
  last = w;
}

ChanWaiter* ChanWaitQueue::dequeue() noexcept {
  for (;;) {
    ChanWaiter* w = first;
    if (!w) return nullptr;
    first = w->next;
    if (first)
      first->prev = nullptr;
    else
      last = nullptr;
    w->next = nullptr;
    w->prev = nullptr;
    // A select waiter may already have been claimed through another of its channels, in the
    // window before its goroutine relocks everything and unlinks itself: skip it.
    if (w->is_select) {
      uint32_t expected = 0;
      if (!w->select_done->compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) continue;
    }
    return w;
  }
}

void ChanWaitQueue::remove(ChanWaiter* w) noexcept {
  ChanWaiter* x = w->prev;
  ChanWaiter* y = w->next;
  if (x) {
    x->next = y;
    if (y)
      y->prev = x;
    else
      last = x;
  } else if (y) {
    y->prev = nullptr;
    first = y;
  } else if (first == w) {
    first = last = nullptr;  // the only element
  }  // else: already unlinked by a dequeue()
  w->next = w->prev = nullptr;
}

// --- ChanCore ---------------------------------------------------------------------------

ChanCore::ChanCore(size_t cap_, std::string name_, std::source_location where_)
    : cap(cap_), id(new_object_id()), name(std::move(name_)), where(where_) {}

void ChanCore::publish() noexcept {
  register_object(id, ObjectKind::Channel, this, name.c_str(), cap, where);
  try {
    trace_chan_type(id, elem_type());  // a trace's reader names the element type as the snapshot does
  } catch (...) {  // no memory for the name: the trace goes without it
  }
}

ChanCore::~ChanCore() = default;

void ChanCore::destroy() noexcept {
  if (on_destroy != nullptr) on_destroy(on_destroy_arg);
  unregister_object(id);
  if (race_active()) [[unlikely]] {  // a new channel here starts with no accesses and no clocks
    race_free(this, 1);
    race_free_sync(this, cap + 1);  // sub 0: close; sub i + 1: buffer slot i
  }
  delete this;
}

// --- shared steps (chan_core.hpp) -------------------------------------------------------

// trace_op() records one completed channel operation of goroutine g (nullptr: the caller).
// The shared steps below complete two operations when they hand a value to or from a
// parked goroutine: the caller's and the parked one's. So every send and every receive
// is exactly one event. Called with c->lock held (recording never blocks on it).
static void trace_op(EventKind kind, ChanCore* c, const G* g, bool fresh = true) noexcept {
  if (!tracing_active()) return;
  trace_object_event_for(static_cast<int>(kind), g, c->id, c->count.load(std::memory_order_relaxed), fresh);
}

// Race detector edges (Go's chan.go with raceenabled). A buffered channel's slot i has a sync
// clock (sub i + 1; sub 0 is the channel itself, released by close): each send and receive
// through it does release-acquire, so the k-th receive happens before the (k+cap)-th send
// completes and each send before its receive. An unbuffered handoff orders both ways.
static void race_slot(ChanCore* c, size_t idx, const G* other) noexcept {
  const RaceTag tag = race_tag(RaceEdge::ChanSlot, c->id);
  race_release_acquire(c, idx + 1, tag);
  if (other != nullptr) race_release_acquire_for(other, c, idx + 1, tag);
}

G* handoff_send(ChanCore* c, ChanWaiter* w, void* src) noexcept {
  trace_op(EventKind::ChanSend, c, nullptr);
  trace_op(EventKind::ChanRecv, c, w->g, /*fresh=*/false);
  if (race_active()) [[unlikely]] {
    if (c->cap == 0) {
      race_sync_with(w->g, race_tag(RaceEdge::Chan, c->id));
    } else {
      // The buffer is empty: pretend the value goes through slot recvx, as Go does (which
      // moves both indices only when race is on; the ring stays empty).
      race_slot(c, c->recvx, w->g);
      if (++c->recvx == c->cap) c->recvx = 0;
      c->sendx = c->recvx;
    }
  }
  if (w->elem) c->elem_move(w->elem, src);
  w->elem = nullptr;
  w->success = true;
  if (w->is_select) *w->fired = w;
  return w->g;
}

G* handoff_recv(ChanCore* c, ChanWaiter* w, void* dst) noexcept {
  trace_op(EventKind::ChanRecv, c, nullptr);
  trace_op(EventKind::ChanSend, c, w->g, /*fresh=*/false);
  if (race_active()) [[unlikely]] {
    if (c->cap == 0) race_sync_with(w->g, race_tag(RaceEdge::Chan, c->id)); else race_slot(c, c->recvx, w->g);
  }
  if (c->cap == 0) {
    if (dst) c->elem_move(dst, w->elem);
  } else {
    // The ring is full (a sender waits): take its head, put the sender's value at its tail,
    // which is the same slot.
    c->buf_take(c->recvx, dst);
    c->buf_put(c->recvx, w->elem);
    if (++c->recvx == c->cap) c->recvx = 0;
    c->sendx = c->recvx;
  }
  w->elem = nullptr;
  w->success = true;
  if (w->is_select) *w->fired = w;
  return w->g;
}

void buffer_push(ChanCore* c, void* src) noexcept {
  if (race_active()) [[unlikely]] race_slot(c, c->sendx, nullptr);
  c->buf_put(c->sendx, src);
  if (++c->sendx == c->cap) c->sendx = 0;
  c->count.store(c->count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  trace_op(EventKind::ChanSend, c, nullptr);
}

void buffer_pop(ChanCore* c, void* dst) noexcept {
  if (race_active()) [[unlikely]] race_slot(c, c->recvx, nullptr);
  c->buf_take(c->recvx, dst);
  if (++c->recvx == c->cap) c->recvx = 0;
  c->count.store(c->count.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  trace_op(EventKind::ChanRecv, c, nullptr);
}

G* require_goroutine(const char* what) {
  if (G* g = current_g()) return g;
  throw std::logic_error(std::string("gor: ") + what + " outside a goroutine would block its thread");
}

void panic_send_on_closed(std::source_location where) { throw Panic("send on closed channel", where); }

// --- send -------------------------------------------------------------------------------

namespace {

// send_locked() is chansend up to the blocking decision: with c->lock held, it delivers
// *elem to a waiting receiver or the ring and returns true (lock released), or returns
// false with the lock still held. Panics (lock released) on a closed channel.
bool send_locked(ChanCore* c, void* elem, std::source_location where) {
  if (c->closed) {
    c->lock.unlock();
    panic_send_on_closed(where);
  }
  if (ChanWaiter* w = c->recvq.dequeue()) {
    G* g = handoff_send(c, w, elem);
    c->lock.unlock();
    ready(g);
    return true;
  }
  if (c->count.load(std::memory_order_relaxed) < c->cap) {
    buffer_push(c, elem);
    c->lock.unlock();
    return true;
  }
  return false;
}

// Recv outcome of recv_locked(): Blocked means the lock is still held.
enum class RecvStep { Blocked, Received, Closed };

// recv_locked() is chanrecv up to the blocking decision, with c->lock held.
RecvStep recv_locked(ChanCore* c, void* elem) {
  if (c->closed) {
    if (c->count.load(std::memory_order_relaxed) == 0) {
      // the close happens before this receive
      if (race_active()) [[unlikely]] race_acquire(c, 0, race_tag(RaceEdge::ChanClose, c->id));
      c->lock.unlock();  // *elem stays T{}: Go's typedmemclr(ep)
      return RecvStep::Closed;
    }
  } else if (ChanWaiter* w = c->sendq.dequeue()) {
    G* g = handoff_recv(c, w, elem);
    c->lock.unlock();
    ready(g);
    return RecvStep::Received;
  }
  if (c->count.load(std::memory_order_relaxed) > 0) {
    buffer_pop(c, elem);
    c->lock.unlock();
    return RecvStep::Received;
  }
  return RecvStep::Blocked;
}

}  // namespace

void chan_send(ChanCore* c, void* elem, std::source_location where) {
  G* self = require_goroutine("channel send");
  check_preempt();
  if (!c) park_forever(WaitReason::ChanSendNilChan, where);
  if (race_active()) [[unlikely]] race_chan_access(c, false, where, c->name.c_str());  // Go: racereadpc
  c->lock.lock();
  if (send_locked(c, elem, where)) return;
  ChanWaiter w;
  w.g = self;
  w.elem = elem;
  w.c = c;
  c->sendq.enqueue(&w);
  park_on(c, c->sendq, w, WaitReason::ChanSend, where);
  // Woken by a receiver (success) or by close (failure).
  if (!w.success) panic_send_on_closed(where);
}

bool chan_try_send(ChanCore* c, void* elem, std::source_location where) {
  if (!c) return false;
  if (race_active()) [[unlikely]] race_chan_access(c, false, where, c->name.c_str());
  c->lock.lock();
  if (send_locked(c, elem, where)) return true;
  c->lock.unlock();
  return false;
}

bool chan_recv(ChanCore* c, void* elem, std::source_location where) {
  G* self = require_goroutine("channel receive");
  check_preempt();
  if (!c) park_forever(WaitReason::ChanReceiveNilChan, where);
  c->lock.lock();
  switch (recv_locked(c, elem)) {
    case RecvStep::Received: return true;
    case RecvStep::Closed: return false;
    case RecvStep::Blocked: break;
  }
  ChanWaiter w;
  w.g = self;
  w.elem = elem;
  w.c = c;
  c->recvq.enqueue(&w);
  park_on(c, c->recvq, w, WaitReason::ChanReceive, where);
  // Woken by a sender (success, value in *elem) or by close (failure, *elem still T{}).
  return w.success;
}

RecvStatus chan_try_recv(ChanCore* c, void* elem) {
  if (!c) return RecvStatus::NotReady;
  c->lock.lock();
  switch (recv_locked(c, elem)) {
    case RecvStep::Received: return RecvStatus::Received;
    case RecvStep::Closed: return RecvStatus::Closed;
    case RecvStep::Blocked: break;
  }
  c->lock.unlock();
  return RecvStatus::NotReady;
}

// --- close ------------------------------------------------------------------------------

void chan_close(ChanCore* c, std::source_location where) {
  if (!c) throw Panic("close of nil channel", where);
  if (race_active()) [[unlikely]] race_chan_access(c, true, where, c->name.c_str());  // Go: racewritepc
  c->lock.lock();
  if (c->closed) {
    c->lock.unlock();
    throw Panic("close of closed channel", where);
  }
  // close happens before receives observing it
  if (race_active()) [[unlikely]] race_release(c, 0, race_tag(RaceEdge::ChanClose, c->id));
  c->closed = true;
  // Collect every receiver (they get T{}, false) and every sender (they panic) on a wake
  // list linked through `next`, and ready them only after unlocking. As Go's closechan, the
  // list is a stack (gList push/pop): the last sender is readied first and the first receiver
  // last, so the first receiver ends in runnext and runs next, then the others from the tail.
  ChanWaiter* wake = nullptr;
  for (ChanWaitQueue* q : {&c->recvq, &c->sendq}) {
    while (ChanWaiter* w = q->dequeue()) {
      w->elem = nullptr;
      w->success = false;
      if (w->is_select) *w->fired = w;
      if (race_active()) [[unlikely]] race_acquire_for(w->g, c, 0, race_tag(RaceEdge::ChanClose, c->id));
      w->next = wake;
      wake = w;
    }
  }
  c->lock.unlock();
  if (tracing_active()) trace_object_event(static_cast<int>(EventKind::ChanClose), c->id, 0);
  ready_list(wake);
}

}  // namespace gor::detail
