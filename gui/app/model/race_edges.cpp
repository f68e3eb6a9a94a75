#include "model/race_edges.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <deque>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace goroscope::gui {

namespace {

using gor::EventKind;

// Knowledge is how much of one goroutine's timeline (`of`) each goroutine has seen, over time:
// per goroutine, the instants its knowledge grew, with the value and the edge that brought it.
class Knowledge {
 public:
  explicit Knowledge(uint64_t of) : of_(of) {}
  // at() is the latest instant of `of` that happens before goroutine x's point t (-1: none).
  int64_t at(uint64_t x, int64_t t) const {
    if (x == of_) return t;
    const Step* s = step_at(x, t);
    return s ? s->known : -1;
  }
  // cause() is the edge that last raised x's knowledge at or before t (-1: none).
  long cause(uint64_t x, int64_t t) const {
    const Step* s = step_at(x, t);
    return s ? s->edge : -1;
  }
  void raise(uint64_t x, int64_t t, int64_t known, long edge) {
    if (x == of_ || known <= at(x, t)) return;
    history_[x].push_back(Step{t, known, edge});
  }

 private:
  struct Step {
    int64_t ts;
    int64_t known;
    long edge;
  };
  const Step* step_at(uint64_t x, int64_t t) const {
    auto it = history_.find(x);
    if (it == history_.end()) return nullptr;
    const std::vector<Step>& h = it->second;
    auto s = std::upper_bound(h.begin(), h.end(), t, [](int64_t v, const Step& st) { return v < st.ts; });
    return s == h.begin() ? nullptr : &*(s - 1);
  }
  uint64_t of_;
  std::unordered_map<uint64_t, std::vector<Step>> history_;
};

HbEdge edge_of(HbKind kind, const gor::Event& from, const gor::Event& to, uint64_t object) {
  HbEdge e;
  e.kind = kind;
  e.from_g = from.g;
  e.to_g = to.g;
  e.from_ts = from.ts;
  e.to_ts = to.ts;
  e.from_p = from.p;
  e.to_p = to.p;
  e.object = object;
  return e;
}

// guess_edges() is the fallback for traces without RaceSync events: the synchronisation edges
// up to the race, guessed from the other events, followed forward in time.
void guess_edges(const std::vector<gor::Event>& events, const gor::Event& race, std::vector<HbEdge>& edges,
                 std::unordered_map<uint64_t, size_t>& created, Knowledge& of_other, Knowledge& of_g) {
  // 1. Every synchronisation edge up to the race.
  std::unordered_map<uint64_t, std::deque<const gor::Event*>> sends, recvs;  // per channel, unmatched
  std::unordered_map<uint64_t, const gor::Event*> closes, releases;
  for (const gor::Event& e : events) {
    if (e.ts > race.ts) break;
    switch (e.kind) {
      case EventKind::GoCreate:
        if (e.a0 != 0 && e.g != 0) {
          HbEdge h = edge_of(HbKind::Create, e, e, 0);
          h.from_g = e.a0;
          created[e.g] = edges.size();
          edges.push_back(h);
        }
        break;
      case EventKind::GoUnblock:
        if (e.a0 != 0 && e.a0 != e.g) {
          HbEdge h = edge_of(HbKind::Wake, e, e, 0);
          h.from_g = e.a0;
          edges.push_back(h);
        }
        break;
      case EventKind::ChanSend: {
        if (e.g == 0) break;
        auto& waiting = recvs[e.a0];
        if (!waiting.empty()) {  // a receive recorded just before its sender (a handoff)
          const gor::Event* r = waiting.front();
          waiting.pop_front();
          if (r->g != e.g) edges.push_back(edge_of(HbKind::Channel, e, *r, e.a0));
        } else {
          sends[e.a0].push_back(&e);
        }
        break;
      }
      case EventKind::ChanRecv: {
        if (e.g == 0) break;
        auto& queued = sends[e.a0];
        if (!queued.empty()) {  // the k-th receive takes the k-th value sent
          const gor::Event* s = queued.front();
          queued.pop_front();
          if (s->g != e.g) edges.push_back(edge_of(HbKind::Channel, *s, e, e.a0));
        } else if (auto c = closes.find(e.a0); c != closes.end()) {
          if (c->second->g != 0 && c->second->g != e.g) edges.push_back(edge_of(HbKind::Close, *c->second, e, e.a0));
        } else {
          recvs[e.a0].push_back(&e);
        }
        break;
      }
      case EventKind::ChanClose:
        closes[e.a0] = &e;
        recvs[e.a0].clear();
        break;
      case EventKind::MutexRelease:
        if (e.g != 0) releases[e.a0] = &e;
        break;
      case EventKind::MutexAcquire:
        if (auto r = releases.find(e.a0); r != releases.end() && e.g != 0) {
          if (r->second->g != e.g) edges.push_back(edge_of(HbKind::Mutex, *r->second, e, e.a0));
          releases.erase(r);
        }
        break;
      default: break;
    }
  }

  // 2. Follow them forward in time: what of `other` and of g each goroutine has seen. An edge
  // takes effect when both its ends have happened.
  std::vector<size_t> order(edges.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto effect = [&](size_t i) { return std::max(edges[i].from_ts, edges[i].to_ts); };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return effect(a) < effect(b); });
  for (size_t i : order) {
    const HbEdge& h = edges[i];
    const int64_t t = effect(i);
    of_other.raise(h.to_g, t, of_other.at(h.from_g, h.from_ts), static_cast<long>(i));
    of_g.raise(h.to_g, t, of_g.at(h.from_g, h.from_ts), static_cast<long>(i));
  }
}

