#include "model/chart_data.hpp"

#include <algorithm>
#include "model/event_prefix.hpp"


namespace goroscope::gui {

void StepSeries::set(int64_t ts, int32_t value) {
  if (!points_.empty() && ts - points_.back().ts < kResolutionNs) {
    StepPoint& p = points_.back();
    p.value = value;
    p.lo = std::min(p.lo, value);
    p.hi = std::max(p.hi, value);
    return;
  }
  points_.push_back(StepPoint{ts, value, value, value});
  while ((blocks_.size() + 1) * kBlock < points_.size()) {  // a block no set() can change again
    const size_t first = blocks_.size() * kBlock;
    Extremes x{points_[first].lo, points_[first].hi};
    for (size_t i = first; i < first + kBlock; ++i) {
      x.lo = std::min({x.lo, points_[i].lo, points_[i].value});
      x.hi = std::max({x.hi, points_[i].hi, points_[i].value});
    }
    blocks_.push_back(x);
  }
}

int32_t StepSeries::value_at(int64_t ts) const {
  auto it = std::partition_point(points_.begin(), points_.end(), [&](const StepPoint& p) { return p.ts <= ts; });
  return it == points_.begin() ? 0 : std::prev(it)->value;
}

void StepSeries::sample(int64_t t0, int64_t t1, int buckets, std::vector<std::pair<double, double>>& out) const {
  if (t1 <= t0 || buckets <= 0) return;
  const double width = static_cast<double>(t1 - t0) / buckets;
  auto it = std::partition_point(points_.begin(), points_.end(), [&](const StepPoint& p) { return p.ts < t0; });
  bool known = it != points_.begin();  // a value before the first point is no value at all
  int32_t current = known ? std::prev(it)->value : 0;
  for (int b = 0; b < buckets; ++b) {
    const double start = static_cast<double>(t0) + b * width;
    const int64_t end = static_cast<int64_t>(start + width);
    int32_t lo = current, hi = current;
    while (it != points_.end() && it->ts < end) {
      const size_t i = static_cast<size_t>(it - points_.begin());
      if (i % kBlock == 0 && i / kBlock < blocks_.size() && points_[i + kBlock - 1].ts < end) {  // a whole block
        const Extremes& x = blocks_[i / kBlock];
        lo = known ? std::min(lo, x.lo) : x.lo;
        hi = known ? std::max(hi, x.hi) : x.hi;
        known = true;
        current = points_[i + kBlock - 1].value;
        it += kBlock;
        continue;
      }
      lo = known ? std::min({lo, it->lo, it->value}) : std::min(it->lo, it->value);
      hi = known ? std::max({hi, it->hi, it->value}) : std::max(it->hi, it->value);
      known = true;
      current = it->value;
      ++it;
    }
    out.emplace_back(start, lo);
    if (hi != lo) out.emplace_back(start, hi);
  }
}

void ChartData::clear() {
  alive_.clear();
  runnable_.clear();
  alive_now_ = 1;
  runnable_now_ = 0;
  global_ = Queue{};
  per_p_.clear();
  queued_in_.clear();
  channels_.clear();
  channel_index_.clear();
  last_channel_ = ~size_t{0};
  mutex_waits_.clear();
  choices_.clear();
  steals_.clear();
  prefix_ = TakenPrefix{};
}

void ChartData::append(const gor::Event* events, size_t count) {
  for (size_t i = 0; i < count; ++i) take(events[i]);
  prefix_.took(events, count);
}

void ChartData::sync(const std::vector<gor::Event>& events, int64_t upto, size_t max_events) {
  if (prefix_.changed(events)) clear();
  const size_t last = std::min(count_through(events, upto), prefix_.taken + std::min(max_events, events.size()));
  if (last > prefix_.taken) append(events.data() + prefix_.taken, last - prefix_.taken);
}

ChartData::Queue& ChartData::queue(int q) {
  if (q < 0) return global_;
  if (static_cast<size_t>(q) >= per_p_.size()) per_p_.resize(static_cast<size_t>(q) + 1);
  return per_p_[static_cast<size_t>(q)];
}

const StepSeries& ChartData::runnable_on(int p) const {
  static const StepSeries none;
  return p >= 0 && static_cast<size_t>(p) < per_p_.size() ? per_p_[static_cast<size_t>(p)].series : none;
}

void ChartData::unqueue(uint64_t g, int64_t ts) {
  QueuedIn* in = queued_in_.find(g);
  if (!in || in->queue == QueuedIn::kNone) return;
  Queue& q = queue(in->queue);
  q.series.set(ts, q.now = std::max(0, q.now - 1));
  in->queue = QueuedIn::kNone;
}

void ChartData::queue_at(uint64_t g, int q, int64_t ts) {
  unqueue(g, ts);
  Queue& to = queue(q);
  to.series.set(ts, ++to.now);
  queued_in_.at(g).queue = q;
}

ChannelSeries& ChartData::channel(uint64_t id) {
  // A busy run works one channel many times in a row: skip the hash lookup then.
  if (last_channel_ < channels_.size() && channels_[last_channel_].id == id) return channels_[last_channel_];
  auto [it, fresh] = channel_index_.try_emplace(id, channels_.size());
  last_channel_ = it->second;
  if (fresh) {
    channels_.emplace_back();
    channels_.back().id = id;
  }
  return channels_[it->second];
}

void ChartData::end_mutex_wait(uint64_t g, int64_t ts) {
  QueuedIn* in = queued_in_.find(g);
  if (!in || in->mutex_wait_since < 0) return;
  mutex_waits_.push_back(WaitEnd{ts, std::max<int64_t>(0, ts - in->mutex_wait_since)});
  in->mutex_wait_since = -1;
}

void ChartData::take(const gor::Event& e) {
  using K = gor::EventKind;
  // A mutex wait ends where the timeline closes a block (its BlockSpan ends there too).
  if (e.kind == K::GoUnblock || e.kind == K::GoStart || e.kind == K::GoEnd || e.kind == K::SyscallExit ||
      e.kind == K::GoBlock || e.kind == K::SyscallEnter)
    end_mutex_wait(e.g, e.ts);
  if (e.kind == K::GoBlock) {
    using R = gor::WaitReason;
    const R reason = gor::block_fields(e).reason;
    if (reason == R::MutexLock || reason == R::RWMutexLock || reason == R::RWMutexRLock)
      queued_in_.at(e.g).mutex_wait_since = e.ts;
  }
  switch (e.kind) {
    case K::GoCreate:
      alive_.set(e.ts, ++alive_now_);
      runnable_.set(e.ts, ++runnable_now_);
      queue_at(e.g, e.p, e.ts);  // the creator's runnext (global without a P)
      break;
    case K::GoEnd:
      alive_.set(e.ts, alive_now_ = std::max(0, alive_now_ - 1));
      unqueue(e.g, e.ts);
      break;
    case K::GoUnblock:
      runnable_.set(e.ts, ++runnable_now_);
      queue_at(e.g, static_cast<gor::Placement>(e.a1) == gor::Placement::Global ? -1 : e.p, e.ts);
      break;
    case K::GoYield:
    case K::GoPreempted:
      runnable_.set(e.ts, ++runnable_now_);
      queue_at(e.g, -1, e.ts);
      break;
    case K::SyscallExit:
      if (e.a0 != 1) queue_at(e.g, -1, e.ts);  // lost its P: to the global queue
      break;
    case K::Steal:
      steals_.push_back(e.ts);
      break;
    case K::StealMove:
      if (const QueuedIn* in = queued_in_.find(e.g); e.p >= 0 && in && in->queue != QueuedIn::kNone)
        queue_at(e.g, e.p, e.ts);
      break;
    case K::GoStart:
      runnable_.set(e.ts, runnable_now_ = std::max(0, runnable_now_ - 1));
      unqueue(e.g, e.ts);
      break;
    case K::ChanSend:
    case K::ChanRecv: {
      ChannelSeries& c = channel(e.a0);
      ++c.operations;
      c.level.set(e.ts, static_cast<int32_t>(e.a1));
      break;
    }
    case K::Select:
      if (const gor::SelectFields s = gor::select_fields(e); s.cases >= 2) {
        const uint64_t name = s.channel ? channel_name(s.channel) : 0;
        auto it = std::find_if(choices_.begin(), choices_.end(), [&](const ChoiceSeries& c) {
          return name != 0 ? c.name == name : c.name == 0 && c.channel == s.channel;
        });
        if (it == choices_.end()) {
          choices_.emplace_back();
          choices_.back().channel = s.channel;
          choices_.back().name = name;
          it = std::prev(choices_.end());
        }
        it->so_far.set(e.ts, ++it->count);
      }
      break;
    case K::ObjectCreate:
      if (const gor::ObjectFields o = gor::object_fields(e); o.kind == gor::ObjectKind::Channel) {
        ChannelSeries& c = channel(o.object);  // a channel: its name and capacity
        c.name = o.name;
        c.capacity = o.capacity;
      }
      break;
    default: break;
  }
}

uint64_t ChartData::channel_name(uint64_t id) const {
  auto it = channel_index_.find(id);
  return it == channel_index_.end() ? 0 : channels_[it->second].name;
}

std::vector<const ChannelSeries*> ChartData::busiest_channels(size_t n) const {
  std::vector<const ChannelSeries*> out;
  for (const ChannelSeries& c : channels_)
    if (c.operations > 0 && c.capacity > 0) out.push_back(&c);
  std::sort(out.begin(), out.end(), [](const ChannelSeries* a, const ChannelSeries* b) {
    return a->operations != b->operations ? a->operations > b->operations : a->id < b->id;
  });
  if (out.size() > n) out.resize(n);
  return out;
}

}  // namespace goroscope::gui
