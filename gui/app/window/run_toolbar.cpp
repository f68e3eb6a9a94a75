#include "window/run_toolbar.hpp"

#include <QAction>
#include <QActionGroup>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QShortcut>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <QWidgetAction>

#include <cmath>

namespace goroscope::gui {

RunToolbar::RunToolbar(QWidget* parent) : QToolBar(tr("Run"), parent) {
  setObjectName(QStringLiteral("RunToolbar"));
  setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  setMovable(false);
  auto action = [this](const QString& text, const QString& tip, const QKeySequence& key, void (RunToolbar::*sig)()) {
    QAction* a = addAction(text);
    a->setToolTip(QStringLiteral("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
    a->setShortcut(key);
    a->setShortcutContext(Qt::ApplicationShortcut);
    connect(a, &QAction::triggered, this, sig);
    return a;
  };
  run_ = action(tr("▶ Run"), tr("Run the selected sample"), QKeySequence(Qt::CTRL | Qt::Key_R), &RunToolbar::runRequested);
  pause_ = action(tr("❚❚ Pause"), tr("Pause or play; the scene stays at the moment shown"),
                  QKeySequence(Qt::Key_Space), &RunToolbar::pauseToggled);
  back_ = action(tr("◀ Back"), tr("Step back one scheduling event (or one goroutine switch: Run options)"),
                 QKeySequence(Qt::Key_Left), &RunToolbar::stepBackRequested);
  step_ = action(tr("Step ▶"), tr("Step forward one scheduling event (or one goroutine switch: Run options)"),
                 QKeySequence(Qt::Key_Right), &RunToolbar::stepRequested);
  stop_ = action(tr("■ Stop"), tr("End the run; every goroutine is unwound"), QKeySequence(Qt::CTRL | Qt::Key_Period),
                 &RunToolbar::stopRequested);
  restart_ = action(tr("↻ Restart"), tr("Run again with the same settings and seed: the same run"),
                    QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), &RunToolbar::restartRequested);
  // Shift+←/→: the selected goroutine's (or P's) previous or next event. Window-wide shortcuts
  // without a button of their own.
  for (bool forward : {false, true}) {
    auto* jump = new QShortcut(QKeySequence(Qt::SHIFT | (forward ? Qt::Key_Right : Qt::Key_Left)), this);
    jump->setContext(Qt::ApplicationShortcut);
    connect(jump, &QShortcut::activated, this, [this, forward] { emit jumpRequested(forward); });
  }
  addSeparator();

  auto* pace_box = new QWidget(this);
  auto* pace_layout = new QHBoxLayout(pace_box);
  pace_layout->setContentsMargins(6, 0, 6, 0);
  auto* pace_title = new QLabel(tr("Pace"), pace_box);
  pace_slider_ = new QSlider(Qt::Horizontal, pace_box);
  pace_slider_->setRange(0, static_cast<int>(pace_stops().size()) - 1);
  pace_slider_->setPageStep(3);
  pace_slider_->setMinimumWidth(140);
  pace_slider_->setMaximumWidth(260);
  pace_slider_->setToolTip(tr("How fast the run plays: from one scheduling event per second, through fractions of\n"
                              "engine time (×1/1000: one engine microsecond per wall millisecond), to as fast as possible.\n"
                              "A deterministic run is recorded first and played at this pace; ← and → step, and\n"
                              "the bar under the scene rewinds. With Real threads it is the engine's slow motion."));
  pace_label_ = new QLabel(pace_box);
  pace_label_->setMinimumWidth(QFontMetrics(font()).horizontalAdvance(QStringLiteral("500 events/s")) + 8);
  play_estimate_ = new QLabel(pace_box);
  play_estimate_->setToolTip(tr("How long the open sample plays at this pace (measured from its deterministic run)"));
  pace_layout->addWidget(pace_title);
  pace_layout->addWidget(pace_slider_);
  pace_layout->addWidget(pace_label_);
  pace_layout->addWidget(play_estimate_);
  pace_box->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Preferred);
  addWidget(pace_box);
  connect(pace_slider_, &QSlider::valueChanged, this, [this] {
    update_pace_label();
    emit paceChanged(pace());
  });

  // The second row: what a run is made with.
  settings_ = new QToolBar(tr("Run settings"), parent);
  settings_->setObjectName(QStringLiteral("RunSettingsToolbar"));
  settings_->setMovable(false);
  auto* procs_box = new QWidget(this);
  auto* procs_layout = new QHBoxLayout(procs_box);
  procs_layout->setContentsMargins(6, 0, 6, 0);
  procs_layout->addWidget(new QLabel(tr("Procs"), procs_box));
  procs_ = new QSpinBox(procs_box);
  procs_->setRange(1, 64);
  procs_->setToolTip(tr("GOMAXPROCS: the number of logical processors (P). Changeable while running."));
  procs_layout->addWidget(procs_);
  procs_layout->addWidget(new QLabel(tr("Seed"), procs_box));
  seed_ = new QSpinBox(procs_box);
  seed_->setRange(0, 1'000'000'000);
  seed_->setSpecialValueText(tr("random"));
  seed_->setToolTip(tr("Seeds the scheduler's and select's random choices. In a deterministic run the same seed gives\n"
                       "the same run, event for event; 'random' picks a new seed each Run (the status bar shows it,\n"
                       "and Restart repeats it)."));
  procs_layout->addWidget(seed_);
  settings_->addWidget(procs_box);
  connect(procs_, &QSpinBox::valueChanged, this, [this](int n) { emit procsChanged(n); });

  // A check box in the toolbar (a checkable tool button reads as a label when off), kept in
  // step with race_, which the Run menu shows too.
  race_ = new QAction(tr("Race detector"), this);
  race_->setCheckable(true);
  race_->setToolTip(tr("Run with the happens-before race detector, like go run -race: a data race (two goroutines\n"
                       "accessing the same variable, one writing, with nothing ordering them) shows as\n"
                       "WARNING: DATA RACE above the scene and on the timeline. Applies to the next run."));
  real_threads_ = new QAction(tr("Real threads"), this);
  real_threads_->setCheckable(true);
  real_threads_->setToolTip(tr("Run the sample on real threads and wall time instead of deterministically: every run\n"
                               "differs, slow motion dilates engine time only, and the run is watched live (rewind\n"
                               "works once it has ended). Off: virtual time and a seeded schedule, played at the pace."));
  auto* real_box = new QCheckBox(real_threads_->text(), this);
  real_box->setToolTip(real_threads_->toolTip());
  real_box->setContentsMargins(6, 0, 6, 0);
  settings_->addWidget(real_box);
  connect(real_box, &QCheckBox::toggled, real_threads_, &QAction::setChecked);
  connect(real_threads_, &QAction::toggled, real_box, &QCheckBox::setChecked);
  connect(real_threads_, &QAction::changed, real_box, [this, real_box] { real_box->setEnabled(real_threads_->isEnabled()); });
  connect(real_threads_, &QAction::toggled, this, [this] { update_pace_label(); });
  auto* race_box = new QCheckBox(race_->text(), this);
  race_box->setToolTip(race_->toolTip());
  race_box->setContentsMargins(6, 0, 6, 0);
  settings_->addWidget(race_box);
  connect(race_box, &QCheckBox::toggled, race_, &QAction::setChecked);
  connect(race_, &QAction::toggled, race_box, &QCheckBox::setChecked);
  connect(race_, &QAction::changed, race_box, [this, race_box] { race_box->setEnabled(race_->isEnabled()); });

  auto* options_button = new QToolButton(this);
  options_button->setText(tr("Run options"));
  options_button->setPopupMode(QToolButton::InstantPopup);
  auto* options = new QMenu(options_button);
  start_paused_ = options->addAction(tr("Start paused (at the first scheduling event)"));
  start_paused_->setCheckable(true);
  start_paused_->setToolTip(tr("Run stops before anything happens; → steps, Space plays"));
  options->addSeparator();
  auto* unit_group = new QActionGroup(options);
  QAction* step_event = options->addAction(tr("A step is one scheduling event"));
  step_switch_ = options->addAction(tr("A step is one goroutine switch"));
  for (QAction* a : {step_event, step_switch_}) {
    a->setCheckable(true);
    unit_group->addAction(a);
  }
  step_event->setChecked(true);
  options_button->setMenu(options);
  settings_->addWidget(options_button);

  breakpoints_button_ = new QToolButton(this);
  breakpoints_button_->setText(tr("Breakpoints"));
  breakpoints_button_->setToolTip(tr("Pause the run automatically when a chosen scheduler event happens"));
  breakpoints_button_->setPopupMode(QToolButton::InstantPopup);
  auto* menu = new QMenu(breakpoints_button_);
  auto checkable = [&](const QString& text) {
    QAction* a = menu->addAction(text);
    a->setCheckable(true);
    connect(a, &QAction::toggled, this, &RunToolbar::breakpointsChanged);
    return a;
  };
  bp_steal_ = checkable(tr("Pause on any steal"));
  bp_starving_ = checkable(tr("Pause when a mutex starts starving"));
  bp_panic_ = checkable(tr("Pause on a panic (before the program crashes)"));
  bp_deadlock_ = checkable(tr("Pause on a deadlock (all goroutines asleep)"));
  bp_partial_deadlock_ = checkable(tr("Pause on a partial deadlock"));
  bp_goroutine_block_ = checkable(tr("Pause when the selected goroutine blocks"));
  bp_race_ = checkable(tr("Pause on a data race (with the Race detector on)"));
  bp_queue_ = checkable(tr("Pause when a run queue is longer than N"));
  auto* limit_action = new QWidgetAction(menu);
  auto* limit_box = new QWidget(menu);
  auto* limit_layout = new QHBoxLayout(limit_box);
  limit_layout->setContentsMargins(28, 2, 8, 2);
  limit_layout->addWidget(new QLabel(tr("N ="), limit_box));
  bp_queue_limit_ = new QSpinBox(limit_box);
  bp_queue_limit_->setRange(1, 256);
  bp_queue_limit_->setValue(8);
  limit_layout->addWidget(bp_queue_limit_);
  limit_action->setDefaultWidget(limit_box);
  menu->addAction(limit_action);
  connect(bp_queue_limit_, &QSpinBox::valueChanged, this, &RunToolbar::breakpointsChanged);
  breakpoints_button_->setMenu(menu);
  settings_->addWidget(breakpoints_button_);

  set_dilation(1);
  set_procs(2);
  set_run_state(false, false);
}

void RunToolbar::update_pace_label() {
  const Pace p = pace();
  if (real_threads_->isChecked()) {
    const double k = dilation();
    pace_label_->setText(k < 1.05 ? tr("real time") : tr("%1× slower").arg(std::lround(k)));
  } else {
    pace_label_->setText(QString::fromStdString(p.text()));
  }
}

void RunToolbar::set_play_estimate(const QString& text) {
  play_estimate_->setText(text);
  play_estimate_->setVisible(!text.isEmpty());
}

void RunToolbar::set_run_state(bool running, bool paused, bool can_step) {
  pause_->setEnabled(running || can_step);
  pause_->setText(paused || (!running && can_step) ? tr("▶ Play") : tr("❚❚ Pause"));
  step_->setEnabled(running || can_step);  // a live real-threads run steps the engine itself
  back_->setEnabled(can_step);
  stop_->setEnabled(running);
  restart_->setEnabled(true);
  run_->setEnabled(!running);
  seed_->setEnabled(!running);
  race_->setEnabled(!running);
  real_threads_->setEnabled(!running);
}

Pace RunToolbar::pace() const {
  const auto& stops = pace_stops();
  return stops[static_cast<size_t>(std::clamp(pace_slider_->value(), 0, static_cast<int>(stops.size()) - 1))];
}

void RunToolbar::set_pace(const Pace& p) {
  pace_slider_->setValue(nearest_pace_stop(p));  // paceChanged() if it moved: the window follows
  update_pace_label();
}

double RunToolbar::dilation() const {
  const Pace p = pace();
  switch (p.kind) {
    case Pace::Kind::Fastest: return 1;
    case Pace::Kind::EventsPerSecond: return 1000;
    case Pace::Kind::EngineFraction: return std::clamp(1 / p.value, 1.0, 1000.0);
  }
  return 1;
}

void RunToolbar::set_dilation(double k) { set_pace(Pace::engine_fraction(1 / std::max(1.0, k))); }

bool RunToolbar::deterministic() const { return !real_threads_->isChecked(); }
void RunToolbar::set_deterministic(bool on) { real_threads_->setChecked(!on); }
bool RunToolbar::start_paused() const { return start_paused_->isChecked(); }
void RunToolbar::set_start_paused(bool on) { start_paused_->setChecked(on); }
StepUnit RunToolbar::step_unit() const { return step_switch_->isChecked() ? StepUnit::GoroutineSwitch : StepUnit::Event; }

int RunToolbar::procs() const { return procs_->value(); }
void RunToolbar::set_procs(int n) {
  const QSignalBlocker block(procs_);
  procs_->setValue(n);
}
uint64_t RunToolbar::seed() const { return static_cast<uint64_t>(seed_->value()); }
void RunToolbar::set_seed(uint64_t s) { seed_->setValue(static_cast<int>(std::min<uint64_t>(s, 1'000'000'000))); }

bool RunToolbar::race() const { return race_->isChecked(); }
void RunToolbar::set_race(bool on) { race_->setChecked(on); }

BreakpointSet RunToolbar::breakpoints(uint64_t selected_goroutine) const {
  BreakpointSet b;
  b.on_steal = bp_steal_->isChecked();
  b.on_starving = bp_starving_->isChecked();
  b.on_partial_deadlock = bp_partial_deadlock_->isChecked();
  b.on_panic = bp_panic_->isChecked();
  b.on_deadlock = bp_deadlock_->isChecked();
  b.on_goroutine_block = bp_goroutine_block_->isChecked() ? selected_goroutine : 0;
  b.on_race = bp_race_->isChecked();
  b.run_queue_longer_than = bp_queue_->isChecked() ? bp_queue_limit_->value() : 0;
  return b;
}

}  // namespace goroscope::gui
