// reducer_snapshot.cpp — RunReducer's state as a gor::Snapshot, and the field-by-field
// comparison of two snapshots (first_difference).
#include <algorithm>
#include <map>
#include <sstream>
#include <tuple>

#include "run_reducer.hpp"

namespace goroscope::trace {

namespace {

const char* timer_kind_text(gor::TimerCode code, bool periodic) {
  switch (code) {
    case gor::TimerCode::Sleep: return "sleep";
    case gor::TimerCode::After: return "after";
    case gor::TimerCode::Context: return "context";
    case gor::TimerCode::Timer: break;
  }
  return periodic ? "ticker" : "timer";
}

std::vector<gor::WaiterInfo> waiters_of(const auto& q) {
  std::vector<gor::WaiterInfo> out;
  for (const auto& w : q) out.push_back(gor::WaiterInfo{w.g, w.since});
  return out;
}

std::vector<uint64_t> ids_of(const auto& q) {
  std::vector<uint64_t> out;
  for (const auto& w : q) out.push_back(w.g);
  return out;
}

}  // namespace

gor::Snapshot RunReducer::snapshot(const StringOf& string_of) const {
  auto text = [&](uint64_t id) { return id != 0 && string_of ? string_of(id) : std::string(); };
  gor::Snapshot s;
  s.now_ns = last_ns_;
  s.paused = true;
  s.gomaxprocs = gomaxprocs_;
  static const char* const kPStatus[] = {"idle", "running", "syscall", "stopped"};
  for (int i = 0; i < gomaxprocs_; ++i) {
    const Proc& p = procs_[static_cast<size_t>(i)];
    gor::ProcessorInfo info;
    info.id = i;
    info.status = kPStatus[static_cast<int>(p.status)];
    info.running = p.running;
    info.runnext = p.runnext;
    info.local_queue.assign(p.local.begin(), p.local.end());
    info.m = p.m;
    s.procs.push_back(std::move(info));
  }
  s.global_queue.assign(global_.begin(), global_.end());
  static const char* const kGState[] = {"runnable", "running", "waiting", "syscall"};
  for (const auto& [id, g] : gs_) {
    gor::GoroutineInfo info;
    info.id = id;
    info.parent = g.parent;
    info.label = text(g.label);
    info.state = kGState[static_cast<int>(g.state)];
    if (g.state == GState::Waiting || g.state == GState::Syscall) {
      info.wait_reason = gor::wait_reason_text(g.reason);
      info.wait_object = static_cast<uintptr_t>(g.object);
      info.blocked_at = text(g.blocked_site);
    }
    info.created_at = text(g.created_site);
    info.since_ns = g.since;
    info.p = g.state == GState::Running ? g.p : -1;
    s.goroutines.push_back(std::move(info));
  }
  for (const auto& [id, o] : objects_) {
    switch (o.kind) {
      case gor::ObjectKind::Channel: {
        gor::ChannelInfo info;
        info.id = id;
        info.name = text(o.name);
        info.elem_type = text(o.elem_type);
        info.cap = o.capacity;
        info.len = o.len;
        info.closed = o.closed;
        info.sendq = ids_of(o.sendq);
        info.recvq = ids_of(o.recvq);
        s.channels.push_back(std::move(info));
        break;
      }
      case gor::ObjectKind::Mutex:
      case gor::ObjectKind::RWMutex: {
        gor::MutexInfo info;
        info.id = id;
        info.name = text(o.name);
        info.kind = gor::object_kind_text(o.kind);
        info.holder = o.holder;
        info.starving = o.starving;
        info.starving_switches = o.starving_switches;
        info.normal_switches = o.normal_switches;
        info.waiters = waiters_of(o.sendq);
        s.mutexes.push_back(std::move(info));
        break;
      }
      default: {
        gor::SyncObjectInfo info;
        info.id = id;
        info.name = text(o.name);
        info.kind = gor::object_kind_text(o.kind);
        info.capacity = o.kind == gor::ObjectKind::Semaphore ? static_cast<int64_t>(o.capacity) : 0;
        info.value = o.value;
        info.waiters = waiters_of(o.sendq);
        s.sync_objects.push_back(std::move(info));
        break;
      }
    }
  }
  for (const auto& [id, t] : timers_) {
    gor::TimerInfo info;
    info.when_ns = t.when;
    info.kind = timer_kind_text(t.code, t.periodic);
    info.g = t.code == gor::TimerCode::Sleep ? t.g : 0;
    s.timers.push_back(std::move(info));
  }
  std::sort(s.timers.begin(), s.timers.end(), [](const gor::TimerInfo& a, const gor::TimerInfo& b) {
    return std::tie(a.when_ns, a.kind, a.g) < std::tie(b.when_ns, b.kind, b.g);
  });
  s.pending_timers = s.timers.size();
  return s;
}

// --- first_difference ------------------------------------------------------------------------

namespace {

std::string show(const std::string& v) { return "\"" + v + "\""; }
template <class T>
std::string show(const T& v) {
  std::ostringstream out;
  out << v;
  return out.str();
}
std::string show(const std::vector<uint64_t>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + std::to_string(v[i]);
  return out + "]";
}
std::string show(const std::vector<gor::WaiterInfo>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + std::to_string(v[i].g) + "@" + std::to_string(v[i].since_ns);
  return out + "]";
}

// Differ collects the first difference; each check is skipped once one was found.
struct Differ {
  std::string first;
  template <class T>
  void check(const std::string& field, const T& a, const T& b) {
    if (first.empty() && !(a == b)) first = field + ": " + show(a) + " vs " + show(b);
  }
};

bool same_waiters(const std::vector<gor::WaiterInfo>& a, const std::vector<gor::WaiterInfo>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const gor::WaiterInfo& x, const gor::WaiterInfo& y) { return x.g == y.g && x.since_ns == y.since_ns; });
}

}  // namespace

