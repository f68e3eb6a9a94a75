#include "run_reducer.hpp"

#include <algorithm>

namespace goroscope::trace {

namespace {

using K = gor::EventKind;
using W = gor::WaitReason;

constexpr int kMaxProcs = 256;  // the engine's bound on GOMAXPROCS (and on P ids)

bool is_channel_wait(W r) { return r == W::ChanSend || r == W::ChanReceive; }

}  // namespace

RunReducer::RunReducer(int procs) {
  gomaxprocs_ = std::clamp(procs, 1, kMaxProcs);
  procs_.resize(static_cast<size_t>(gomaxprocs_));
}

void RunReducer::problem(const std::string& what) {
  ++problem_count_;
  if (problems_.size() < kMaxProblems) problems_.push_back(ReducerProblem{applied_, what});
}

RunReducer::Proc* RunReducer::proc(int p) {
  if (p < 0 || p >= kMaxProcs) {
    problem("P" + std::to_string(p) + " out of range");
    return nullptr;
  }
  if (static_cast<size_t>(p) >= procs_.size()) procs_.resize(static_cast<size_t>(p) + 1);
  return &procs_[static_cast<size_t>(p)];
}

RunReducer::Goroutine* RunReducer::goroutine(uint64_t g, const char* event) {
  auto it = gs_.find(g);
  if (it != gs_.end()) return &it->second;
  problem(std::string(event) + " of G" + std::to_string(g) + ", which is not alive");
  return nullptr;
}

void RunReducer::unqueue(uint64_t g, Goroutine& gr) {
  auto erase_from = [g](std::deque<uint64_t>& q) {
    auto it = std::find(q.begin(), q.end(), g);  // nearly always the head
    if (it != q.end()) q.erase(it);
  };
  switch (gr.queue) {
    case Queue::Global: erase_from(global_); break;
    case Queue::Local: erase_from(procs_[static_cast<size_t>(gr.queue_p)].local); break;
    case Queue::Runnext: {
      uint64_t& slot = procs_[static_cast<size_t>(gr.queue_p)].runnext;
      if (slot == g) slot = 0;
      break;
    }
    case Queue::None: break;
  }
  gr.queue = Queue::None;
  gr.queue_p = -1;
}

void RunReducer::dequeue_waiter(uint64_t g, Goroutine& gr) {
  if (gr.object == 0) return;
  auto it = objects_.find(gr.object);
  if (it == objects_.end()) return;
  for (std::deque<Waiter>* q : {&it->second.sendq, &it->second.recvq}) {
    auto w = std::find_if(q->begin(), q->end(), [g](const Waiter& x) { return x.g == g; });
    if (w != q->end()) q->erase(w);
  }
}

void RunReducer::push_global(uint64_t g, bool head) {
  Goroutine& gr = gs_[g];
  unqueue(g, gr);
  if (head) global_.push_front(g); else global_.push_back(g);
  gr.queue = Queue::Global;
}

void RunReducer::push_local(int p, uint64_t g) {
  Goroutine& gr = gs_[g];
  unqueue(g, gr);
  procs_[static_cast<size_t>(p)].local.push_back(g);
  gr.queue = Queue::Local;
  gr.queue_p = p;
}

void RunReducer::put_runnext(int p, uint64_t g) {
  // Go's runqput(next=true): the goroutine in runnext is kicked out to the local queue's tail.
  if (uint64_t old = procs_[static_cast<size_t>(p)].runnext; old != 0 && old != g) push_local(p, old);
  Goroutine& gr = gs_[g];
  unqueue(g, gr);
  procs_[static_cast<size_t>(p)].runnext = g;
  gr.queue = Queue::Runnext;
  gr.queue_p = p;
}

void RunReducer::stop_running(uint64_t g, Goroutine& gr) {
  if (gr.p >= 0 && static_cast<size_t>(gr.p) < procs_.size() && procs_[static_cast<size_t>(gr.p)].running == g)
    procs_[static_cast<size_t>(gr.p)].running = 0;
  gr.p = -1;
}

void RunReducer::start(const gor::Event& e) {
  auto it = gs_.find(e.g);
  if (it == gs_.end()) {
    problem("go_start of G" + std::to_string(e.g) + ", never created");
    it = gs_.emplace(e.g, Goroutine{}).first;
  }
  Goroutine& gr = it->second;
  if (gr.state != GState::Runnable) problem("go_start of G" + std::to_string(e.g) + ", which is not runnable");
  unqueue(e.g, gr);
  stop_running(e.g, gr);
  gr.state = GState::Running;
  if (Proc* p = proc(e.p)) {
    if (p->running != 0 && p->running != e.g) {
      problem("go_start of G" + std::to_string(e.g) + " on P" + std::to_string(e.p) + ", which runs G" +
              std::to_string(p->running));
      if (auto other = gs_.find(p->running); other != gs_.end()) other->second.p = -1;
    }
    p->running = e.g;
    gr.p = e.p;
  }
}

void RunReducer::block(const gor::Event& e) {
  Goroutine* gr = goroutine(e.g, "go_block");
  if (gr == nullptr) return;
  if (gr->state != GState::Running) problem("go_block of G" + std::to_string(e.g) + ", which is not running");
  stop_running(e.g, *gr);
  const gor::BlockFields f = gor::block_fields(e);
  gr->state = GState::Waiting;
  gr->reason = f.reason;
  gr->object = f.object;
  gr->blocked_site = f.site;
  gr->since = e.ts;
  auto obj = objects_.find(f.object);
  if (f.object == 0 || obj == objects_.end()) return;
  Object& o = obj->second;
  if (o.kind == gor::ObjectKind::Channel) {
    if (is_channel_wait(f.reason)) (f.reason == W::ChanSend ? o.sendq : o.recvq).push_back(Waiter{e.g, e.ts});
    return;  // a select's wait is on several channels: not traced (kNotFromEvents)
  }
  if (f.reason == W::MutexLock) {
    // A goroutine that waited for this mutex before, within the same Lock, queues at the front
    // and keeps its first wait's time (Go's semacquire lifo and waitStartTime).
    if (gr->mutex_waiting == f.object) {
      o.sendq.push_front(Waiter{e.g, gr->mutex_since});
      return;
    }
    gr->mutex_waiting = f.object;
    gr->mutex_since = e.ts;
  }
  o.sendq.push_back(Waiter{e.g, e.ts});
}

void RunReducer::unblock(const gor::Event& e) {
  Goroutine* gr = goroutine(e.g, "go_unblock");
  if (gr == nullptr) return;
  if (gr->state != GState::Waiting) problem("go_unblock of G" + std::to_string(e.g) + ", which is not waiting");
  dequeue_waiter(e.g, *gr);
  gr->state = GState::Runnable;
  gr->reason = W::None;
  gr->object = 0;
  const gor::Placement where = gor::unblock_placement(e);
  if (where == gor::Placement::Global || e.p < 0 || proc(e.p) == nullptr) push_global(e.g);
  else if (where == gor::Placement::Runnext) put_runnext(e.p, e.g);
  else push_local(e.p, e.g);
}

// apply_queue_moves() applies the events that move goroutines between run queues in batches.
void RunReducer::apply_queue_moves(const gor::Event& e) {
  Proc* p = proc(e.p);
  if (p == nullptr) return;
  switch (e.kind) {
    case K::StealMove: {  // the thief's queue gets exactly the goroutine named (GoStart takes the one it runs)
      if (goroutine(e.g, "steal_move") != nullptr) push_local(e.p, e.g);
      break;
    }
    case K::RunqFromGlobal: {  // the head runs (its GoStart follows), the rest go to the local tail
      if (e.a0 > global_.size()) problem("runq_from_global of " + std::to_string(e.a0) + " from a global queue of " +
                                         std::to_string(global_.size()));
      const uint64_t n = std::min<uint64_t>(e.a0, global_.size());
      if (n == 0) break;
      const uint64_t first = global_.front();
      global_.pop_front();
      gs_[first].queue = Queue::None;
      for (uint64_t i = 1; i < n; ++i) push_local(e.p, global_.front());
      break;
    }
    case K::RunqOverflow: {  // half the ring's head, then the goroutine that did not fit, to the global tail
      if (e.a0 > p->local.size()) problem("runq_overflow of " + std::to_string(e.a0) + " from a local queue of " +
                                          std::to_string(p->local.size()));
      const uint64_t n = std::min<uint64_t>(e.a0, p->local.size());
      for (uint64_t i = 0; i < n; ++i) push_global(p->local.front());
      if (goroutine(e.g, "runq_overflow") != nullptr) push_global(e.g);
      break;
    }
    case K::RunqToGlobalHead: {  // a destroyed P: runnext first, then the local queue, at the global head
      std::vector<uint64_t> moved;
      if (p->runnext != 0) moved.push_back(p->runnext);
      moved.insert(moved.end(), p->local.begin(), p->local.end());
      if (moved.size() != e.a0) problem("runq_to_global_head of " + std::to_string(e.a0) + " from a P holding " +
                                        std::to_string(moved.size()));
      for (auto it = moved.rbegin(); it != moved.rend(); ++it) push_global(*it, /*head=*/true);
      break;
    }
    default: break;
  }
}

void RunReducer::guess_steal(const gor::Event& e) {
  if (e.a0 >= procs_.size() || proc(e.p) == nullptr) return;
  Proc& victim = procs_[static_cast<size_t>(e.a0)];
  for (uint64_t n = 0; n < e.a1; ++n) {
    if (!victim.local.empty()) push_local(e.p, victim.local.front());
    else if (victim.runnext != 0) push_local(e.p, victim.runnext);
    else break;
  }
}

void RunReducer::apply(const gor::Event& e) {
  last_ns_ = e.ts;
  switch (e.kind) {
    case K::GoCreate: {
      if (gs_.count(e.g)) problem("go_create of G" + std::to_string(e.g) + ", which is alive");
      Goroutine& gr = gs_[e.g];
      gr = Goroutine{};
      gr.parent = e.a0;
      gr.created_site = e.a1;
      gr.label = e.a2;
      gr.since = e.ts;
      if (e.p >= 0 && proc(e.p) != nullptr) put_runnext(e.p, e.g); else push_global(e.g);
      break;
    }
    case K::GoStart: start(e); break;
    case K::GoBlock: block(e); break;
    case K::GoUnblock: unblock(e); break;
    case K::GoYield:
    case K::GoPreempted: {
      Goroutine* gr = goroutine(e.g, gor::event_kind_name(e.kind));
      if (gr == nullptr) break;
      if (gr->state != GState::Running) problem(std::string(gor::event_kind_name(e.kind)) + " of G" + std::to_string(e.g) + ", which is not running");
      const int on = gr->p;
      stop_running(e.g, *gr);
      gr->state = GState::Runnable;
      if (e.kind == K::GoYield && e.a0 == 1 && on >= 0) push_local(on, e.g); else push_global(e.g);
      break;
    }
    case K::GoEnd: {
      Goroutine* gr = goroutine(e.g, "go_end");
      if (gr == nullptr) break;
      unqueue(e.g, *gr);
      dequeue_waiter(e.g, *gr);
      stop_running(e.g, *gr);
      gs_.erase(e.g);
      break;
    }
    case K::SyscallEnter: {
      Goroutine* gr = goroutine(e.g, "syscall_enter");
      if (gr == nullptr) break;
      if (gr->state != GState::Running) problem("syscall_enter of G" + std::to_string(e.g) + ", which is not running");
      const int on = gr->p;
      stop_running(e.g, *gr);
      gr->p = -1;
      gr->state = GState::Syscall;
      gr->reason = W::Syscall;
      gr->object = 0;
      gr->blocked_site = e.a0;
      gr->since = e.ts;
      if (on >= 0) {
        Proc& p = procs_[static_cast<size_t>(on)];
        p.status = PStatus::Syscall;
        p.m = -1;
      }
      break;
    }
    case K::SyscallExit: {
      Goroutine* gr = goroutine(e.g, "syscall_exit");
      if (gr == nullptr) break;
      if (gr->state != GState::Syscall) problem("syscall_exit of G" + std::to_string(e.g) + ", which is not in a syscall");
      gr->reason = W::None;
      if (e.p >= 0 && proc(e.p) != nullptr) {  // running on a P again: its own (a0 = 1) or an idle one
        Proc& p = procs_[static_cast<size_t>(e.p)];
        gr->state = GState::Running;
        gr->p = e.p;
        p.running = e.g;
        p.status = PStatus::Running;
        p.m = e.m;
      } else {
        gr->state = GState::Runnable;
        push_global(e.g);
      }
      break;
    }
    case K::Handoff:
      if (Proc* p = proc(e.p)) {
        p->status = PStatus::Idle;
        p->m = -1;
      }
      break;
    case K::ProcBusy:
      if (Proc* p = proc(e.p)) {
        p->status = PStatus::Running;
        p->m = e.m;
      }
      break;
    case K::ProcIdle:
      if (Proc* p = proc(e.p)) {
        if (p->running != 0)
          if (auto it = gs_.find(p->running); it != gs_.end()) it->second.p = -1;
        p->status = PStatus::Idle;
        p->running = 0;
        p->m = -1;
      }
      break;
    case K::ProcStop:
      if (Proc* p = proc(e.p)) p->status = PStatus::Stopped;
      break;
    case K::StopTheWorld:
      // Stop: every P is stopped (the stopper's too; ProcStop says each as it happens). Start:
      // the stopper's runs again; a stopped P with nothing queued goes idle, one with work stays
      // stopped until an M acquires it (ProcBusy).
      for (int i = 0; i < gomaxprocs_ && static_cast<size_t>(i) < procs_.size(); ++i) {
        Proc& p = procs_[static_cast<size_t>(i)];
        if (e.a0 == 1) {
          p.status = PStatus::Stopped;
        } else if (i == e.p) {
          p.status = PStatus::Running;
        } else if (p.status == PStatus::Stopped && p.runnext == 0 && p.local.empty()) {
          p.status = PStatus::Idle;
        }
      }
      break;
    case K::Gomaxprocs: {
      const int n = static_cast<int>(std::min<uint64_t>(e.a1, kMaxProcs));
      if (n < 1) {
        problem("gomaxprocs " + std::to_string(e.a1));
        break;
      }
      if (static_cast<size_t>(n) > procs_.size()) procs_.resize(static_cast<size_t>(n));
      for (int i = gomaxprocs_; i < n; ++i) procs_[static_cast<size_t>(i)].status = PStatus::Stopped;
      gomaxprocs_ = n;
      break;
    }
    case K::Steal:
      if (guess_steals_) guess_steal(e);
      break;
    case K::StealMove:
    case K::RunqFromGlobal:
    case K::RunqOverflow:
    case K::RunqToGlobalHead: apply_queue_moves(e); break;
    case K::ObjectCreate: {
      const gor::ObjectFields f = gor::object_fields(e);
      Object& o = objects_[f.object];
      o = Object{};
      o.kind = f.kind;
      o.capacity = f.capacity;
      o.name = f.name;
      break;
    }
    case K::ObjectDestroy: objects_.erase(e.a0); break;
    case K::ChanType:
      if (auto it = objects_.find(e.a0); it != objects_.end()) it->second.elem_type = e.a2;
      break;
    case K::ObjectValue:
      if (auto it = objects_.find(e.a0); it != objects_.end()) it->second.value = static_cast<int64_t>(e.a1);
      else problem("object_value of object " + std::to_string(e.a0) + ", which is not watched");
      break;
    case K::ChanSend:
    case K::ChanRecv:
      if (auto it = objects_.find(e.a0); it != objects_.end()) {
        if (e.a1 > it->second.capacity) problem("channel buffer level " + std::to_string(e.a1) + " over its capacity");
        it->second.len = e.a1;
      }
      break;
    case K::ChanClose:
      if (auto it = objects_.find(e.a0); it != objects_.end()) it->second.closed = true;
      break;
    case K::MutexAcquire:
      if (auto it = objects_.find(e.a0); it != objects_.end()) it->second.holder = e.g;
      if (auto g = gs_.find(e.g); g != gs_.end() && g->second.mutex_waiting == e.a0) g->second.mutex_waiting = 0;
      break;
    case K::MutexRelease:
      if (auto it = objects_.find(e.a0); it != objects_.end()) it->second.holder = 0;
      break;
    case K::MutexMode:
      if (auto it = objects_.find(e.a0); it != objects_.end()) {
        Object& o = it->second;
        o.starving = gor::mutex_starving(e);
        ++(o.starving ? o.starving_switches : o.normal_switches);
      }
      break;
    case K::TimerAdd: {
      const gor::TimerFields f = gor::timer_fields(e);
      if (f.timer != 0) timers_[f.timer] = Timer{f.when, f.code, f.periodic, e.g};
      break;
    }
    case K::TimerStop: timers_.erase(e.a0); break;
    case K::TimerFire: {
      const gor::TimerFields f = gor::timer_fields(e);
      // A one-shot timer is done; a Ticker is re-armed at once, and its TimerFire's `when` is
      // already the next one (timers.cpp sets it before recording the event).
      if (!f.periodic) timers_.erase(f.timer);
      else if (auto it = timers_.find(f.timer); it != timers_.end()) it->second.when = f.when;
      break;
    }
    default: break;
  }
  if (e.kind >= K::Count_) problem("unknown event kind " + std::to_string(static_cast<int>(e.kind)));
  ++applied_;
}

}  // namespace goroscope::trace