// RaceSync's op (gor::RaceSyncOp) as the numbers the replay compares.
enum SyncOp : uint64_t {
  OpAcquire = static_cast<uint64_t>(gor::RaceSyncOp::Acquire),
  OpRelease = static_cast<uint64_t>(gor::RaceSyncOp::Release),
  OpReleaseMerge = static_cast<uint64_t>(gor::RaceSyncOp::ReleaseMerge),
  OpReleaseAcquire = static_cast<uint64_t>(gor::RaceSyncOp::ReleaseAcquire),
  OpSync = static_cast<uint64_t>(gor::RaceSyncOp::Handoff)
};

HbKind kind_of_edge(gor::RaceEdge edge) {
  using E = gor::RaceEdge;
  switch (edge) {
    case E::Chan:
    case E::ChanSlot: return HbKind::Channel;
    case E::ChanClose: return HbKind::Close;
    case E::Mutex:
    case E::RWMutex: return HbKind::Mutex;
    case E::RWMutexRead: return HbKind::RUnlock;
    case E::WaitGroup: return HbKind::WaitGroup;
    case E::Once: return HbKind::Once;
    case E::Cond: return HbKind::Cond;
    case E::Semaphore: return HbKind::Semaphore;
    case E::Context: return HbKind::Cancel;
    case E::Unknown: break;
  }
  return HbKind::Sync;
}

