#include "run/run_controller.hpp"

#include <QMetaObject>

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include <goroscope/registry.hpp>
#include <goroscope/runner.hpp>

namespace goroscope::gui {

namespace {
// lower_priority() makes the calling thread (and the threads it starts later) yield to the UI
// thread when cores are scarce: a sample running flat out on every core must not take the
// frames away from the app that shows it. On an idle machine it changes nothing. The order:
// the UI thread (nice 0), then the threads that work for it (the scene's layout worker and
// the page warmers, nice 5), then the run (nice 10: at nice 5 a frame of 10 ms CPU still
// waited up to 6 ms for a core on 2 cores at 5M events/s).
void lower_priority() {
  constexpr int kEngineNice = 10;
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kEngineNice);  // best effort
}
}  // namespace

// Observer runs on the engine's drain thread: it copies batches into pending buffers and
// checks event breakpoints. It never calls into the engine (a pause it wants is a command
// for the control thread), so the drain thread never waits on a stopping world.
class RunController::Observer : public gor::TraceObserver {
 public:
  explicit Observer(RunController& owner) : owner_(owner) {}

  void on_string(uint64_t id, const std::string& text) override {
    std::lock_guard<std::mutex> lock(mu_);
    strings_.emplace_back(id, text);
  }

  void on_events(const gor::Event* events, size_t count) override {
    // Sort here, on the drain thread, so the UI thread only appends. A batch is in order per
    // M (one sorted run per ring); successive batches are in order (each drain's timestamps
    // are clamped to its calibration interval), but merge anyway if one ever reaches back.
    sorted_.assign(events, events + count);
    const auto by_ts = [](const gor::Event& a, const gor::Event& b) { return a.ts < b.ts; };
    if (!std::is_sorted(sorted_.begin(), sorted_.end(), by_ts)) std::stable_sort(sorted_.begin(), sorted_.end(), by_ts);
    {
      std::lock_guard<std::mutex> lock(mu_);
      const size_t old = events_.size();
      events_.insert(events_.end(), sorted_.begin(), sorted_.end());
      if (old > 0 && count > 0 && events_[old].ts < events_[old - 1].ts) {
        auto first = std::upper_bound(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(old), events_[old], by_ts);
        std::inplace_merge(first, events_.begin() + static_cast<std::ptrdiff_t>(old), events_.end(), by_ts);
      }
    }
    check_breakpoints(events, count);
  }

  // empty() says whether nothing is pending.
  bool empty() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_.empty() && strings_.empty();
  }

  // take() moves everything pending out (UI thread), sorted by ts; `events` comes back
  // cleared, its capacity reused for the next frame.
  void take(std::vector<std::pair<uint64_t, std::string>>& strings, std::vector<gor::Event>& events) {
    events.clear();
    std::lock_guard<std::mutex> lock(mu_);
    strings.swap(strings_);
    events.swap(events_);
  }

 private:
  void check_breakpoints(const gor::Event* events, size_t count) {
    BreakpointSet b;
    {
      std::lock_guard<std::mutex> lock(owner_.mu_);
      if (owner_.engine_paused_ || owner_.deterministic_) return;
      b = owner_.breakpoints_;
    }
    for (size_t i = 0; i < count; ++i) {
      const gor::Event& e = events[i];
      QString reason;
      if (b.on_steal && e.kind == gor::EventKind::Steal)
        reason = QStringLiteral("Breakpoint: P%1 stole %2 goroutine(s) from P%3").arg(e.p).arg(e.a1).arg(e.a0);
      else if (b.on_starving && e.kind == gor::EventKind::MutexMode && e.a1 == 1)
        reason = QStringLiteral("Breakpoint: a mutex entered starvation mode");
      else if (b.on_goroutine_block && e.kind == gor::EventKind::GoBlock && e.g == b.on_goroutine_block)
        reason = QStringLiteral("Breakpoint: G%1 blocked").arg(e.g);
      else if (b.on_partial_deadlock && std::string_view(gor::event_kind_name(e.kind)) == "partial_deadlock")
        reason = QStringLiteral("Breakpoint: partial deadlock");
      else if (b.on_race && e.kind == gor::EventKind::Race)
        reason = QStringLiteral("Breakpoint: data race between G%1 and G%2").arg(e.g).arg(e.a0);
      if (!reason.isEmpty()) {
        owner_.post(Command{Command::Breakpoint, 0, reason});
        return;
      }
    }
  }

  RunController& owner_;
  std::mutex mu_;
  std::vector<std::pair<uint64_t, std::string>> strings_;
  std::vector<gor::Event> events_;
  std::vector<gor::Event> sorted_;  // drain thread only
};