std::string first_difference(const gor::Snapshot& a, const gor::Snapshot& b) {
  Differ d;
  d.check("gomaxprocs", a.gomaxprocs, b.gomaxprocs);
  d.check("procs.size", a.procs.size(), b.procs.size());
  for (size_t i = 0; d.first.empty() && i < a.procs.size(); ++i) {
    const gor::ProcessorInfo &x = a.procs[i], &y = b.procs[i];
    const std::string at = "procs[" + std::to_string(i) + "].";
    d.check(at + "status", x.status, y.status);
    d.check(at + "running", x.running, y.running);
    d.check(at + "runnext", x.runnext, y.runnext);
    d.check(at + "local_queue", x.local_queue, y.local_queue);
    d.check(at + "m", x.m, y.m);
  }
  d.check("global_queue", a.global_queue, b.global_queue);
  std::vector<uint64_t> ga, gb;
  for (const gor::GoroutineInfo& g : a.goroutines) ga.push_back(g.id);
  for (const gor::GoroutineInfo& g : b.goroutines) gb.push_back(g.id);
  d.check("goroutines", ga, gb);
  // A channel queue entry is comparable when its goroutine waits on that very channel in a
  // plain send or receive; a select's entries (waiting, or woken and not yet run: it takes its
  // other entries off itself, as Go's selectgo does) are absent from the rebuilt queues.
  std::map<uint64_t, std::pair<std::string, uint64_t>> waits;  // goroutine -> (reason, object)
  for (size_t i = 0; d.first.empty() && i < a.goroutines.size(); ++i) {
    const gor::GoroutineInfo &x = a.goroutines[i], &y = b.goroutines[i];
    const std::string at = "G" + std::to_string(x.id) + ".";
    if (x.state == "waiting") waits[x.id] = {x.wait_reason, static_cast<uint64_t>(x.wait_object)};
    d.check(at + "state", x.state, y.state);
    d.check(at + "wait_reason", x.wait_reason, y.wait_reason);
    d.check(at + "wait_object", static_cast<uint64_t>(x.wait_object), static_cast<uint64_t>(y.wait_object));
    d.check(at + "since_ns", x.since_ns, y.since_ns);
    d.check(at + "p", x.p, y.p);
    d.check(at + "parent", x.parent, y.parent);
    d.check(at + "label", x.label, y.label);
    d.check(at + "created_at", x.created_at, y.created_at);
    d.check(at + "blocked_at", x.blocked_at, y.blocked_at);
  }
  auto plain_waits = [&](const std::vector<uint64_t>& q, uint64_t chan) {
    std::vector<uint64_t> out;
    for (uint64_t g : q) {
      auto it = waits.find(g);
      if (it != waits.end() && it->second.second == chan &&
          (it->second.first == "chan send" || it->second.first == "chan receive"))
        out.push_back(g);
    }
    return out;
  };
  std::vector<uint64_t> ca, cb;
  for (const gor::ChannelInfo& c : a.channels) ca.push_back(c.id);
  for (const gor::ChannelInfo& c : b.channels) cb.push_back(c.id);
  d.check("channels", ca, cb);
  for (size_t i = 0; d.first.empty() && i < a.channels.size(); ++i) {
    const gor::ChannelInfo &x = a.channels[i], &y = b.channels[i];
    const std::string at = "chan " + std::to_string(x.id) + ".";
    d.check(at + "name", x.name, y.name);
    d.check(at + "elem_type", x.elem_type, y.elem_type);
    d.check(at + "cap", x.cap, y.cap);
    d.check(at + "len", x.len, y.len);
    d.check(at + "closed", x.closed, y.closed);
    d.check(at + "sendq", plain_waits(x.sendq, x.id), plain_waits(y.sendq, x.id));
    d.check(at + "recvq", plain_waits(x.recvq, x.id), plain_waits(y.recvq, x.id));
  }
  std::vector<uint64_t> ma, mb;
  for (const gor::MutexInfo& m : a.mutexes) ma.push_back(m.id);
  for (const gor::MutexInfo& m : b.mutexes) mb.push_back(m.id);
  d.check("mutexes", ma, mb);
  for (size_t i = 0; d.first.empty() && i < a.mutexes.size(); ++i) {
    const gor::MutexInfo &x = a.mutexes[i], &y = b.mutexes[i];
    const std::string at = "mutex " + std::to_string(x.id) + ".";
    d.check(at + "name", x.name, y.name);
    d.check(at + "kind", x.kind, y.kind);
    d.check(at + "holder", x.holder, y.holder);
    d.check(at + "starving", x.starving, y.starving);
    d.check(at + "starving_switches", x.starving_switches, y.starving_switches);
    d.check(at + "normal_switches", x.normal_switches, y.normal_switches);
    if (d.first.empty() && !same_waiters(x.waiters, y.waiters))
      d.first = at + "waiters: " + show(x.waiters) + " vs " + show(y.waiters);
  }
  std::vector<uint64_t> sa, sb;
  for (const gor::SyncObjectInfo& o : a.sync_objects) sa.push_back(o.id);
  for (const gor::SyncObjectInfo& o : b.sync_objects) sb.push_back(o.id);
  d.check("sync_objects", sa, sb);
  for (size_t i = 0; d.first.empty() && i < a.sync_objects.size(); ++i) {
    const gor::SyncObjectInfo &x = a.sync_objects[i], &y = b.sync_objects[i];
    const std::string at = x.kind + " " + std::to_string(x.id) + ".";
    d.check(at + "name", x.name, y.name);
    d.check(at + "kind", x.kind, y.kind);
    d.check(at + "capacity", x.capacity, y.capacity);
    if (x.kind == "WaitGroup" || x.kind == "Semaphore") d.check(at + "value", x.value, y.value);
    if (d.first.empty() && !same_waiters(x.waiters, y.waiters))
      d.first = at + "waiters: " + show(x.waiters) + " vs " + show(y.waiters);
  }
  // Timers: when, kind and the sleeping goroutine (not the period: kNotFromEvents), ordered by
  // (when, kind, g) on both sides (the engine orders equal `when`s by its heaps).
  auto timers_of = [](const gor::Snapshot& s) {
    std::vector<std::tuple<int64_t, std::string, uint64_t>> out;
    for (const gor::TimerInfo& t : s.timers) out.emplace_back(t.when_ns, t.kind, t.g);
    std::sort(out.begin(), out.end());
    return out;
  };
  if (d.first.empty()) {
    const auto ta = timers_of(a), tb = timers_of(b);
    if (ta != tb) {
      auto text = [](const auto& v) {
        std::string out = "[";
        for (const auto& [when, kind, g] : v) out += (out.size() > 1 ? " " : "") + kind + "@" + std::to_string(when) + (g ? "/G" + std::to_string(g) : "");
        return out + "]";
      };
      d.first = "timers: " + text(ta) + " vs " + text(tb);
    }
  }
  return d.first;
}

}  // namespace goroscope::trace