// replay_detector() replays the detector's own edges (RaceSync) and the `go` edges in trace
// order, with a two-component copy of each sync clock: how much of `other` and of g it holds,
// and which release put it there (the tail of the edge an acquire draws).
void replay_detector(const std::vector<gor::Event>& events, const gor::Event& race, std::vector<HbEdge>& edges,
                     std::unordered_map<uint64_t, size_t>& created, Knowledge& of_other, Knowledge& of_g) {
  struct Point {
    uint64_t g = 0;
    int64_t ts = 0;
    int p = -1;
    bool operator==(const Point&) const = default;
  };
  struct Clock {
    int64_t known[2] = {-1, -1};
    Point cause[2];
  };
  Knowledge* k[2] = {&of_other, &of_g};
  std::map<std::array<uint64_t, 3>, Clock> clocks;  // (object, edge code, sub)
  // edge_to() adds (or reuses, for the second clock) the edge from `from` to e's goroutine.
  auto edge_to = [&](const Point& from, const gor::Event& e, uint64_t to_g, HbKind kind) {
    if (!edges.empty()) {
      const HbEdge& last = edges.back();
      if (last.from_g == from.g && last.from_ts == from.ts && last.to_g == to_g && last.to_ts == e.ts) {
        return static_cast<long>(edges.size() - 1);
      }
    }
    HbEdge h;
    h.kind = kind;
    h.from_g = from.g;
    h.to_g = to_g;
    h.from_ts = from.ts;
    h.to_ts = e.ts;
    h.from_p = from.p;
    h.to_p = to_g == e.g ? e.p : -1;
    h.object = e.a1;
    edges.push_back(h);
    return static_cast<long>(edges.size() - 1);
  };
  auto acquire = [&](const Clock& c, const gor::Event& e, HbKind kind) {
    for (int i = 0; i < 2; ++i) {
      if (c.known[i] > k[i]->at(e.g, e.ts)) k[i]->raise(e.g, e.ts, c.known[i], edge_to(c.cause[i], e, e.g, kind));
    }
  };
  auto store = [&](Clock& c, const gor::Event& e, bool merge) {
    const Point here{e.g, e.ts, e.p};
    for (int i = 0; i < 2; ++i) {
      const int64_t v = k[i]->at(e.g, e.ts);
      if (!merge || v > c.known[i]) {
        c.known[i] = v;
        c.cause[i] = here;
      }
    }
  };
  for (const gor::Event& e : events) {
    if (e.ts > race.ts) break;
    if (e.kind == EventKind::GoCreate) {
      if (e.a0 == 0 || e.g == 0) continue;
      HbEdge h = edge_of(HbKind::Create, e, e, 0);
      h.from_g = e.a0;
      created[e.g] = edges.size();
      edges.push_back(h);
      const long idx = static_cast<long>(edges.size() - 1);
      for (Knowledge* x : k) x->raise(e.g, e.ts, x->at(e.a0, e.ts), idx);
      continue;
    }
    if (e.kind != EventKind::RaceSync || e.g == 0) continue;
    const gor::RaceSyncFields f = gor::race_sync_fields(e);
    const uint64_t op = static_cast<uint64_t>(f.op), code = static_cast<uint64_t>(f.edge), sub = f.subclock;
    const HbKind kind = kind_of_edge(f.edge);
    if (op == OpSync) {
      if (e.a0 == 0) continue;
      const Point a{e.g, e.ts, e.p}, b{e.a0, e.ts, -1};
      int64_t ka[2], kb[2];
      for (int i = 0; i < 2; ++i) {
        ka[i] = k[i]->at(e.g, e.ts);
        kb[i] = k[i]->at(e.a0, e.ts);
      }
      for (int i = 0; i < 2; ++i) {
        if (kb[i] > ka[i]) k[i]->raise(e.g, e.ts, kb[i], edge_to(b, e, e.g, kind));
        if (ka[i] > kb[i]) k[i]->raise(e.a0, e.ts, ka[i], edge_to(a, e, e.a0, kind));
      }
      continue;
    }
    Clock& c = clocks[{e.a1, code, sub}];
    switch (op) {
      case OpAcquire: acquire(c, e, kind); break;
      case OpRelease: store(c, e, false); break;
      case OpReleaseMerge: store(c, e, true); break;
      case OpReleaseAcquire: {
        const Clock old = c;  // the slot's clock before this operation, acquired after the store
        store(c, e, false);
        acquire(old, e, kind);
        break;
      }
      default: break;
    }
  }
}

}  // namespace

RaceEdges race_hb_edges(const std::vector<gor::Event>& events, const gor::Event& race) {
  RaceEdges out;
  out.ts = race.ts;
  out.g = race.g;
  out.other = race.a0;
  out.p = race.p;

  std::vector<HbEdge> edges;
  std::unordered_map<uint64_t, size_t> created;  // child -> its GoCreate edge
  Knowledge of_other(out.other), of_g(out.g);
  out.from_detector = std::any_of(events.begin(), events.end(), [](const gor::Event& e) { return e.kind == EventKind::RaceSync; });
  if (out.from_detector) {
    replay_detector(events, race, edges, created, of_other, of_g);
  } else {
    guess_edges(events, race, edges, created, of_other, of_g);
  }
  out.other_ordered_until = out.other != 0 ? of_other.at(out.g, race.ts) : -1;
  out.g_ordered_until = out.other != 0 ? of_g.at(out.other, race.ts) : -1;

  // 3. The chains behind those two instants, walked back edge by edge.
  std::unordered_set<size_t> chosen;
  auto walk = [&](const Knowledge& k, uint64_t source, uint64_t x, int64_t t) {
    for (int steps = 0; steps < 256 && x != source; ++steps) {
      const long c = k.cause(x, t);
      if (c < 0 || !chosen.insert(static_cast<size_t>(c)).second) break;
      x = edges[static_cast<size_t>(c)].from_g;
      t = edges[static_cast<size_t>(c)].from_ts;
    }
  };
  if (out.other != 0) {
    walk(of_other, out.other, out.g, race.ts);
    walk(of_g, out.g, out.other, race.ts);
  }

  // 4. The `go` edges from the two goroutines' nearest common creator down to each of them.
  auto ancestors = [&](uint64_t g) {
    std::vector<uint64_t> chain{g};
    for (int depth = 0; depth < 64; ++depth) {
      auto it = created.find(chain.back());
      if (it == created.end()) break;
      chain.push_back(edges[it->second].from_g);
    }
    return chain;
  };
  const std::vector<uint64_t> up_g = ancestors(out.g);
  const std::vector<uint64_t> up_other = out.other != 0 ? ancestors(out.other) : std::vector<uint64_t>{};
  auto add_creations = [&](const std::vector<uint64_t>& chain, const std::vector<uint64_t>& stop_at) {
    for (uint64_t x : chain) {
      if (std::find(stop_at.begin(), stop_at.end(), x) != stop_at.end()) break;
      auto it = created.find(x);
      if (it == created.end()) break;
      chosen.insert(it->second);
    }
  };
  add_creations(up_g, up_other);
  add_creations(up_other, up_g);

  out.edges.reserve(chosen.size());
  for (size_t i : chosen) out.edges.push_back(edges[i]);
  std::sort(out.edges.begin(), out.edges.end(), [](const HbEdge& a, const HbEdge& b) {
    return a.from_ts != b.from_ts ? a.from_ts < b.from_ts : a.to_ts < b.to_ts;
  });
  return out;
}