RunController::RunController(QObject* parent) : QObject(parent) {
  qRegisterMetaType<RunOutcome>();
  frame_timer_.setInterval(16);
  connect(&frame_timer_, &QTimer::timeout, this, [this] {
    if (finishing_) return finish_when_drained();
    deliver_pending();
  });
}

RunController::~RunController() {
  if (running_) {
    if (control_.paused()) control_.resume();
    control_.stop();
  }
  join_threads();
}

bool RunController::start(const RunSpec& spec, QString* error) {
  auto fail = [&](const QString& text) {
    if (error) *error = text;
    return false;
  };
  if (running_) return fail(QStringLiteral("A run is already in progress; stop it first."));
  const Sample* sample = find_sample(spec.sample_id);
  if (!sample) return fail(QStringLiteral("Unknown sample '%1'.").arg(QString::fromStdString(spec.sample_id)));
  SampleParams params(sample->info);
  for (const auto& [key, value] : spec.params) {
    try {
      params.parse(key, value);
    } catch (const std::exception& e) {
      return fail(QString::fromStdString(e.what()));
    }
  }
  if (spec.procs < 0 || spec.procs > 256)
    return fail(QStringLiteral("Procs must be between 1 and 256 (got %1).").arg(spec.procs));
  if (spec.dilation < 0 || spec.dilation > 100000)
    return fail(QStringLiteral("Slow motion must be between 1x and 100000x (got %1).").arg(spec.dilation));
  join_threads();

  spec_ = spec;
  gor::Config cfg = sample_config(*sample);
  if (spec.procs > 0) cfg.procs = spec.procs;
  // Seed 0 asks for a random seed; it is picked here so the app can show it from the start and
  // the run can be repeated exactly.
  seed_ = spec.seed;
  // (Below 10^9, so the toolbar's seed box can hold it and the user can type it back.)
  if (seed_ == 0) seed_ = 1 + std::random_device{}() % 999'999'999;
  cfg.seed = seed_;
  cfg.race = spec.race;
  cfg.deterministic = spec.deterministic;
  if (spec.deterministic && spec.replay) {
    cfg.replay = spec.replay;
    cfg.replay_events = spec.replay_events;
  }
  cfg.dilation = spec.dilation > 0 ? spec.dilation : std::max(1.0, sample->info.suggested_dilation);
  cfg.trace = true;
  observer_ = std::make_unique<Observer>(*this);
  cfg.observer = observer_.get();
  cfg.control = &control_;

  store_.clear();
  batch_.clear();
  batch_taken_ = 0;
  finishing_.reset();
  snapshot_.reset();
  dilation_ = cfg.dilation;
  dilation_now_ = cfg.dilation;
  procs_ = cfg.procs;
  running_ = true;
  paused_ = false;
  events_per_second_ = 0;
  rate_events_ = 0;
  rate_since_ = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    commands_.clear();
    control_exit_ = false;
    engine_paused_ = false;
    pending_snapshot_.reset();
    retired_snapshots_.clear();
    pending_breaks_.clear();
    pending_failures_.clear();
    pending_paused_.reset();
  }
  run_done_ = false;
  held_reported_ = false;
  held_goroutine_ = 0;
  // A deterministic run is recorded ahead of what is shown and played back at a pace (the
  // views read the store at a cursor): the engine is never paused for a breakpoint, and it is
  // sampled only at its end.
  deterministic_ = spec.deterministic;
  {
    std::lock_guard<std::mutex> lock(mu_);
    control_.hold_at_end(!deterministic_ && breakpoints_.on_panic, !deterministic_ && breakpoints_.on_deadlock);
  }
  if (spec.start_paused && !spec.deterministic) post(Command{Command::Pause, 0, {}});

  runner_ = std::thread([this, sample, params, cfg] {
    lower_priority();  // inherited by every thread the engine starts (Ms, sysmon, drain)
    SampleRun r = run_sample(*sample, params, cfg);
    run_done_ = true;
    RunOutcome outcome{std::move(r.result), std::move(r.outcome), r.wall_seconds};
    QMetaObject::invokeMethod(this, [this, outcome = std::move(outcome)]() mutable { on_run_finished(std::move(outcome)); },
                              Qt::QueuedConnection);
  });
  controller_ = std::thread([this] {
    lower_priority();
    control_loop();
  });
  frame_timer_.start();
  emit started();
  return true;
}

