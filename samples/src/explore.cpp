// explore.cpp — schedule exploration: the strategies, outcome classes, runs and summaries
// (explore.hpp). Shrinking and the interleaving table are in explore_shrink.cpp.
#include "goroscope/explore.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "explore_internal.hpp"
#include "goroscope/registry.hpp"
#include "goroscope/runner.hpp"

namespace goroscope::explore {

const char* strategy_name(StrategyKind k) noexcept {
  switch (k) {
    case StrategyKind::Random: return "random";
    case StrategyKind::Pct: return "pct";
    case StrategyKind::Bounded: return "bounded";
  }
  return "?";
}

std::optional<StrategyKind> parse_strategy(std::string_view name) noexcept {
  for (StrategyKind k : {StrategyKind::Random, StrategyKind::Pct, StrategyKind::Bounded})
    if (name == strategy_name(k)) return k;
  return std::nullopt;
}

const char* outcome_name(OutcomeKind k) noexcept {
  switch (k) {
    case OutcomeKind::Fatal: return "fatal";
    case OutcomeKind::Panic: return "panic";
    case OutcomeKind::Deadlock: return "deadlock";
    case OutcomeKind::PartialDeadlock: return "partial-deadlock";
    case OutcomeKind::Check: return "check";
    case OutcomeKind::Leak: return "leak";
    case OutcomeKind::Race: return "race";
    case OutcomeKind::Ok: return "ok";
  }
  return "?";
}

namespace detail {

uint64_t mix(uint64_t x) noexcept {  // splitmix64's finaliser
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint32_t Recorder::choose(const gor::ChoicePoint& p) {
  Choice c;
  c.kind = p.kind;
  c.candidates = p.candidates;
  const uint32_t sticky = sticky_index(p);
  if (p.kind == gor::ChoiceKind::Preempt) {
    c.goroutine = p.goroutines[0];
    c.nth = points_[c.goroutine]++;
    c.chosen = pick(p, c, sticky) != 0 ? 1 : 0;
    c.deviation = c.chosen == 1;
    if (c.deviation) ++preemptions;
    last_ = 0;  // after a preemption whoever runs next is the one to keep
  } else {
    c.chosen = std::min(pick(p, c, sticky), p.candidates - 1);
    c.goroutine = p.goroutines[c.chosen];
    c.deviation = c.chosen != sticky;
    if (c.deviation) ++switches;
    if (c.goroutine != 0) last_ = c.goroutine;
  }
  choices.push_back(c);
  return c.chosen;
}

uint32_t Recorder::sticky_index(const gor::ChoicePoint& p) const {
  if (p.kind == gor::ChoiceKind::Preempt) return 0;
  if (last_ != 0)
    for (uint32_t i = 0; i < p.candidates; ++i)
      if (p.goroutines[i] == last_) return i;
  // Nobody to keep: the first candidate running a goroutine, else the first.
  for (uint32_t i = 0; i < p.candidates; ++i)
    if (p.goroutines[i] != 0) return i;
  return 0;
}

namespace {

// RandomWalk is StrategyKind::Random.
class RandomWalk final : public Recorder {
 public:
  explicit RandomWalk(uint64_t seed) : rng_(mix(seed)), preempt_shift_(1 + static_cast<int>(mix(seed ^ 77) % 5)) {}
  uint32_t pick(const gor::ChoicePoint& p, const Choice&, uint32_t sticky) override {
    const uint64_t r = next();
    if (p.kind == gor::ChoiceKind::Preempt) return (r & ((1ull << preempt_shift_) - 1)) == 0 ? 1 : 0;
    if ((r & 3) != 0) return sticky;  // mostly keep the goroutine that moves
    return static_cast<uint32_t>((r >> 8) % p.candidates);
  }

 private:
  uint64_t next() { return rng_ = mix(rng_); }
  uint64_t rng_;
  int preempt_shift_;
};

// Pct is StrategyKind::Pct over goroutines: the highest priority wins a tie; at the i-th change
// point (a preemption point drawn at random) the goroutine there is preempted and gets
// priority i, below every initial priority (which are >= depth).
class Pct final : public Recorder {
 public:
  Pct(uint64_t seed, int depth, uint64_t steps) : rng_(mix(seed)), depth_(depth) {
    for (int i = 1; i < depth; ++i) change_points_[next() % std::max<uint64_t>(steps, 1)] = depth - i;
  }
  uint32_t pick(const gor::ChoicePoint& p, const Choice&, uint32_t) override {
    if (p.kind == gor::ChoiceKind::Preempt) {
      const uint64_t g = p.goroutines[0];
      priority(g);
      auto it = change_points_.find(step_++);
      if (it == change_points_.end()) return 0;
      prio_[g] = it->second;  // drops below every goroutine that was not demoted
      return 1;
    }
    uint32_t best = 0;
    int64_t best_prio = INT64_MIN;
    for (uint32_t i = 0; i < p.candidates; ++i) {
      const int64_t pr = p.goroutines[i] == 0 ? -1 : priority(p.goroutines[i]);
      if (pr > best_prio) best = i, best_prio = pr;
    }
    return best;
  }

 private:
  uint64_t next() { return rng_ = mix(rng_); }
  int64_t priority(uint64_t g) {
    auto [it, fresh] = prio_.try_emplace(g, 0);
    if (fresh) it->second = depth_ + static_cast<int64_t>(next() % 1000000);
    return it->second;
  }
  uint64_t rng_;
  int depth_;
  uint64_t step_ = 0;
  std::map<uint64_t, int64_t> change_points_;  // preemption point -> new priority
  std::map<uint64_t, int64_t> prio_;
};

// Bounded is one run of StrategyKind::Bounded: forced preemptions at exactly the given
// preemption points (ordinals over the run), threads kept otherwise.
class Bounded final : public Recorder {
 public:
  explicit Bounded(std::vector<uint64_t> at) : at_(std::move(at)) {}
  uint32_t pick(const gor::ChoicePoint& p, const Choice&, uint32_t sticky) override {
    if (p.kind != gor::ChoiceKind::Preempt) return sticky;
    const uint64_t s = step_++;
    return std::binary_search(at_.begin(), at_.end(), s) ? 1 : 0;
  }

 private:
  std::vector<uint64_t> at_;
  uint64_t step_ = 0;
};

// choose_n() is C(n, k), saturating at UINT64_MAX.
uint64_t choose_n(uint64_t n, uint64_t k) {
  if (k > n) return 0;
  unsigned __int128 r = 1;
  for (uint64_t i = 1; i <= k; ++i) {
    r = r * (n - k + i) / i;
    if (r > UINT64_MAX) return UINT64_MAX;
  }
  return static_cast<uint64_t>(r);
}

// combination() is the rank-th k-subset of [0, n) in lexicographic order.
std::vector<uint64_t> combination(uint64_t n, uint64_t k, uint64_t rank) {
  std::vector<uint64_t> out;
  uint64_t x = 0;
  for (uint64_t left = k; left > 0; --left) {
    for (;; ++x) {
      const uint64_t with = choose_n(n - x - 1, left - 1);  // subsets starting with x
      if (rank < with) break;
      rank -= with;
    }
    out.push_back(x++);
  }
  return out;
}

}  // namespace

std::vector<uint64_t> bounded_points(uint64_t steps, int depth, uint64_t i) {
  for (int k = 0; k <= depth; ++k) {
    const uint64_t c = choose_n(steps, static_cast<uint64_t>(k));
    if (i < c) return combination(steps, static_cast<uint64_t>(k), i);
    i -= c;
  }
  return {};
}

uint64_t bounded_space(uint64_t steps, int depth) {
  uint64_t total = 0;
  for (int k = 0; k <= depth; ++k) {
    const uint64_t c = choose_n(steps, static_cast<uint64_t>(k));
    if (c > UINT64_MAX - total) return UINT64_MAX;
    total += c;
  }
  return total;
}

std::shared_ptr<Recorder> strategy_for(const ExplorePlan& plan, uint64_t i) {
  switch (plan.options.strategy) {
    case StrategyKind::Random: return std::make_shared<RandomWalk>(plan.options.seed * 1000003 + i);
    case StrategyKind::Pct: return std::make_shared<Pct>(plan.options.seed * 1000003 + i, plan.depth, plan.steps);
    case StrategyKind::Bounded: return std::make_shared<Bounded>(bounded_points(plan.steps, plan.depth, i));
  }
  return nullptr;
}

uint64_t seed_for(const ExplorePlan& plan, uint64_t i) {
  // Bounded is systematic over preemption points: one program seed for every run. The others
  // vary the program's own random choices (select, fastrand) with the run.
  if (plan.options.strategy == StrategyKind::Bounded) return mix(plan.options.seed) | 1;
  return mix(plan.options.seed * 1000003 + i) | 1;
}

gor::Config base_config(const ExplorePlan& plan, uint64_t seed) {
  gor::Config cfg = sample_config(*plan.sample);
  cfg.procs = plan.procs;
  cfg.seed = seed;
  cfg.deterministic = true;
  cfg.preemption_points = true;
  cfg.race = plan.options.race;
  return cfg;
}

RunRecord run_with(const ExplorePlan& plan, uint64_t seed, const std::shared_ptr<Recorder>& strategy) {
  gor::Config cfg = base_config(plan, seed);
  cfg.strategy = strategy;
  gor::RunControl control;  // only for the final snapshot: who was left blocked, on what
  cfg.control = &control;
  SampleRun run = run_sample(*plan.sample, plan.params, cfg);
  RunRecord rec;
  rec.outcome = classify(run.result, run.outcome, control.final_snapshot());
  rec.schedule = std::move(run.result.schedule);
  rec.choices = std::move(strategy->choices);
  rec.seed = seed;
  rec.preemptions = strategy->preemptions;
  rec.switches = strategy->switches;
  return rec;
}

}  // namespace detail

ExplorePlan make_plan(const ExploreOptions& opts) {
  const Sample* sample = find_sample(opts.sample);
  if (sample == nullptr) throw ExploreError("unknown sample '" + opts.sample + "' (goroscope-cli list shows them)");
  if (opts.runs < 1) throw ExploreError("--runs must be at least 1 (got " + std::to_string(opts.runs) + ")");
  ExplorePlan plan(sample->info);
  plan.sample = sample;
  plan.options = opts;
  for (const auto& [k, v] : opts.params) {
    try {
      plan.params.parse(k, v);
    } catch (const SampleParamError& e) {
      throw ExploreError(e.what());
    }
  }
  plan.procs = opts.procs.value_or(sample->info.default_procs);
  if (plan.procs < 1 || plan.procs > 256)
    throw ExploreError("--procs must be between 1 and 256 (got " + std::to_string(plan.procs) + ")");
  if (opts.strategy == StrategyKind::Pct) {
    plan.depth = opts.depth.value_or(3);
    if (plan.depth < 1) throw ExploreError("--depth for pct must be at least 1 (got " + std::to_string(plan.depth) + ")");
  } else if (opts.strategy == StrategyKind::Bounded) {
    plan.depth = opts.depth.value_or(2);
    if (plan.depth < 0) throw ExploreError("--depth for bounded must be at least 0 (got " + std::to_string(plan.depth) + ")");
  } else {
    plan.depth = opts.depth.value_or(0);
    if (plan.depth < 0) throw ExploreError("--depth must be at least 0 (got " + std::to_string(plan.depth) + ")");
  }
  if (plan.depth > 64) throw ExploreError("--depth must be at most 64 (got " + std::to_string(plan.depth) + ")");
  // The baseline: no forced preemption, threads kept; its scheduling points are what PCT
  // draws change points from and what bounded enumerates.
  auto none = std::make_shared<detail::Recorder>();
  RunRecord base = detail::run_with(plan, detail::seed_for(plan, 0), none);
  uint64_t points = 0;
  for (const Choice& c : base.choices)
    if (c.kind == gor::ChoiceKind::Preempt) ++points;
  plan.steps = std::max<uint64_t>(points, 1);
  plan.runs = static_cast<uint64_t>(opts.runs);
  if (opts.strategy == StrategyKind::Bounded)
    plan.runs = std::min(plan.runs, detail::bounded_space(plan.steps, plan.depth));
  return plan;
}

namespace {

// base_name() is a site without its directory and function: "lost_wakeup.cpp:31" from
// "samples/lost_wakeup.cpp:31 in goroscope::samples::...".
std::string base_name(std::string_view path) {
  if (const size_t in = path.find(" in "); in != std::string_view::npos) path = path.substr(0, in);
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// trim() strips leading and trailing blanks.
std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

// race_sites() is a race report's two accesses and location, as "write of counter at
// race_counter.cpp:46 vs earlier read at race_counter.cpp:44".
std::string race_sites(const std::string& report) {
  std::istringstream in(report);
  std::string line;
  std::vector<std::string> accesses;  // "write", "previous read"
  std::vector<std::string> sites;
  std::string location;
  bool want_site = false;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    auto starts = [&](std::string_view p) { return t.rfind(p, 0) == 0; };
    if (starts("Read at") || starts("Write at") || starts("Previous read at") || starts("Previous write at")) {
      std::string what = t.substr(0, t.find(" at "));
      for (char& ch : what) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      accesses.push_back(what);
      want_site = true;
    } else if (want_site && t.find(".cpp:") != std::string::npos) {
      sites.push_back(base_name(t));
      want_site = false;
    } else if (starts("Location is ")) {
      location = t.substr(12);
      // Keep what it is, not where it was: "Shared \"counter\"" (addresses differ run to run).
      for (const char* cut : {" of size", " at 0x"}) {
        const size_t at = location.find(cut);
        if (at != std::string::npos) location.resize(at);
      }
    }
  }
  std::string out;
  for (size_t i = 0; i < accesses.size() && i < sites.size(); ++i) {
    if (i > 0) out += " vs ";
    out += accesses[i] + " at " + sites[i];
  }
  if (out.empty()) out = "a data race";
  if (!location.empty()) out += " (" + location + ")";
  return out;
}

}  // namespace

Outcome classify(const gor::RunResult& r, const SampleOutcome& out, const std::optional<gor::Snapshot>& last) {
  Outcome o;
  if (r.status == gor::RunStatus::Panic) {
    o.kind = r.fatal ? OutcomeKind::Fatal : OutcomeKind::Panic;
    o.message = r.message;
    return o;
  }
  if (r.status == gor::RunStatus::Deadlock) {
    o.kind = OutcomeKind::Deadlock;
    o.message = r.message;
    // The blocked goroutines' waits, without ids, name which deadlock it is.
    if (last) {
      std::set<std::string> waits;
      for (const gor::GoroutineInfo& g : last->goroutines)
        if (g.state == "waiting") waits.insert(g.wait_reason + " at " + base_name(g.blocked_at));
      for (const std::string& w : waits) o.detail += (o.detail.empty() ? "" : "; ") + w;
    }
    return o;
  }
  if (last) {
    for (const gor::DeadlockInfo& d : last->deadlocks) {
      if (d.cycle.size() < 2) continue;
      o.kind = OutcomeKind::PartialDeadlock;
      o.message = "a wait-for cycle of " + std::to_string(d.cycle.size()) + " goroutines";
      o.detail = d.description;
      return o;
    }
  }
  if (!out.failed_checks.empty()) {
    o.kind = OutcomeKind::Check;
    o.message = out.failed_checks.front().invariant;
    o.detail = out.failed_checks.front().detail;
    return o;
  }
  if (r.leaked > 0 && last) {
    std::map<std::string, int> waits;  // "chan send at leak.cpp:30" -> goroutines
    for (const gor::GoroutineInfo& g : last->goroutines) {
      if (g.id == 1 || g.state != "waiting" || g.wait_reason == "sleep") continue;
      ++waits[g.wait_reason + " at " + base_name(g.blocked_at)];
    }
    if (!waits.empty()) {
      o.kind = OutcomeKind::Leak;
      int n = 0;
      std::string where;
      for (const auto& [w, k] : waits) {
        n += k;
        where += (where.empty() ? "" : ", ") + w;
      }
      o.message = "goroutines blocked forever after main returned: " + where;
      o.detail = std::to_string(n) + " goroutine" + (n == 1 ? "" : "s") + " left blocked";
      return o;
    }
  }
  if (r.races > 0 && !r.race_reports.empty()) {
    o.kind = OutcomeKind::Race;
    o.message = "data race: " + race_sites(r.race_reports.front());
    o.detail = std::to_string(r.races) + " race" + (r.races == 1 ? "" : "s") + " reported";
    return o;
  }
  return o;
}

RunRecord run_index(const ExplorePlan& plan, uint64_t i) {
  return detail::run_with(plan, detail::seed_for(plan, i), detail::strategy_for(plan, i));
}

void ExploreSummary::add(uint64_t index, RunRecord&& rec) {
  ++runs;
  for (OutcomeStats& o : outcomes) {
    if (o.outcome.kind != rec.outcome.kind || o.outcome.message != rec.outcome.message) continue;
    ++o.count;
    if (index < o.first_run) {
      o.first_run = index;
      o.outcome = rec.outcome;
      o.first = std::move(rec);
    }
    return;
  }
  OutcomeStats o;
  o.outcome = rec.outcome;
  o.count = 1;
  o.first_run = index;
  o.first = std::move(rec);
  auto at = std::find_if(outcomes.begin(), outcomes.end(), [&](const OutcomeStats& x) {
    return x.outcome.kind > o.outcome.kind || (x.outcome.kind == o.outcome.kind && x.first_run > o.first_run);
  });
  outcomes.insert(at, std::move(o));
}

void ExploreSummary::merge(ExploreSummary&& other) {
  const uint64_t total = runs + other.runs;
  for (OutcomeStats& o : other.outcomes) {
    const uint64_t count = o.count;
    const uint64_t first = o.first_run;
    add(first, std::move(o.first));
    // add() counted one run of it: account for the rest.
    for (OutcomeStats& mine : outcomes)
      if (mine.outcome.kind == o.outcome.kind && mine.outcome.message == o.outcome.message) mine.count += count - 1;
  }
  runs = total;
}

bool ExploreSummary::failures() const {
  return std::any_of(outcomes.begin(), outcomes.end(), [](const OutcomeStats& o) { return o.outcome.kind != OutcomeKind::Ok; });
}

ExploreSummary explore_runs(const ExplorePlan& plan, uint64_t first, uint64_t stride, uint64_t count,
                            const std::function<void(uint64_t)>& progress, const std::atomic<bool>* cancel) {
  ExploreSummary s;
  uint64_t done = 0;
  for (uint64_t i = first; i < plan.runs && done < count; i += std::max<uint64_t>(stride, 1)) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) break;
    s.add(i, run_index(plan, i));
    ++done;
    if (progress) progress(done);
  }
  return s;
}

}  // namespace goroscope::explore
