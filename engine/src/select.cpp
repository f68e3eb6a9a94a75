// select.cpp — Go 1.19's selectgo (runtime/select.go) on the engine's park/ready machinery.
//
// Three passes over the cases, with every involved channel locked in address order:
//   1. poll in a uniformly random order and run the first ready case;
//   2. if none is ready, enqueue one select ChanWaiter on every channel and park;
//   3. once woken, relock, find the waiter a waker fired and unlink all the others.
// Wakers race for the select through its select_done word (ChanWaitQueue::dequeue's CAS): only
// the first one touches its waiter; the others skip it.

#include <algorithm>
#include <functional>
#include <new>
#include <stdexcept>

#include "chan_core.hpp"
#include "gor/detail/race.hpp"
#include "gor/select.hpp"

namespace gor::detail {

namespace {

// LockSet is the set of channels of a select, ordered for locking (lockorder: indices into
// cases sorted by channel address; a repeated channel appears consecutively).
struct LockSet {
  SelectCase* cases;
  const uint16_t* lockorder;
  int n;
};

// sellock() locks every distinct channel in address order (so two selects cannot deadlock).
void sellock(const LockSet& s) noexcept {
  ChanCore* last = nullptr;
  for (int i = 0; i < s.n; ++i) {
    ChanCore* c = s.cases[s.lockorder[i]].c;
    if (c != last) {
      c->lock.lock();
      last = c;
    }
  }
}

// selunlock() unlocks in reverse order. As park()'s unlock callback it runs after the
// goroutine switched away: once the last lock (lockorder[0]) is released a waker may already
// have readied the goroutine and its frame, which holds `s`, may be gone, so that unlock is
// the last access.
void selunlock(const LockSet& s) noexcept {
  SelectCase* cases = s.cases;
  const uint16_t* lockorder = s.lockorder;
  for (int i = s.n - 1; i >= 0; --i) {
    ChanCore* c = cases[lockorder[i]].c;
    if (i > 0 && c == cases[lockorder[i - 1]].c) continue;  // unlocked on the next iteration
    c->lock.unlock();
  }
}

void selunlock_fn(void* arg) noexcept { selunlock(*static_cast<const LockSet*>(arg)); }

ChanWaitQueue& queue_of(const SelectCase& cs) noexcept { return cs.is_send ? cs.c->sendq : cs.c->recvq; }

// single_case() is a select with one channel case: the plain channel operation (Go's
// compiler rewrites it so, and so do we).
SelectOutcome single_case(SelectCase& cs, bool block, std::source_location where) {
  if (cs.is_send) {
    if (block) {
      chan_send(cs.c, cs.elem, where);
      return {0, true};
    }
    return chan_try_send(cs.c, cs.elem, where) ? SelectOutcome{0, true} : SelectOutcome{-1, false};
  }
  if (block) return {0, chan_recv(cs.c, cs.elem, where)};
  switch (chan_try_recv(cs.c, cs.elem)) {
    case RecvStatus::Received: return {0, true};
    case RecvStatus::Closed: return {0, false};
    case RecvStatus::NotReady: break;
  }
  return {-1, false};
}

// poll_order() fills pollorder with the non-nil cases in a uniformly random order (an inside-
// out Fisher-Yates shuffle) and returns how many there are.
int poll_order(const SelectCase* cases, int n, uint16_t* pollorder) noexcept {
  int norder = 0;
  for (int i = 0; i < n; ++i) {
    if (!cases[i].c) continue;
    uint32_t j = fastrandn(static_cast<uint32_t>(norder + 1));
    if (static_cast<int>(j) != norder) pollorder[norder] = pollorder[j];
    pollorder[j] = static_cast<uint16_t>(i);
    ++norder;
  }
  return norder;
}

// lock_order() sorts the polled cases by channel address into lockorder.
void lock_order(const SelectCase* cases, const uint16_t* pollorder, int norder, uint16_t* lockorder) noexcept {
  std::less<const ChanCore*> before;
  std::copy(pollorder, pollorder + norder, lockorder);
  auto by_address = [&](uint16_t a, uint16_t b) { return before(cases[a].c, cases[b].c); };
  if (norder <= 16) {  // insertion sort: selects are small
    for (int i = 1; i < norder; ++i) {
      uint16_t x = lockorder[i];
      int j = i;
      for (; j > 0 && by_address(x, lockorder[j - 1]); --j) lockorder[j] = lockorder[j - 1];
      lockorder[j] = x;
    }
  } else {
    std::sort(lockorder, lockorder + norder, by_address);
  }
}

// poll() is pass 1 with every channel locked: runs the first ready case in poll order and
// unlocks. Returns index -1 (locks still held) when no case is ready.
SelectOutcome poll(SelectCase* cases, const uint16_t* pollorder, const LockSet& locks, std::source_location where) {
  for (int p = 0; p < locks.n; ++p) {
    int i = pollorder[p];
    SelectCase& cs = cases[i];
    ChanCore* c = cs.c;
    if (cs.is_send) {
      if (c->closed) {
        selunlock(locks);
        panic_send_on_closed(where);
      }
      if (ChanWaiter* w = c->recvq.dequeue()) {
        G* g = handoff_send(c, w, cs.elem);
        selunlock(locks);
        ready(g);
        return {i, true};
      }
      if (c->count.load(std::memory_order_relaxed) < c->cap) {
        buffer_push(c, cs.elem);
        selunlock(locks);
        return {i, true};
      }
    } else {
      if (ChanWaiter* w = c->sendq.dequeue()) {
        G* g = handoff_recv(c, w, cs.elem);
        selunlock(locks);
        ready(g);
        return {i, true};
      }
      if (c->count.load(std::memory_order_relaxed) > 0) {
        buffer_pop(c, cs.elem);
        selunlock(locks);
        return {i, true};
      }
      if (c->closed) {
        // the close happens before this receive
        if (race_active()) [[unlikely]] race_acquire(c, 0, race_tag(RaceEdge::ChanClose, c->id));
        selunlock(locks);  // cs.elem stays T{}
        return {i, false};
      }
    }
  }
  return {-1, false};
}

// first_channel() is the channel of the first non-nil case in argument order: what the
// parked select is shown waiting on.
const ChanCore* first_channel(const SelectCase* cases, int n) noexcept {
  for (int i = 0; i < n; ++i)
    if (cases[i].c) return cases[i].c;
  return nullptr;
}

}  // namespace

void select_no_cases(std::source_location where) {
  require_goroutine("select with no cases");
  for (;;) park(WaitReason::SelectNoCases, 0, where, nullptr, nullptr);
}

SelectOutcome select_impl(SelectCase* cases, int n, uint16_t* order, void* waiter_storage, bool block,
                          std::source_location where) {
  G* gp = current_g();
  if (block && !gp) require_goroutine("blocking select");
  if (gp) check_preempt();
  if (n == 1) return single_case(cases[0], block, where);

  uint16_t* pollorder = order;
  uint16_t* lockorder = order + n;
  int norder = poll_order(cases, n, pollorder);
  if (norder == 0) {  // only nil channels
    if (!block) return {-1, false};
    for (;;) park(WaitReason::Select, 0, where, nullptr, nullptr);
  }
  lock_order(cases, pollorder, norder, lockorder);
  LockSet locks{cases, lockorder, norder};
  // Go's selectgo reads each send case's channel (racereadpc) in its polling pass, under the
  // locks; here before them, since a fatal race throws. Go stops reading at the first ready
  // case; every send case is read here (the same when the select blocks or takes default).
  if (race_active()) [[unlikely]] {
    for (int k = 0; k < norder; ++k) {
      const SelectCase& cs = cases[pollorder[k]];
      if (cs.is_send) race_chan_access(cs.c, false, where, cs.c->name.c_str());
    }
  }

  // Pass 1: poll.
  sellock(locks);
  SelectOutcome polled = poll(cases, pollorder, locks, where);
  if (polled.index >= 0) return polled;
  if (!block) {
    selunlock(locks);
    return {-1, false};
  }

  // Pass 2: enqueue a waiter on every channel (in lock order), then park; selunlock_fn
  // releases the channels once this goroutine is off its stack.
  std::atomic<uint32_t> select_done{0};
  ChanWaiter* fired = nullptr;
  ChanWaiter* waiters = static_cast<ChanWaiter*>(waiter_storage);
  for (int k = 0; k < norder; ++k) {
    SelectCase& cs = cases[lockorder[k]];
    ChanWaiter* w = new (&waiters[k]) ChanWaiter;
    w->g = gp;
    w->elem = cs.elem;
    w->c = cs.c;
    w->is_select = true;
    w->select_done = &select_done;
    w->fired = &fired;
    w->case_index = lockorder[k];
    queue_of(cs).enqueue(w);
  }
  try {
    park(WaitReason::Select, first_channel(cases, n)->id, where, &selunlock_fn, &locks);
  } catch (...) {  // the run ended while parked: leave no waiter behind on the channels
    sellock(locks);
    for (int k = 0; k < norder; ++k) queue_of(cases[lockorder[k]]).remove(&waiters[k]);
    selunlock(locks);
    throw;
  }

  // Pass 3: the waker stored its waiter in `fired`; unlink every other waiter (some may
  // already be unlinked by wakers that lost the select_done race).
  sellock(locks);
  int chosen = -1;
  bool success = false;
  for (int k = 0; k < norder; ++k) {
    ChanWaiter* w = &waiters[k];
    if (w == fired) {
      chosen = w->case_index;
      success = w->success;
    } else {
      queue_of(cases[lockorder[k]]).remove(w);
    }
  }
  selunlock(locks);
  if (chosen < 0) fatal("selectgo: bad wakeup");
  if (cases[chosen].is_send) {
    if (!success) panic_send_on_closed(where);  // woken by close
    return {chosen, true};
  }
  return {chosen, success};
}

}  // namespace gor::detail