void RunController::post(Command c) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    commands_.push_back(std::move(c));
  }
  cv_.notify_all();
}

void RunController::stop() {
  if (running_) post(Command{Command::Stop, 0, {}});
}
void RunController::pause() {
  if (running_) post(Command{Command::Pause, 0, {}});
}
void RunController::resume() {
  if (running_) post(Command{Command::Resume, 0, {}});
}
void RunController::step(int n) {
  if (running_) post(Command{Command::Step, static_cast<double>(n), {}});
}
void RunController::set_dilation(double k) {
  dilation_ = k;
  if (running_) post(Command{Command::Dilation, k, {}});
}
void RunController::set_procs(int n) {
  procs_ = n;
  if (running_) post(Command{Command::Procs, static_cast<double>(n), {}});
}
void RunController::set_breakpoints(const BreakpointSet& b) {
  // A deterministic run's ending is held by the playback cursor, not by the engine.
  const bool engine_holds = !deterministic_;  // start() applies it again for the run it starts
  control_.hold_at_end(engine_holds && b.on_panic, engine_holds && b.on_deadlock);  // never blocks
  std::lock_guard<std::mutex> lock(mu_);
  breakpoints_ = b;
}

// control_loop() executes commands in order and samples the run. Runs on its own thread
// until the run ends, so a slow stop-the-world never stalls the UI.
void RunController::control_loop() {
  // Commands wait until gor::run has attached the control (or the run is already over).
  while (!control_.active() && !run_done_.load()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (control_exit_) return;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  auto last_snapshot = std::chrono::steady_clock::now() - std::chrono::hours(1);
  for (;;) {
    Command c{Command::Snapshot, 0, {}};
    bool have_command = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // A snapshot of thousands of goroutines stops the world longer and costs the UI a
      // table and layout update of every one of them: sample such a run half as often.
      const int base = snapshot_interval_ms_.load();
      const auto interval = std::chrono::milliseconds(last_snapshot_goroutines_ > kManyGoroutines ? std::max(base, 100) : base);
      cv_.wait_until(lock, last_snapshot + interval, [&] { return control_exit_ || !commands_.empty(); });
      if (control_exit_) return;
      if (!commands_.empty()) {
        c = std::move(commands_.front());
        commands_.pop_front();
        have_command = true;
      }
    }
    auto report = [&](const gor::PauseReport& r, const char* what) {
      if (r.ok || !control_.active()) return;
      QString ids;
      for (uint64_t g : r.still_running) ids += QStringLiteral(" G%1").arg(g);
      std::lock_guard<std::mutex> lock(mu_);
      pending_failures_.push_back(QStringLiteral("Could not %1 in time: still running%2 (a loop without engine calls cannot be preempted).")
                                      .arg(QLatin1String(what), ids));
    };
    auto set_paused = [&](bool p) {
      std::lock_guard<std::mutex> lock(mu_);
      engine_paused_ = p;
      pending_paused_ = p;
    };
    if (!have_command) {
      bool paused;
      {
        std::lock_guard<std::mutex> lock(mu_);
        paused = engine_paused_;
      }
      last_snapshot = std::chrono::steady_clock::now();
      // A panic or deadlock breakpoint: the engine holds the run at its end, paused.
      if (std::optional<gor::HeldEnd> held = control_.held(); held && !held_reported_) {
        held_reported_ = true;
        held_goroutine_ = held->goroutine;
        const QString what = held->status == gor::RunStatus::Panic
                                 ? QStringLiteral("G%1 panic: %2").arg(held->goroutine).arg(QString::fromStdString(held->message))
                                 : QStringLiteral("fatal error: %1").arg(QString::fromStdString(held->message));
        set_paused(true);
        {
          std::lock_guard<std::mutex> lock(mu_);
          pending_breaks_.push_back(QStringLiteral("Breakpoint: %1 — stopped at the instant the program would end").arg(what));
        }
        take_snapshot(true);
        continue;
      }
      if (!paused && !deterministic_) take_snapshot(false);
      continue;
    }
    switch (c.kind) {
      case Command::Breakpoint: {
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (engine_paused_) break;  // already stopped by an earlier cause
        }
        const gor::PauseReport r = control_.pause();
        report(r, "pause");
        if (r.ok) {
          set_paused(true);
          std::lock_guard<std::mutex> lock(mu_);
          pending_breaks_.push_back(c.reason);
        }
        take_snapshot(true);
        break;
      }
      case Command::Pause: {
        const gor::PauseReport r = control_.pause();
        report(r, "pause");
        if (r.ok) set_paused(true);
        take_snapshot(true);
        break;
      }
      case Command::Resume:
        if (control_.resume() || !control_.paused()) set_paused(false);
        break;
      case Command::Step: {
        // In slow motion the next goroutine start may be a timer away (a 2 ms sleep is 1 s of
        // wall time at 500x): wait for it in proportion, up to 10 s.
        const double k = dilation_now_.load();
        const auto wait = std::chrono::milliseconds(static_cast<int64_t>(std::clamp(20.0 * k, 1000.0, 10000.0)));
        const gor::PauseReport r = control_.step(static_cast<int>(c.value), wait);
        report(r, "step");
        if (r.ok) set_paused(true);
        take_snapshot(true);
        break;
      }
      case Command::Stop:
        if (control_.paused()) control_.resume();
        control_.stop();
        break;
      case Command::Dilation:
        control_.set_dilation(c.value);
        dilation_now_ = c.value;
        break;
      case Command::Procs:
        control_.set_procs(static_cast<int>(c.value));
        take_snapshot(true);
        break;
      case Command::Snapshot:
        take_snapshot(true);
        break;
    }
  }
}

