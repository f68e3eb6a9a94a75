// explore_shrink.cpp — shrinking a failing run by delta debugging over its deviations, and
// the interleaving table of a run (explore.hpp).
#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include <gor/trace.hpp>

#include "explore_internal.hpp"
#include "goroscope/runner.hpp"

namespace goroscope::explore {

namespace {

// Script re-runs a recorded run keeping only some of its deviations: a kept forced preemption
// is keyed by (goroutine, its n-th scheduling point), stable when other goroutines' steps move;
// a kept thread choice by its ordinal among thread choices, choosing the same goroutine when it
// is a candidate. Every other choice does not deviate.
class Script final : public detail::Recorder {
 public:
  Script(const std::vector<Choice>& choices, const std::vector<size_t>& keep) {
    std::map<size_t, size_t> thread_ordinal;
    size_t t = 0;
    for (size_t i = 0; i < choices.size(); ++i)
      if (choices[i].kind == gor::ChoiceKind::Thread) thread_ordinal[i] = t++;
    for (size_t i : keep) {
      const Choice& c = choices[i];
      if (c.kind == gor::ChoiceKind::Preempt) preempt_.insert({c.goroutine, c.nth});
      else threads_[thread_ordinal[i]] = {c.goroutine, c.chosen};
    }
  }
  uint32_t pick(const gor::ChoicePoint& p, const Choice& c, uint32_t sticky) override {
    if (p.kind == gor::ChoiceKind::Preempt) return preempt_.count({c.goroutine, c.nth}) != 0 ? 1 : 0;
    auto it = threads_.find(thread_++);
    if (it == threads_.end()) return sticky;
    const auto [g, index] = it->second;
    if (g != 0)
      for (uint32_t i = 0; i < p.candidates; ++i)
        if (p.goroutines[i] == g) return i;
    return index < p.candidates ? index : sticky;
  }

