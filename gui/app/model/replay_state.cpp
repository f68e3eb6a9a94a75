#include "model/replay_state.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>


#include "model/trace_store.hpp"

namespace goroscope::gui {

namespace {

// Queue entries are (goroutine, sequence number): an entry is live while the goroutine's
// current queue sequence number is still that one, so taking a goroutine off any queue is
// O(1) (the dead entry is skipped later) however long the queues grow.
struct Entry {
  uint64_t g = 0;
  uint64_t seq = 0;
};

struct Proc {
  uint64_t running = 0;
  Entry runnext;
  std::deque<Entry> local;
  bool syscall = false;
};

struct G {
  std::string state = "runnable";
  std::string reason;
  uintptr_t object = 0;
  std::string blocked_at;
  int64_t since = 0;
  int p = -1;
};

class Rebuild {
 public:
  Rebuild(const TraceStore& store, int procs) : store_(store) { procs_.resize(static_cast<size_t>(std::max(procs, 1))); }

  void apply(const gor::Event& e) {
    using K = gor::EventKind;
    if (e.p >= 0 && static_cast<size_t>(e.p) >= procs_.size()) procs_.resize(static_cast<size_t>(e.p) + 1);
    switch (e.kind) {
      case K::GoCreate:
        gs_[e.g].since = e.ts;
        if (e.p >= 0) put_runnext(e.p, e.g); else global_.push_back(enqueue(e.g));
        break;
      case K::GoUnblock: {
        G& g = gs_[e.g];
        g.state = "runnable";
        g.reason.clear();
        g.object = 0;
        const auto where = static_cast<gor::Placement>(e.a1);
        if (where == gor::Placement::Global || e.p < 0) global_.push_back(enqueue(e.g));
        else if (where == gor::Placement::Runnext) put_runnext(e.p, e.g);
        else procs_[static_cast<size_t>(e.p)].local.push_back(enqueue(e.g));
        break;
      }
      case K::GoStart: {
        unqueue(e.g);
        stop_running(e.g);
        G& g = gs_[e.g];
        g.state = "running";
        g.p = e.p;
        if (e.p >= 0) {
          Proc& p = procs_[static_cast<size_t>(e.p)];
          if (p.running && p.running != e.g) running_on_.erase(p.running);
          p.running = e.g;
          running_on_[e.g] = e.p;
          procs_[static_cast<size_t>(e.p)].syscall = false;
        }
        break;
      }
      case K::GoBlock: {
        stop_running(e.g);
        G& g = gs_[e.g];
        g.state = "waiting";
        g.reason = gor::wait_reason_text(gor::block_fields(e).reason);
        g.object = static_cast<uintptr_t>(e.a1);
        g.blocked_at = store_.string(e.a2);
        g.since = e.ts;
        break;
      }
      case K::GoYield:
      case K::GoPreempted:
        stop_running(e.g);
        gs_[e.g].state = "runnable";
        global_.push_back(enqueue(e.g));
        break;
      case K::GoEnd:
        stop_running(e.g);
        unqueue(e.g);
        gs_.erase(e.g);
        break;
      case K::SyscallEnter:
        gs_[e.g].state = "syscall";
        gs_[e.g].since = e.ts;
        if (e.p >= 0) procs_[static_cast<size_t>(e.p)].syscall = true;
        break;
      case K::SyscallExit:
        if (e.a0 == 1) {
          gs_[e.g].state = "running";
          if (e.p >= 0) procs_[static_cast<size_t>(e.p)].syscall = false;
        } else {
          stop_running(e.g);
          gs_[e.g].state = "runnable";
          global_.push_back(enqueue(e.g));
        }
        break;
      case K::Handoff:
        if (e.p >= 0) {
          Proc& p = procs_[static_cast<size_t>(e.p)];
          p.syscall = false;
          p.running = 0;  // the goroutine in the syscall keeps its M, not the P
        }
        break;
      case K::StealMove:  // the engine names each moved goroutine: move exactly that one
        if (e.p >= 0 && e.g) procs_[static_cast<size_t>(e.p)].local.push_back(enqueue(e.g));
        break;
      case K::Steal:
        // A trace without StealMove events (recorded before the engine named the moved
        // goroutines): move the victim's oldest ones, as Go's runqgrab takes from the head.
        if (store_.count(K::StealMove) == 0 && e.p >= 0 && e.a0 < procs_.size()) {
          Proc& victim = procs_[static_cast<size_t>(e.a0)];
          Proc& thief = procs_[static_cast<size_t>(e.p)];
          for (uint64_t n = 0; n < e.a1; ++n) {
            while (!victim.local.empty() && !live(victim.local.front())) victim.local.pop_front();
            if (!victim.local.empty()) {
              thief.local.push_back(enqueue(victim.local.front().g));
              victim.local.pop_front();
            } else if (live(victim.runnext)) {
              thief.local.push_back(enqueue(victim.runnext.g));
              victim.runnext = Entry{};
            }
          }
        }
        break;
      case K::Gomaxprocs:
        gomaxprocs_ = static_cast<int>(e.a1);
        if (static_cast<size_t>(gomaxprocs_) > procs_.size()) procs_.resize(static_cast<size_t>(gomaxprocs_));
        break;
      default: break;
    }
    // Dead entries at the queues' fronts go at once, so the queues stay near their real length.
    while (!global_.empty() && !live(global_.front())) global_.pop_front();
    if (e.p >= 0) {
      std::deque<Entry>& q = procs_[static_cast<size_t>(e.p)].local;
      while (!q.empty() && !live(q.front())) q.pop_front();
    }
  }

