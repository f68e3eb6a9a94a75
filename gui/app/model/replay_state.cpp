#include "model/replay_state.hpp"

#include <algorithm>

#include "model/trace_store.hpp"
#include "run_reducer.hpp"

namespace goroscope::gui {

namespace {

// Rebuild is the trace's RunReducer, with the store that names its strings.
class Rebuild {
 public:
  Rebuild(const TraceStore& store, int procs) : store_(&store), reducer_(procs) {
    // A trace recorded before the engine named the goroutines a steal moved (no StealMove).
    reducer_.guess_steals(store.count(gor::EventKind::StealMove) == 0 && store.count(gor::EventKind::Steal) > 0);
  }
  void apply(const gor::Event& e) { reducer_.apply(e); }
  gor::Snapshot snapshot(int64_t t) const {
    const TraceStore* store = store_;
    gor::Snapshot s = reducer_.snapshot([store](uint64_t id) { return store->string(id); });
    s.now_ns = t;
    return s;
  }

 private:
  const TraceStore* store_;
  trace::RunReducer reducer_;
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