 private:
  std::set<std::pair<uint64_t, uint32_t>> preempt_;
  std::map<size_t, std::pair<uint64_t, uint32_t>> threads_;
  size_t thread_ = 0;
};

bool same(const Outcome& a, const Outcome& b) { return a.kind == b.kind && a.message == b.message; }

// smaller() orders runs by forced preemptions, then thread switches.
bool smaller(const RunRecord& a, const RunRecord& b) {
  return std::pair(a.preemptions, a.switches) < std::pair(b.preemptions, b.switches);
}

}  // namespace

void shrink(const ExplorePlan& plan, OutcomeStats& o, int budget) {
  const RunRecord& orig = o.first;
  RunRecord best = orig;
  std::vector<size_t> items;
  for (size_t i = 0; i < orig.choices.size(); ++i)
    if (orig.choices[i].deviation) items.push_back(i);
  int left = budget;
  // test() runs with only `keep` of the original's deviations; true if the outcome is the same.
  auto test = [&](const std::vector<size_t>& keep) {
    if (left <= 0) return false;
    --left;
    RunRecord r = detail::run_with(plan, orig.seed, std::make_shared<Script>(orig.choices, keep));
    if (!same(r.outcome, orig.outcome)) return false;
    if (smaller(r, best)) best = std::move(r);
    return true;
  };
  // Cheap first tries: no deviation at all; only the forced preemptions.
  if (!items.empty() && !test({})) {
    std::vector<size_t> preempts;
    for (size_t i : items)
      if (orig.choices[i].kind == gor::ChoiceKind::Preempt) preempts.push_back(i);
    if (preempts.size() < items.size() && test(preempts)) items = preempts;
    // ddmin (Zeller): remove chunks while the outcome stays; finer chunks when none can go.
    size_t n = 2;
    while (items.size() >= 2 && left > 0) {
      const size_t chunk = (items.size() + n - 1) / n;
      bool reduced = false;
      for (size_t start = 0; start < items.size() && left > 0; start += chunk) {
        std::vector<size_t> rest(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(start));
        rest.insert(rest.end(), items.begin() + static_cast<std::ptrdiff_t>(std::min(start + chunk, items.size())),
                    items.end());
        if (test(rest)) {
          items = std::move(rest);
          n = std::max<size_t>(n - 1, 2);
          reduced = true;
          break;
        }
      }
      if (reduced) continue;
      if (n >= items.size()) break;
      n = std::min(n * 2, items.size());
    }
    if (items.size() == 1) test({});  // already known to fail, but cheap to be sure
  }
  o.shrunk = std::move(best);
}

gor::Config replay_config(const ExplorePlan& plan, const RunRecord& rec) {
  gor::Config cfg = detail::base_config(plan, rec.seed);
  cfg.replay = std::make_shared<const gor::Schedule>(rec.schedule);
  return cfg;
}

InterleavingTable interleaving(const ExplorePlan& plan, const RunRecord& rec) {
  gor::Config cfg = replay_config(plan, rec);
  gor::TraceRecorder trace;
  cfg.trace = true;
  cfg.observer = &trace;
  run_sample(*plan.sample, plan.params, cfg);
  const std::vector<gor::Event> events = trace.events();

  InterleavingTable t;
  std::map<uint64_t, size_t> column;
  std::map<uint64_t, std::string> names;  // object id -> name
  std::set<uint64_t> requested;           // sysmon asked them to yield
  auto col = [&](uint64_t g, const std::string& label) {
    auto [it, fresh] = column.try_emplace(g, t.goroutines.size());
    if (fresh) {
      t.goroutines.push_back(g);
      t.headers.push_back("G" + std::to_string(g) + (label.empty() ? "" : " " + label));
    }
    return it->second;
  };
  auto object = [&](uint64_t id, const char* kind) {
    auto it = names.find(id);
    return it != names.end() && !it->second.empty() ? it->second : std::string(kind);
  };
  auto site = [&](uint64_t id) {
    std::string s = trace.string(id);
    const size_t slash = s.rfind('/', s.find(':'));
    return slash == std::string::npos ? s : s.substr(slash + 1);
  };
  auto say = [&](uint64_t g, const std::string& text, bool forced = false) {
    const size_t c = col(g, g == 1 ? "main" : "");
    if (!t.rows.empty() && t.rows.back().column == c && !t.rows.back().forced) {
      t.rows.back().text += "\n" + text;
      t.rows.back().forced = forced;
    } else {
      t.rows.push_back({c, text, forced});
    }
  };
  // The forced preemptions the run's choices made, per goroutine: a GoPreempted beyond them is
  // the engine's own (sysmon's, or the run ending), not a forced switch.
  std::map<uint64_t, int> forced_left;
  for (const Choice& c : rec.choices)
    if (c.kind == gor::ChoiceKind::Preempt && c.chosen == 1) ++forced_left[c.goroutine];
  col(1, "main");
  for (const gor::Event& e : events) {
    switch (e.kind) {
      case gor::EventKind::ObjectCreate: names[e.a0] = trace.string(e.a2); break;
      case gor::EventKind::GoCreate: {
        const std::string label = trace.string(e.a2);
        col(e.g, label);
        if (e.a0 != 0) say(e.a0, "go G" + std::to_string(e.g) + (label.empty() ? "" : " (" + label + ")"));
        break;
      }
      case gor::EventKind::GoBlock: {
        const gor::BlockFields b = gor::block_fields(e);
        say(e.g, "waits: " + gor::wait_reason_text(b.reason) + (b.object != 0 ? " " + object(b.object, "") : ""));
        break;
      }
      case gor::EventKind::GoUnblock:
        if (e.a0 != 0) say(e.a0, "wakes G" + std::to_string(e.g));
        break;
      case gor::EventKind::GoYield: say(e.g, "yields (Gosched)"); break;
      case gor::EventKind::PreemptRequest: requested.insert(e.g); break;
      case gor::EventKind::GoPreempted:
        if (requested.erase(e.g) != 0) say(e.g, "preempted by sysmon");
        else if (forced_left[e.g] > 0) --forced_left[e.g], say(e.g, ">> PREEMPTED (forced)", true);
        else say(e.g, "preempted");
        break;
      case gor::EventKind::GoStart:
        // A switch: someone else ran since this goroutine's last step.
        if (!t.rows.empty() && (t.rows.back().column != col(e.g, "") || t.rows.back().forced))
          say(e.g, "runs on P" + std::to_string(e.p));
        break;
      case gor::EventKind::GoEnd: say(e.g, "ends"); break;
      case gor::EventKind::ChanSend: say(e.g, "send on " + object(e.a0, "chan")); break;
      case gor::EventKind::ChanRecv: say(e.g, "receive from " + object(e.a0, "chan")); break;
      case gor::EventKind::ChanClose: say(e.g, "close " + object(e.a0, "chan")); break;
      case gor::EventKind::MutexAcquire: say(e.g, "lock " + object(e.a0, "mutex")); break;
      case gor::EventKind::MutexRelease: say(e.g, "unlock " + object(e.a0, "mutex")); break;
      case gor::EventKind::Log:
        if (e.g != 0) say(e.g, "log: " + trace.string(e.a0));
        break;
      case gor::EventKind::Race:
        say(e.g, "DATA RACE with G" + std::to_string(e.a0) + " at " + site(e.a1));
        break;
      default: break;
    }
  }
  return t;
}

std::string InterleavingTable::render(size_t width) const {
  std::ostringstream out;
  auto cell = [&](std::string s) {
    if (s.size() > width - 1) s = s.substr(0, width - 2) + "~";
    s.resize(width, ' ');
    return s;
  };
  out << cell("#").substr(0, 4);
  for (const std::string& h : headers) out << "| " << cell(h);
  out << '\n' << std::string(4, '-');
  for (size_t i = 0; i < headers.size(); ++i) out << "+" << std::string(width + 1, '-');
  out << '\n';
  int step = 0;
  for (const Row& r : rows) {
    std::istringstream lines(r.text);
    std::string line;
    bool first = true;
    while (std::getline(lines, line)) {
      std::string num = first ? std::to_string(++step) : "";
      num.resize(4, ' ');
      out << num;
      for (size_t c = 0; c < headers.size(); ++c) out << "| " << cell(c == r.column ? line : "");
      out << '\n';
      first = false;
    }
  }
  return out.str();
}

}  // namespace goroscope::explore