// take_snapshot() samples the run (RunControl stops the world for an instant; engine time is
// frozen meanwhile) and checks the queue-length breakpoint. Control thread only.
void RunController::take_snapshot(bool /*force*/) {
  std::optional<gor::Snapshot> s = control_.snapshot();
  if (!s) return;
  int limit;
  bool paused;
  {
    std::lock_guard<std::mutex> lock(mu_);
    limit = breakpoints_.run_queue_longer_than;
    paused = engine_paused_;
  }
  QString reason;
  if (limit > 0 && !paused) {
    for (const gor::ProcessorInfo& p : s->procs)
      if (static_cast<int>(p.local_queue.size()) > limit) {
        reason = QStringLiteral("Breakpoint: P%1's run queue holds %2 goroutines (> %3)").arg(p.id).arg(p.local_queue.size()).arg(limit);
        break;
      }
  }
  last_snapshot_goroutines_ = s->goroutines.size();
  // Shared read-only from here: the UI's views hold it without copying it again.
  auto shared = std::make_shared<const gor::Snapshot>(std::move(*s));
  std::vector<std::shared_ptr<const gor::Snapshot>> retired;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_snapshot_ = std::move(shared);
    retired.swap(retired_snapshots_);
  }
  retired.clear();  // the UI's old snapshots are freed here, not on the UI thread
  if (!reason.isEmpty()) {
    std::lock_guard<std::mutex> lock(mu_);
    commands_.push_front(Command{Command::Breakpoint, 0, reason});
  }
}

int64_t thread_cpu_us() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<int64_t>(t.tv_sec) * 1000000 + t.tv_nsec / 1000;
}

