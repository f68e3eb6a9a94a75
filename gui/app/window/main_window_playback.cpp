// main_window_playback.cpp — MainWindow's wiring of the RunPlayer: a deterministic run played
// at a pace, stepping forwards and back, rewinding any ended run or file, and the state JSON.
#include <QAction>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QStatusBar>
#include <QVBoxLayout>

#include <goroscope/registry.hpp>

#include "model/event_text.hpp"
#include "run/sample_timing.hpp"
#include "views/goroutine_table.hpp"
#include "views/inspector_view.hpp"
#include "views/run_banner.hpp"
#include "views/scheduler_view.hpp"
#include "views/scrub_bar.hpp"
#include "views/timeline_canvas.hpp"
#include "views/timeline_view.hpp"
#include "window/main_window.hpp"
#include "window/run_toolbar.hpp"

namespace goroscope::gui {

namespace {
// kMaxAnimatedEvents bounds the events a cursor move hands the scene's animations (a jump
// across a million events animates nothing, it just shows the new state).
constexpr size_t kMaxAnimatedEvents = 4096;
// A deterministic recording runs at most kRecordAhead events ahead of the cursor; it resumes
// once the cursor is within kRecordResume of its end.
constexpr size_t kRecordAhead = 4'000'000;
constexpr size_t kRecordResume = 2'000'000;
// States with more goroutines than this are laid out on the scene's worker thread.
constexpr size_t kSyncLayoutGoroutines = 1000;
}  // namespace

void MainWindow::setup_playback(QWidget* centre) {
  player_ = new RunPlayer(controller_.store(), this);
  scrub_ = new ScrubBar(centre);
  centre->layout()->addWidget(scrub_);
  scrub_->setEnabled(false);
  connect(scrub_, &ScrubBar::seekRequested, this, [this](int64_t t) { player_->seek_time(t); });
  connect(scrub_, &ScrubBar::runFromHereRequested, this, [this] { run_from_here(); });
  connect(player_, &RunPlayer::moved, this, &MainWindow::show_played_state);
  connect(player_, &RunPlayer::playingChanged, this, [this] { update_run_controls(); });
  connect(player_, &RunPlayer::reachedEnd, this, &MainWindow::on_played_to_end);
  connect(player_, &RunPlayer::breakpointHit, this, [this](const BreakHit& hit) {
    const gor::Event& e = controller_.store().events()[hit.index];
    if (e.kind == gor::EventKind::Race) {
      check_races();
      if (!races_.empty()) {
        show_race_banner(QString());
        return;
      }
    }
    if (e.kind == gor::EventKind::GoBlock) selection_.select(e.g);
    banner_->show_message(RunBanner::Severity::Warning, tr("Paused at a breakpoint"),
                          tr("%1 (at %2, event %3) — Space plays on, ← and → step.")
                              .arg(QString::fromStdString(hit.reason), format_engine_time(e.ts))
                              .arg(static_cast<qulonglong>(hit.index + 1)));
  });
  connect(toolbar_, &RunToolbar::paceChanged, this, [this](const Pace& p) {
    player_->set_pace(p);
    update_play_estimate();
    if (controller_.running() && !controller_.deterministic()) controller_.set_dilation(toolbar_->dilation());
    update_status();
  });
  connect(toolbar_->real_threads_action(), &QAction::toggled, this, [this] {
    update_play_estimate();
    update_status();
  });
  connect(toolbar_, &RunToolbar::stepBackRequested, this, [this] { player_->step_back(toolbar_->step_unit()); });
  connect(toolbar_, &RunToolbar::jumpRequested, this, [this](bool forward) {
    if (const uint64_t g = selection_.selected(); g != 0) {
      player_->jump_to_goroutine(g, forward);
      return;
    }
    // No goroutine selected: the P of the event shown last.
    const size_t c = player_->cursor();
    const auto& events = controller_.store().events();
    if (c > 0 && c <= events.size() && events[c - 1].p >= 0) player_->jump_to_proc(events[c - 1].p, forward);
  });
  // The timeline's cursor is the player's: a click or ctrl-drag there moves it too.
  connect(&timeline_->canvas(), &TimelineCanvas::cursorMoved, this, [this](int64_t t) {
    if (player_->active() && t >= 0 && t != player_->cursor_ns()) player_->seek_time(t);
  });
}

void MainWindow::show_played_state(const std::shared_ptr<const gor::Snapshot>& state, size_t from, size_t to) {
  if (!state) return;
  const TraceStore& store = controller_.store();
  if (from < to && to - from <= kMaxAnimatedEvents && to <= store.size()) {
    const std::vector<gor::Event> passed(store.events().begin() + static_cast<std::ptrdiff_t>(from),
                                         store.events().begin() + static_cast<std::ptrdiff_t>(to));
    scheduler_->add_events(passed, 0);
  }
  // A partial deadlock the cursor passed (the engine found it then): its banner, as live.
  if (from < to && to <= store.size() && store.count(gor::EventKind::PartialDeadlock) > 0) {
    gor::Snapshot found;
    for (size_t i = from; i < to; ++i) {
      const gor::Event& e = store.events()[i];
      if (e.kind != gor::EventKind::PartialDeadlock) continue;
      gor::DeadlockInfo d;
      d.cycle.push_back(e.a0);
      d.description = store.string(e.a2);
      found.deadlocks.push_back(std::move(d));
    }
    show_partial_deadlocks(found);
  }
  // A big state (thousands of goroutines) is laid out off the UI thread, as a live run's is;
  // a small one at once, so a step shows its result in the same frame.
  if (state->goroutines.size() > kSyncLayoutGoroutines) {
    scheduler_->post_snapshot([state] { return *state; });
  } else {
    scheduler_->set_snapshot(*state);
  }
  if (!table_timer_->isActive()) table_timer_->start();  // the table follows at its own rate
  inspector_->set_data(state, store);
  const int64_t now = player_->cursor_ns();
  timeline_->canvas().set_cursor_enabled(true);
  if (timeline_->canvas().cursor() != now) timeline_->canvas().set_cursor(now);
  scrub_->setEnabled(true);
  const bool ended = !player_->recording();
  scrub_->set_position(now, store.end_ns(), to, store.size(), ended);
  show_partial_deadlocks(*state);
  // A learner who rewinds gets the end's banner back only when the cursor returns there.
  if (!player_->at_end() && !end_state_.isEmpty() && !player_->playing()) scrub_->set_hint(tr("← → step · drag to rewind"));
  update_run_controls();
}

void MainWindow::on_played_to_end() {
  if (played_outcome_) {
    const RunOutcome outcome = std::move(*played_outcome_);
    played_outcome_.reset();
    show_outcome(outcome);
  }
  scrub_->set_hint(tr("The run has ended: drag the bar (or press ←) to rewind."));
  update_run_controls();
}

void MainWindow::update_run_controls() {
  const bool recording_live = controller_.running() && !controller_.deterministic();
  const bool can_step = player_->active();
  const bool paused = player_->active() ? !player_->playing() : controller_.paused();
  toolbar_->set_run_state(controller_.running() || (player_->active() && player_->playing()), paused, can_step && !recording_live);
  scrub_->set_run_from_here_enabled(!controller_.running() && player_->active() && last_schedule_ != nullptr &&
                                    player_->cursor() < controller_.store().size());
  update_status();
}

void MainWindow::throttle_recording() {
  if (!controller_.running() || !controller_.deterministic() || !player_->active()) return;
  const size_t ahead = controller_.store().size() - std::min(controller_.store().size(), player_->cursor());
  if (!recording_throttled_ && ahead > kRecordAhead) {
    recording_throttled_ = true;
    controller_.pause();
  } else if (recording_throttled_ && ahead < kRecordResume) {
    recording_throttled_ = false;
    controller_.resume();
  }
}

void MainWindow::update_play_estimate() {
  // How long the open sample (or the run in the store) plays at the pace chosen.
  const Pace p = toolbar_->pace();
  int64_t engine_ns = 0;
  size_t events = 0;
  if (controller_.store().size() > 0 && !controller_.running()) {
    engine_ns = controller_.store().end_ns() - controller_.store().events().front().ts;
    events = controller_.store().size();
  } else if (const std::optional<SampleTiming> t = sample_timing(current_sample_.toStdString())) {
    engine_ns = t->engine_ns;
    events = t->events;
  }
  if (events == 0 || p.kind == Pace::Kind::Fastest || !toolbar_->deterministic()) {
    toolbar_->set_play_estimate(QString());
    return;
  }
  const double s = p.play_seconds(engine_ns, events);
  toolbar_->set_play_estimate(s < 120 ? tr("plays %1 s").arg(std::max(1L, std::lround(s)))
                                      : tr("plays %1 min").arg(std::lround(s / 60)));
}

QString MainWindow::run_state() const {
  if (player_->active()) {
    if (player_->at_end() && !end_state_.isEmpty()) return end_state_;
    if (!player_->playing()) return QStringLiteral("paused");
    return QStringLiteral("running");
  }
  if (controller_.running()) return controller_.paused() ? QStringLiteral("paused") : QStringLiteral("running");
  return end_state_.isEmpty() ? QStringLiteral("idle") : end_state_;
}

bool MainWindow::run_from_here() {
  auto refuse = [this](const QString& why) {
    banner_->show_message(RunBanner::Severity::Warning, tr("Run from here"), why);
    return false;
  };
  if (controller_.running()) return refuse(tr("A run is still being recorded; stop it or let it end first."));
  if (!player_->active() || !last_schedule_)
    return refuse(tr("Only a deterministic run (or a file recorded in deterministic mode) can be run again from a moment."));
  const std::string sample = trace_header_.sample;
  if (!find_sample(sample)) return refuse(tr("The recorded sample '%1' is not in this build.").arg(QString::fromStdString(sample)));
  RunSpec spec;
  spec.sample_id = sample;
  for (const QString& kv : QString::fromStdString(trace_header_.params).split(QLatin1Char(' '), Qt::SkipEmptyParts))
    if (const int eq = kv.indexOf(QLatin1Char('=')); eq > 0) spec.params.emplace_back(kv.left(eq).toStdString(), kv.mid(eq + 1).toStdString());
  spec.procs = trace_header_.procs;
  spec.seed = trace_header_.seed;
  spec.race = trace_header_.race || controller_.spec().race;
  spec.deterministic = true;
  spec.replay = last_schedule_;
  const size_t at = player_->cursor();
  spec.replay_events = std::max<size_t>(at, 1);
  if (!start_run(spec)) return false;
  player_->start_at(at);
  banner_->show_message(RunBanner::Severity::Info, tr("Running from event %1").arg(static_cast<qulonglong>(at)),
                        tr("The recorded schedule is re-executed up to this moment; after it the scheduler chooses afresh (seed %1).")
                            .arg(controller_.seed()));
  return true;
}

bool MainWindow::rewind_to(int64_t ns) {
  if (!player_->active()) return false;
  player_->seek_time(ns);
  return true;
}

QByteArray MainWindow::state_json() const {
  QJsonObject o;
  const TraceStore& store = controller_.store();
  o[QStringLiteral("sample")] = replay_path_.isEmpty() ? current_sample_ : QString::fromStdString(trace_header_.sample);
  o[QStringLiteral("state")] = run_state();
  // trace_header_ describes the run in the store, live or read from a file.
  const bool deterministic = trace_header_.deterministic;
  o[QStringLiteral("mode")] = deterministic ? QStringLiteral("deterministic") : QStringLiteral("real");
  o[QStringLiteral("seed")] = QString::number(trace_header_.seed);
  const bool at_cursor = player_->active();
  o[QStringLiteral("engine_ns")] = static_cast<qint64>(at_cursor ? player_->cursor_ns() : store.end_ns());
  o[QStringLiteral("events")] = static_cast<qint64>(at_cursor ? player_->cursor() : store.size());
  o[QStringLiteral("events_recorded")] = static_cast<qint64>(store.size());
  const auto& state = at_cursor ? player_->state() : controller_.snapshot();
  o[QStringLiteral("goroutines")] = static_cast<qint64>(state ? state->goroutines.size() : 0);
  o[QStringLiteral("pace")] = QString::fromStdString(
      deterministic || at_cursor ? toolbar_->pace().spec() : QStringLiteral("%1x slower").arg(toolbar_->dilation()).toStdString());
  return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

}  // namespace goroscope::gui
