#include "model/timeline_model.hpp"

#include <algorithm>
#include <array>
#include <new>
#include <map>
#include <memory>
#include <unordered_set>


#include <gor/runtime.hpp>
#include "model/event_prefix.hpp"
#include "model/page_warmer.hpp"

namespace goroscope::gui {

namespace {

// push_big() appends to one of the arrays that grow with the run (slices, blocks, wake-ups).
// Doubling a vector of millions copies and page-faults hundreds of MB in one frame of a live
// run, so past kBigArray elements the first growth reserves kBigReserve at once: address
// space only (pages are committed as they are written, in 2 MiB pages where the kernel
// allows), and the array stops moving until a run outgrows that. From then on `warmer`
// commits the pages kWarmStep elements ahead of the writes, on its own thread, so the UI
// thread does not take the page faults (see PageWarmer).
constexpr size_t kBigArray = size_t{1} << 17;
constexpr size_t kBigReserve = size_t{1} << 22;
constexpr size_t kWarmStep = size_t{1} << 16;

template <class T>
void push_big(std::vector<T>& v, const T& x, std::shared_ptr<PageWarmer>& warmer) {
  if (v.size() == v.capacity() && v.size() >= kBigArray) {
    const size_t want = std::max(2 * v.size(), kBigReserve);
    try {
      v.reserve(want);
    } catch (const std::bad_alloc&) {  // strict overcommit: grow as usual
      v.reserve(v.size() + v.size() / 2);
    }
    advise_huge_pages(v.data() + v.size(), (v.capacity() - v.size()) * sizeof(T));
    if (!warmer) warmer = std::make_shared<PageWarmer>();
    warmer->warm(v.data() + v.size(), std::min(2 * kWarmStep, v.capacity() - v.size()) * sizeof(T));
  } else if (warmer && v.capacity() >= kBigReserve && v.size() % kWarmStep == 0 && v.size() + 2 * kWarmStep <= v.capacity()) {
    warmer->warm(v.data() + v.size() + kWarmStep, kWarmStep * sizeof(T));  // one step ahead
  }
  v.push_back(x);
}

}  // namespace

const char* marker_kind_name(MarkerKind k) {
  switch (k) {
    case MarkerKind::Steal: return "steal";
    case MarkerKind::Handoff: return "handoff";
    case MarkerKind::Preempt: return "preempted";
    case MarkerKind::MutexStarving: return "mutex starving";
    case MarkerKind::MutexNormal: return "mutex normal";
    case MarkerKind::Panic: return "panic";
    case MarkerKind::Deadlock: return "deadlock";
    case MarkerKind::PartialDeadlock: return "partial deadlock";
    case MarkerKind::Race: return "data race";
    case MarkerKind::Count_: break;
  }
  return "?";
}

std::string wait_reason_name(uint32_t reason) {
  if (reason == kSyscallReason) return "syscall";
  if (reason >= static_cast<uint32_t>(gor::WaitReason::Count_)) return "reason " + std::to_string(reason);
  const std::string text = gor::wait_reason_text(static_cast<gor::WaitReason>(reason));
  return text.empty() ? "blocked" : text;
}

void TimelineModel::clear() {
  if (warmer_) warmer_->drop();  // the arrays it would warm are about to go
  lanes_.clear();
  run_markers_.clear();
  wakes_.clear();
  blocks_.clear();
  tracks_.clear();
  story_.clear();
  end_ns_ = 0;
  run_ns_ = blocked_ns_ = 0;
  prefix_ = TakenPrefix{};
}

TimelineModel::Lane& TimelineModel::lane(int p) {
  if (static_cast<size_t>(p) >= lanes_.size()) lanes_.resize(static_cast<size_t>(p) + 1);
  return lanes_[static_cast<size_t>(p)];
}

void TimelineModel::ensure_lanes(int procs) {
  if (procs > 0) lane(std::min(procs, 4096) - 1);
}

void TimelineModel::append(const gor::Event* events, size_t count) {
  if (count >= 100'000) {  // a whole file: size the big arrays once (no 2x peaks while growing)
    std::vector<size_t> starts;
    size_t wakes = 0, blocks = 0;
    for (size_t i = 0; i < count; ++i) {
      const gor::Event& e = events[i];
      if ((e.kind == gor::EventKind::GoStart || e.kind == gor::EventKind::SyscallExit) && e.p >= 0) {
        if (static_cast<size_t>(e.p) >= starts.size()) starts.resize(static_cast<size_t>(e.p) + 1);
        ++starts[static_cast<size_t>(e.p)];
      }
      wakes += e.kind == gor::EventKind::GoUnblock;
      blocks += e.kind == gor::EventKind::GoBlock || e.kind == gor::EventKind::SyscallEnter;
    }
    for (size_t p = 0; p < starts.size(); ++p) {
      Lane& l = lane(static_cast<int>(p));
      l.spans.reserve(l.spans.size() + starts[p]);
    }
    wakes_.reserve(wakes_.size() + wakes);
    blocks_.reserve(blocks_.size() + blocks);
  }
  for (size_t i = 0; i < count; ++i) take(events[i]);
  prefix_.took(events, count);
}

void TimelineModel::sync(const std::vector<gor::Event>& events, int64_t upto, size_t max_events) {
  if (prefix_.changed(events)) clear();
  const size_t last = std::min(count_through(events, upto), prefix_.taken + std::min(max_events, events.size()));
  if (last > prefix_.taken) append(events.data() + prefix_.taken, last - prefix_.taken);
}

void TimelineModel::close_run(uint64_t g, int64_t ts) {
  Track* t = tracks_.find(g);
  if (!t || !t->is_running) return;
  Lane& l = lanes_[t->running.lane];
  RunSpan& s = l.spans[t->running.index];
  s.end = std::max(ts, s.start);
  run_ns_ += s.end - s.start;
  if (l.open == static_cast<long>(t->running.index)) l.open = -1;
  t->is_running = false;
}

void TimelineModel::add_marker(int p, MarkerKind k, const gor::Event& e) {
  Marker m{e.ts, e.g, e.a0, e.a1, k};
  if (p >= 0)
    lane(p).markers[static_cast<size_t>(k)].push_back(m);
  else
    run_markers_.push_back(m);
}

void TimelineModel::take(const gor::Event& e) {
  using K = gor::EventKind;
  end_ns_ = std::max(end_ns_, e.ts);
  story_.take(e);
  auto close_block = [&](uint64_t g) {
    Track* t = tracks_.find(g);
    if (!t || t->blocked == Track::kNone) return;
    BlockSpan& b = blocks_[t->blocked];
    b.end = std::max(e.ts, b.start);
    blocked_ns_ += b.end - b.start;
    t->blocked = Track::kNone;
  };
  auto open_block = [&](uint64_t g, uint32_t reason, uint64_t object) {
    close_block(g);
    Track& t = tracks_.at(g);
    t.blocks.push_back(static_cast<uint32_t>(blocks_.size()));
    t.blocked = blocks_.size();
    push_big(blocks_, BlockSpan{e.ts, kOpenEnd, g, reason, object}, warmer_);
  };
  switch (e.kind) {
    case K::SyscallExit:  // back from a syscall on a P (its own or an idle one): it runs again
      close_block(e.g);
      if (e.p < 0) break;  // no P: it waits in the global queue for a GoStart
      [[fallthrough]];
    case K::GoStart: {
      if (e.p < 0 || !e.g) break;
      Lane& l = lane(e.p);
      if (l.open >= 0) close_run(l.spans[static_cast<size_t>(l.open)].g, e.ts);  // a stop we never saw
      close_run(e.g, e.ts);
      close_block(e.g);
      const SpanRef ref{static_cast<uint32_t>(e.p), static_cast<uint32_t>(l.spans.size())};
      l.open = static_cast<long>(l.spans.size());
      push_big(l.spans, RunSpan{e.ts, kOpenEnd, e.g}, warmer_);
      Track& t = tracks_.at(e.g);
      t.running = ref;
      t.is_running = true;
      t.spans.push_back(ref);
      break;
    }
    case K::GoBlock:
      close_run(e.g, e.ts);
      open_block(e.g, static_cast<uint32_t>(e.a0), e.a1);
      break;
    case K::GoYield: close_run(e.g, e.ts); break;
    case K::GoEnd:
      close_run(e.g, e.ts);
      close_block(e.g);
      tracks_.at(e.g).ended = e.ts;
      break;
    case K::GoCreate: {
      Track& t = tracks_.at(e.g);
      if (t.created < 0) t.created = e.ts;
      break;
    }
    case K::GoPreempted: {
      const Track* t = tracks_.find(e.g);
      const int p = e.p >= 0 ? e.p : (t && t->is_running ? static_cast<int>(t->running.lane) : -1);
      close_run(e.g, e.ts);
      if (p >= 0) add_marker(p, MarkerKind::Preempt, e);
      break;
    }
    case K::SyscallEnter:
      close_run(e.g, e.ts);
      open_block(e.g, kSyscallReason, 0);
      break;
    case K::GoUnblock:
      tracks_.at(e.g).wakes.push_back(static_cast<uint32_t>(wakes_.size()));
      if (e.a0 && e.a0 != e.g) tracks_.at(e.a0).wakes.push_back(static_cast<uint32_t>(wakes_.size()));
      push_big(wakes_, Wake{e.ts, e.g, e.a0, e.p}, warmer_);
      close_block(e.g);
      break;
    case K::Steal:
      if (e.p < 0) break;
      add_marker(e.p, MarkerKind::Steal, e);
      lane(e.p).moved_from.push_back(static_cast<uint32_t>(lane(e.p).moved.size()));
      break;
    case K::StealMove:
      if (e.p >= 0 && e.g && !lane(e.p).moved_from.empty()) lane(e.p).moved.push_back(e.g);
      break;
    case K::Handoff: add_marker(e.p, MarkerKind::Handoff, e); break;
    case K::MutexMode: add_marker(e.p, e.a1 ? MarkerKind::MutexStarving : MarkerKind::MutexNormal, e); break;
    case K::PartialDeadlock: add_marker(-1, MarkerKind::PartialDeadlock, e); break;
    case K::RunEnd: {
      std::vector<uint64_t> still;
      tracks_.for_each([&](uint64_t g, const Track& t) {
        if (t.is_running) still.push_back(g);
      });
      for (uint64_t g : still) close_run(g, e.ts);
      const auto status = static_cast<gor::RunStatus>(e.a0);
      if (status == gor::RunStatus::Panic) add_marker(-1, MarkerKind::Panic, e);
      if (status == gor::RunStatus::Deadlock) add_marker(-1, MarkerKind::Deadlock, e);
      break;
    }
    case K::Race: add_marker(e.p, MarkerKind::Race, e); break;  // a data race; RaceSync is an edge, not a race
    default: break;
  }
}

std::span<const uint64_t> TimelineModel::stolen_by(int lane, size_t index) const {
  if (lane < 0 || lane >= lane_count()) return {};
  const Lane& l = lanes_[static_cast<size_t>(lane)];
  if (index >= l.moved_from.size()) return {};
  const size_t first = l.moved_from[index];
  const size_t last = index + 1 < l.moved_from.size() ? l.moved_from[index + 1] : l.moved.size();
  return {l.moved.data() + first, last - first};
}

const std::vector<SpanRef>& TimelineModel::spans_of(uint64_t g) const {
  static const std::vector<SpanRef> none;
  const Track* t = tracks_.find(g);
  return t ? t->spans : none;
}

void TimelineModel::waits_of(uint64_t g, int64_t t0, int64_t t1, std::vector<BlockSpan>& out) const {
  static const std::vector<uint32_t> no_blocks;
  const std::vector<SpanRef>& refs = spans_of(g);
  const Track* track = tracks_.find(g);
  const std::vector<uint32_t>& bl = track ? track->blocks : no_blocks;
  auto slice = [&](size_t i) -> const RunSpan& { return spans(static_cast<int>(refs[i].lane))[refs[i].index]; };
  // gap() fills [a, b), between two of g's slices, with its blocks and runnable time.
  auto push = [&](int64_t start, int64_t end, uint32_t reason, uint64_t object = 0) {
    if (end >= t0 && start <= t1) out.push_back(BlockSpan{start, end, g, reason, object});
  };
  auto gap = [&](int64_t a, int64_t b) {
    if (b <= a || b < t0 || a > t1) return;
    auto it = std::partition_point(bl.begin(), bl.end(), [&](uint32_t k) { return blocks_[k].start < a; });
    int64_t cursor = a;
    for (; it != bl.end() && blocks_[*it].start < b; ++it) {
      const BlockSpan& k = blocks_[*it];
      if (k.start > cursor) push(cursor, k.start, kRunnableReason);
      const int64_t end = k.end == kOpenEnd ? b : std::min(k.end, b);
      push(k.start, end, k.reason, k.object);
      cursor = k.reason == kSyscallReason ? b : end;
    }
    if (cursor < b) push(cursor, b, kRunnableReason);
  };
  const size_t n = refs.size();
  size_t i = static_cast<size_t>(
      std::partition_point(refs.begin(), refs.end(), [&](const SpanRef& r) {
        return span_end(spans(static_cast<int>(r.lane))[r.index]) < t0;
      }) - refs.begin());
  const int64_t created = track ? track->created : -1;
  const bool ended = track && track->ended >= 0;
  for (;; ++i) {
    const int64_t a = i > 0 ? span_end(slice(i - 1)) : created;
    const int64_t b = i < n ? slice(i).start : ended ? -1 : end_ns_;
    if (a >= 0 && b >= 0) gap(a, b);
    if (i >= n || slice(i).start > t1) break;
  }
}

const std::vector<uint32_t>& TimelineModel::wakes_of(uint64_t g) const {
  static const std::vector<uint32_t> none;
  const Track* t = tracks_.find(g);
  return t ? t->wakes : none;
}

std::pair<size_t, size_t> TimelineModel::visible(int lane, int64_t t0, int64_t t1) const {
  if (lane < 0 || lane >= lane_count()) return {0, 0};
  const std::vector<RunSpan>& s = spans(lane);
  const auto first = std::partition_point(s.begin(), s.end(), [&](const RunSpan& r) { return span_end(r) <= t0; });
  const auto last = std::partition_point(first, s.end(), [&](const RunSpan& r) { return r.start < t1; });
  return {static_cast<size_t>(first - s.begin()), static_cast<size_t>(last - s.begin())};
}

void TimelineModel::level_of_detail(int lane, int64_t t0, int64_t t1, double ns_per_px, std::vector<DrawSpan>& out,
                                    double min_px) const {
  const auto [first, last] = visible(lane, t0, t1);
  if (first >= last) return;
  const std::vector<RunSpan>& s = spans(lane);
  const double min_ns = std::max(min_px * ns_per_px, 0.0);
  bool have = false;
  DrawSpan cur;
  auto flush = [&] {
    if (have) out.push_back(cur);
    have = false;
  };
  for (size_t k = first; k < last; ++k) {
    const RunSpan& r = s[k];
    const int64_t end = span_end(r);
    const int64_t dur = end - r.start;
    if (static_cast<double>(dur) >= min_ns) {
      flush();
      out.push_back(DrawSpan{r.start, end, r.g, 1, r.start, end});
      continue;
    }
    // A thin slice joins the open block if it starts within a pixel of it and the block stays
    // under two pixels wide; otherwise it opens a block of its own, at once covering every
    // slice that starts within two pixels if there are many and all are thin.
    if (!(have && static_cast<double>(r.start - cur.end) < min_ns && static_cast<double>(end - cur.start) < 2 * min_ns)) {
      const int64_t limit = r.start + static_cast<int64_t>(2 * min_ns);
      const size_t j = static_cast<size_t>(
          std::partition_point(s.begin() + static_cast<std::ptrdiff_t>(k), s.begin() + static_cast<std::ptrdiff_t>(last),
                               [&](const RunSpan& x) { return x.start < limit; }) - s.begin());
      if (j - k >= 16) {
        const size_t m = longest_in(lane, k, j);
        const int64_t m_end = span_end(s[m]);
        if (static_cast<double>(m_end - s[m].start) < min_ns) {
          flush();
          out.push_back(DrawSpan{r.start, span_end(s[j - 1]), s[m].g, static_cast<uint32_t>(j - k), s[m].start, m_end});
          k = j - 1;
          continue;
        }
      }
    }
    if (have && static_cast<double>(r.start - cur.end) < min_ns && static_cast<double>(end - cur.start) < 2 * min_ns) {
      cur.end = std::max(cur.end, end);
      ++cur.count;
      if (dur > cur.longest_end - cur.longest_start) {
        cur.g = r.g;
        cur.longest_start = r.start;
        cur.longest_end = end;
      }
      continue;
    }
    flush();
    cur = DrawSpan{r.start, end, r.g, 1, r.start, end};
    have = true;
  }
  flush();
}

size_t TimelineModel::longest_in(int lane, size_t first, size_t last) const {
  const Lane& l = lanes_[static_cast<size_t>(lane)];
  const std::vector<RunSpan>& s = l.spans;
  auto dur = [&](size_t k) { return span_end(s[k]) - s[k].start; };
  const size_t closed = s.size() - (l.open >= 0 ? 1 : 0);  // only the last slice may be open
  while ((l.longest64.size() + 1) * 64 <= closed) {
    const size_t c = l.longest64.size() * 64;
    size_t best = c;
    for (size_t k = c + 1; k < c + 64; ++k)
      if (dur(k) > dur(best)) best = k;
    l.longest64.push_back(static_cast<uint32_t>(best));
  }
  size_t best = first;
  size_t k = first;
  for (; k < last && (k % 64 != 0 || k / 64 >= l.longest64.size() || k + 64 > last); ++k)
    if (dur(k) > dur(best)) best = k;
  for (; k + 64 <= last && k / 64 < l.longest64.size(); k += 64)
    if (dur(l.longest64[k / 64]) > dur(best)) best = l.longest64[k / 64];
  for (; k < last; ++k)
    if (dur(k) > dur(best)) best = k;
  return best;
}

long TimelineModel::span_at(int lane, int64_t t, int64_t tolerance) const {
  if (lane < 0 || lane >= lane_count()) return -1;
  const std::vector<RunSpan>& s = spans(lane);
  const size_t i = static_cast<size_t>(
      std::partition_point(s.begin(), s.end(), [&](const RunSpan& r) { return span_end(r) < t; }) - s.begin());
  long best = -1;
  int64_t best_d = tolerance;
  for (size_t k = i > 0 ? i - 1 : 0; k < std::min(s.size(), i + 2); ++k) {
    const int64_t end = span_end(s[k]);
    const int64_t d = t < s[k].start ? s[k].start - t : (t > end ? t - end : 0);
    if (d <= best_d) {
      // Inside beats near; between two near slices the closer wins.
      if (best >= 0 && d == best_d && d > 0) continue;
      best = static_cast<long>(k);
      best_d = d;
    }
  }
  return best;
}

const SpanRef* TimelineModel::next_span_after(uint64_t g, int64_t t) const {
  const std::vector<SpanRef>& refs = spans_of(g);
  const auto it = std::partition_point(refs.begin(), refs.end(), [&](const SpanRef& r) {
    return lanes_[r.lane].spans[r.index].start < t;
  });
  return it == refs.end() ? nullptr : &*it;
}

std::vector<Wake> TimelineModel::wake_chain(uint64_t g, int64_t t, size_t max) const {
  std::vector<Wake> chain;
  std::unordered_set<uint64_t> seen;
  while (g && chain.size() < max && seen.insert(g).second) {
    const std::vector<uint32_t>& idx = wakes_of(g);
    auto it = std::partition_point(idx.begin(), idx.end(), [&](uint32_t k) { return wakes_[k].ts <= t; });
    const Wake* found = nullptr;
    while (it != idx.begin()) {  // newest first; skip the wakes g gave to others
      --it;
      if (wakes_[*it].g == g) {
        found = &wakes_[*it];
        break;
      }
    }
    if (!found) break;
    chain.push_back(*found);
    g = found->readier;
    t = found->ts;
  }
  return chain;
}

std::vector<uint64_t> TimelineModel::goroutine_ids(size_t max) const {
  std::vector<uint64_t> ids;
  tracks_.for_each([&](uint64_t g, const Track&) {
    if (g && ids.size() < max) ids.push_back(g);
  });
  return ids;
}

size_t TimelineModel::times_woken(uint64_t g, int64_t t) const {
  size_t n = 0;
  for (uint32_t k : wakes_of(g)) n += wakes_[k].g == g && wakes_[k].ts <= t;
  return n;
}

const std::vector<uint32_t>& TimelineModel::blocks_of(uint64_t g) const {
  static const std::vector<uint32_t> none;
  const Track* t = tracks_.find(g);
  return t ? t->blocks : none;
}

RangeStats TimelineModel::stats(int64_t t0, int64_t t1) const {
  RangeStats st;
  if (t1 < t0) std::swap(t0, t1);
  st.t0 = t0;
  st.t1 = t1;
  const double width = static_cast<double>(std::max<int64_t>(t1 - t0, 1));
  std::unordered_set<uint64_t> ran;
  for (int l = 0; l < lane_count(); ++l) {
    const auto [first, last] = visible(l, t0, t1);
    int64_t busy = 0;
    for (size_t k = first; k < last; ++k) {
      const RunSpan& r = spans(l)[k];
      busy += std::min(span_end(r), t1) - std::max(r.start, t0);
      ran.insert(r.g);
    }
    st.slices += last - first;
    st.utilisation.push_back(static_cast<double>(busy) / width);
    const std::vector<Marker>& m = markers(l, MarkerKind::Steal);
    auto a = std::partition_point(m.begin(), m.end(), [&](const Marker& x) { return x.ts < t0; });
    for (; a != m.end() && a->ts < t1; ++a) {
      ++st.steals;
      st.stolen += a->a1;
    }
  }
  st.goroutines_run = ran.size();
  const auto w0 = std::partition_point(wakes_.begin(), wakes_.end(), [&](const Wake& w) { return w.ts < t0; });
  const auto w1 = std::partition_point(w0, wakes_.end(), [&](const Wake& w) { return w.ts < t1; });
  st.wakes = static_cast<size_t>(w1 - w0);
  std::map<uint32_t, int64_t> by_reason;
  const auto b_end = std::partition_point(blocks_.begin(), blocks_.end(), [&](const BlockSpan& b) { return b.start < t1; });
  for (auto b = blocks_.begin(); b != b_end; ++b) {
    const int64_t end = b->end == kOpenEnd ? end_ns_ : b->end;
    if (end <= t0) continue;
    by_reason[b->reason] += std::min(end, t1) - std::max(b->start, t0);
  }
  for (const auto& [reason, ns] : by_reason) st.blocked.emplace_back(wait_reason_name(reason), ns);
  std::sort(st.blocked.begin(), st.blocked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return st;
}

}  // namespace goroscope::gui