bool RunController::deliver_pending() {
  const auto began = std::chrono::steady_clock::now();
  struct Timing {
    RunController& self;
    std::chrono::steady_clock::time_point began;
    int64_t cpu_began = thread_cpu_us();
    ~Timing() {
      self.last_delivery_us_ =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - began).count();
      self.last_delivery_cpu_us_ = thread_cpu_us() - cpu_began;
    }
  } timing{*this, began};
  std::vector<std::pair<uint64_t, std::string>> strings;
  std::vector<gor::Event>& events = batch_;
  // A frame stores at most kMaxEventsPerFrame: a burst (a frame that came late, a run faster
  // than the store) is spread over the next frames instead of making this one long. The rest
  // of the batch waits here; the engine's newer events wait in the observer meanwhile.
  if (batch_taken_ >= events.size()) {
    batch_taken_ = 0;
    if (observer_) observer_->take(strings, events);
  }
  std::shared_ptr<const gor::Snapshot> snap;
  std::vector<QString> breaks, failures;
  std::optional<bool> paused;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snap.swap(pending_snapshot_);
    breaks.swap(pending_breaks_);
    failures.swap(pending_failures_);
    paused.swap(pending_paused_);
  }
  for (auto& [id, text] : strings) store_.add_string(id, std::move(text));
  const size_t n = std::min(events.size() - batch_taken_, kMaxEventsPerFrame);
  store_.append_copy(events.data() + batch_taken_, n);
  batch_taken_ += n;
  if (batch_taken_ >= events.size()) {
    events.clear();
    batch_taken_ = 0;
    if (events.capacity() > (size_t{1} << 22)) events = {};  // after a burst, do not keep 200 MB
  }
  rate_events_ += n;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - rate_since_).count();
  if (elapsed >= 0.5) {
    events_per_second_ = static_cast<double>(rate_events_) / elapsed;
    rate_events_ = 0;
    rate_since_ = now;
  }
  const bool new_snapshot = snap != nullptr;
  if (snap) {
    if (snapshot_ && running_) {  // the control thread frees it (views may still share it)
      std::lock_guard<std::mutex> lock(mu_);
      retired_snapshots_.push_back(std::move(snapshot_));
    }
    snapshot_ = std::move(snap);
  }
  if (paused && *paused != paused_) {
    paused_ = *paused;
    emit pausedChanged(paused_);
  }
  for (const QString& f : failures) emit controlFailed(f);
  for (const QString& b : breaks) emit breakpointHit(b);
  const bool any = n > 0 || new_snapshot || !strings.empty();
  if (any) emit frame(new_snapshot);
  return any;
}

void RunController::on_run_finished(RunOutcome outcome) {
  join_threads();
  // The engine's picture of the end (a deadlock's blocked goroutines, a panic's last state)
  // replaces the last sample, so the views show where the run really stopped.
  if (std::optional<gor::Snapshot> last = control_.final_snapshot()) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_snapshot_ = std::make_shared<const gor::Snapshot>(std::move(*last));
  }
  // The engine delivered every event before gor::run returned; what the frames have not
  // stored yet goes in over the next frames (kMaxEventsPerFrame each), then the run is over.
  finishing_ = std::move(outcome);
  finish_when_drained();
}

bool RunController::drained() const {
  return batch_taken_ >= batch_.size() && (!observer_ || observer_->empty());
}

void RunController::finish_when_drained() {
  if (!finishing_) return;
  deliver_pending();          // also the engine's final snapshot, which views need before finished()
  if (!drained()) return;     // the frame timer goes on; each frame comes back here
  frame_timer_.stop();
  running_ = false;
  if (paused_) {
    paused_ = false;
    emit pausedChanged(false);
  }
  events_per_second_ = 0;
  RunOutcome outcome = std::move(*finishing_);
  finishing_.reset();
  emit finished(outcome);
}

void RunController::join_threads() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    control_exit_ = true;
  }
  cv_.notify_all();
  if (controller_.joinable()) controller_.join();
  if (runner_.joinable()) runner_.join();
}

}  // namespace goroscope::gui