std::string describe_race_sync(const gor::Event& e) {
  const gor::RaceSyncFields f = gor::race_sync_fields(e);
  const uint64_t op = static_cast<uint64_t>(f.op), code = static_cast<uint64_t>(f.edge), sub = f.subclock;
  static const char* const kObjects[] = {"object", "channel",   "channel slot", "channel close", "mutex",   "rwmutex",
                                         "rwmutex", "waitgroup", "once",         "cond",          "semaphore", "context"};
  std::string what = code < std::size(kObjects) ? kObjects[code] : "object";
  if (e.a1 != 0) what += " #" + std::to_string(e.a1);
  if (f.edge == gor::RaceEdge::ChanSlot && sub > 0) what += " slot " + std::to_string(sub - 1);
  if (f.edge == gor::RaceEdge::RWMutexRead) what += " (runlocks)";
  const std::string from = e.a0 != 0 ? " from G" + std::to_string(e.a0) : std::string();
  switch (op) {
    case OpAcquire: return "race: acquired " + what + from;
    case OpRelease: return "race: released " + what;
    case OpReleaseMerge: return "race: released " + what + " (merged)";
    case OpReleaseAcquire: return "race: released and acquired " + what + from;
    case OpSync: return "race: handoff on " + what + (e.a0 != 0 ? " with G" + std::to_string(e.a0) : std::string());
    default: return "race: sync " + what;
  }
}

RaceSummary summarize_race_report(const std::string& report) {
  RaceSummary s;
  std::istringstream in(report);
  std::string line;
  std::string* want_site = nullptr;  // the next "file:line" line goes here
  int skip = 0;                      // lines to skip first (the function name)
  auto trim = [](std::string v) {
    const size_t a = v.find_first_not_of(" \t");
    const size_t b = v.find_last_not_of(" \t\r");
    return a == std::string::npos ? std::string() : v.substr(a, b - a + 1);
  };
  auto base = [](const std::string& site) {
    const size_t slash = site.find_last_of('/');
    return slash == std::string::npos ? site : site.substr(slash + 1);
  };
  while (std::getline(in, line)) {
    if (want_site) {
      if (skip > 0) {
        // A channel's access has the runtime's frame on top (runtime.chansend/closechan), as in
        // Go: skip it too, the user's frame is below.
        if (trim(line).rfind("runtime.", 0) != 0) --skip;
        continue;
      }
      *want_site = base(trim(line));
      want_site = nullptr;
      continue;
    }
    if (s.access.empty() && (line.rfind("Write at ", 0) == 0 || line.rfind("Read at ", 0) == 0)) {
      s.access = line.substr(0, line.find(' '));
      want_site = &s.access_site;
      skip = 1;
    } else if (s.previous.empty() && line.rfind("Previous ", 0) == 0) {
      const size_t a = 9, b = line.find(' ', a);
      s.previous = line.substr(a, b == std::string::npos ? std::string::npos : b - a);
      want_site = &s.previous_site;
      skip = 1;
    } else if (s.location.empty() && line.rfind("Location is ", 0) == 0) {
      // `Location is Shared "x" of size 8 at ...` or `Location is channel "jobs" at ...`.
      const size_t k = 12, sp = line.find(' ', k);
      const std::string what = line.substr(k, sp == std::string::npos ? std::string::npos : sp - k);
      const size_t q1 = line.find('"');
      const size_t q2 = q1 == std::string::npos ? q1 : line.find('"', q1 + 1);
      if (q2 != std::string::npos) {
        s.location = what + " " + line.substr(q1, q2 - q1 + 1);
      } else if (what == "channel") {
        s.location = "channel";
      }
    }
  }
  return s;
}

}  // namespace goroscope::gui