  gor::Snapshot snapshot(int64_t t) const {
    gor::Snapshot s;
    s.now_ns = t;
    s.paused = true;
    s.gomaxprocs = gomaxprocs_ > 0 ? gomaxprocs_ : static_cast<int>(procs_.size());
    for (size_t i = 0; i < procs_.size() && static_cast<int>(i) < s.gomaxprocs; ++i) {
      const Proc& p = procs_[i];
      gor::ProcessorInfo info;
      info.id = static_cast<int>(i);
      info.running = p.running;
      info.runnext = live(p.runnext) ? p.runnext.g : 0;
      for (const Entry& q : p.local)
        if (live(q)) info.local_queue.push_back(q.g);
      info.status = p.syscall ? "syscall" : p.running ? "running" : "idle";
      info.m = p.running ? static_cast<int>(i) : -1;
      s.procs.push_back(std::move(info));
    }
    for (const Entry& q : global_)
      if (live(q)) s.global_queue.push_back(q.g);
    for (const auto& [id, g] : gs_) {
      gor::GoroutineInfo info;
      info.id = id;
      if (const GoroutineRecord* r = store_.goroutine(id)) {
        info.parent = r->parent;
        info.label = r->label;
        info.created_at = r->created_at;
      }
      info.state = g.state;
      info.wait_reason = g.reason;
      info.wait_object = g.object;
      info.blocked_at = g.blocked_at;
      info.since_ns = g.since;
      info.p = g.state == "running" ? g.p : -1;
      s.goroutines.push_back(std::move(info));
    }
    return s;
  }

 private:
  // enqueue() is a new live entry for g (any older entry of g dies).
  Entry enqueue(uint64_t g) {
    const Entry e{g, ++seq_};
    queued_[g] = e.seq;
    return e;
  }
  bool live(const Entry& e) const {
    if (!e.g) return false;
    auto it = queued_.find(e.g);
    return it != queued_.end() && it->second == e.seq;
  }
  void put_runnext(int p, uint64_t g) {
    Proc& proc = procs_[static_cast<size_t>(p)];
    if (live(proc.runnext)) proc.local.push_back(enqueue(proc.runnext.g));  // kicked out to the tail, as in Go
    proc.runnext = enqueue(g);
  }
  void stop_running(uint64_t g) {
    auto it = running_on_.find(g);
    if (it == running_on_.end()) return;
    Proc& p = procs_[static_cast<size_t>(it->second)];
    if (p.running == g) p.running = 0;
    running_on_.erase(it);
  }
  void unqueue(uint64_t g) { queued_.erase(g); }

  const TraceStore& store_;
  std::vector<Proc> procs_;
  std::deque<Entry> global_;
  std::unordered_map<uint64_t, uint64_t> queued_;  // goroutine -> sequence of its live entry
  std::unordered_map<uint64_t, int> running_on_;   // goroutine -> the P it runs on
  uint64_t seq_ = 0;
  std::map<uint64_t, G> gs_;  // by id, as Snapshot::goroutines
  int gomaxprocs_ = 0;
};

}  // namespace

gor::Snapshot replay_snapshot(const TraceStore& store, int64_t t, int procs) {
  Rebuild r(store, procs);
  const std::vector<gor::Event>& ev = store.events();
  const auto end = std::partition_point(ev.begin(), ev.end(), [&](const gor::Event& e) { return e.ts <= t; });
  for (auto it = ev.begin(); it != end; ++it) r.apply(*it);
  return r.snapshot(t);
}

struct ReplayIndex::State {
  Rebuild rebuild;
};

ReplayIndex::ReplayIndex(size_t stride, size_t max_checkpoints)
    : initial_stride_(std::max<size_t>(stride, 1)), stride_(initial_stride_),
      max_checkpoints_(std::max<size_t>(max_checkpoints, 2)) {}
ReplayIndex::~ReplayIndex() = default;
ReplayIndex::ReplayIndex(ReplayIndex&&) noexcept = default;
ReplayIndex& ReplayIndex::operator=(ReplayIndex&&) noexcept = default;

size_t ReplayIndex::checkpoints() const { return checkpoints_.size(); }

gor::Snapshot ReplayIndex::snapshot(const TraceStore& store, int64_t t, int procs) {
  const std::vector<gor::Event>& ev = store.events();
  const size_t end = static_cast<size_t>(
      std::partition_point(ev.begin(), ev.end(), [&](const gor::Event& e) { return e.ts <= t; }) - ev.begin());
  return state_after(store, end, procs).rebuild.snapshot(t);
}

gor::Snapshot ReplayIndex::snapshot_after(const TraceStore& store, size_t count, int procs) {
  const size_t end = std::min(count, store.size());
  const int64_t t = end > 0 ? store.events()[end - 1].ts : 0;
  return state_after(store, end, procs).rebuild.snapshot(t);
}

ReplayIndex::State ReplayIndex::state_after(const TraceStore& store, size_t end, int procs) {
  if (store.generation() != generation_ || store.size() != size_ || procs != procs_) {
    checkpoints_.clear();
    stride_ = initial_stride_;
    generation_ = store.generation();
    size_ = store.size();
    procs_ = procs;
  }
  const std::vector<gor::Event>& ev = store.events();
  size_t k = end / stride_;  // the checkpoint to start from: after k * stride_ events
  if (checkpoints_.empty()) checkpoints_.push_back(std::make_unique<State>(State{Rebuild(store, procs)}));
  while (checkpoints_.size() <= k) {  // extend the chain as far as this query needs
    if (checkpoints_.size() == max_checkpoints_) {
      // Full: keep checkpoints 0, 2, 4, ... (after 0, 2s, 4s, ... events), which are exactly
      // the checkpoints of stride 2s.
      for (size_t i = 0; 2 * i < checkpoints_.size(); ++i) checkpoints_[i] = std::move(checkpoints_[2 * i]);
      checkpoints_.resize((checkpoints_.size() + 1) / 2);
      stride_ *= 2;
      k = end / stride_;
      continue;
    }
    const size_t from = (checkpoints_.size() - 1) * stride_;
    auto next = std::make_unique<State>(*checkpoints_.back());
    for (size_t i = from; i < from + stride_; ++i) next->rebuild.apply(ev[i]);
    checkpoints_.push_back(std::move(next));
  }
  State r = *checkpoints_[k];
  for (size_t i = k * stride_; i < end; ++i) r.rebuild.apply(ev[i]);
  last_replayed_ = end - k * stride_;
  return r;
}

}  // namespace goroscope::gui
