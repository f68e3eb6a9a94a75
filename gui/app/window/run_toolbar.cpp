#include "window/run_toolbar.hpp"

#include <QAction>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <QWidgetAction>

#include <cmath>

namespace goroscope::gui {

double RunToolbar::slider_to_dilation(int v) { return std::pow(10.0, std::clamp(v, 0, 300) / 100.0); }
int RunToolbar::dilation_to_slider(double k) {
  return static_cast<int>(std::lround(std::log10(std::clamp(k, 1.0, 1000.0)) * 100));
}

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
  pause_ = action(tr("❚❚ Pause"), tr("Pause or resume the run; engine time stands still while paused"),
                  QKeySequence(Qt::Key_Space), &RunToolbar::pauseToggled);
  step_ = action(tr("▶❚ Step"), tr("Run one scheduling event (a goroutine start), then pause"),
                 QKeySequence(Qt::Key_Right), &RunToolbar::stepRequested);
  stop_ = action(tr("■ Stop"), tr("End the run; every goroutine is unwound"), QKeySequence(Qt::CTRL | Qt::Key_Period),
                 &RunToolbar::stopRequested);
  restart_ = action(tr("↻ Restart"), tr("Stop and run again with the same settings"),
                    QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), &RunToolbar::restartRequested);
  addSeparator();

  auto* speed_box = new QWidget(this);
  auto* speed_layout = new QHBoxLayout(speed_box);
  speed_layout->setContentsMargins(6, 0, 6, 0);
  auto* speed_title = new QLabel(tr("Speed"), speed_box);
  speed_ = new QSlider(Qt::Horizontal, speed_box);
  speed_->setRange(0, 300);
  speed_->setMinimumWidth(150);
  speed_->setMaximumWidth(280);
  speed_->setToolTip(tr("Slow motion: engine time runs this many times slower than wall time (log scale, 1× to 1000×).\n"
                        "Timeouts and the mutex's 1 ms starvation threshold stay exact in engine time."));
  speed_label_ = new QLabel(speed_box);
  speed_label_->setMinimumWidth(QFontMetrics(font()).horizontalAdvance(QStringLiteral("1000× slower")) + 8);
  speed_layout->addWidget(speed_title);
  speed_layout->addWidget(speed_);
  speed_layout->addWidget(speed_label_);
  speed_box->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Preferred);
  addWidget(speed_box);
  connect(speed_, &QSlider::valueChanged, this, [this] {
    update_speed_label();
    emit dilationChanged(dilation());
  });

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
  seed_->setToolTip(tr("Seeds the scheduler's and select's random choices; the same seed replays the same choices."));
  procs_layout->addWidget(seed_);
  addWidget(procs_box);
  connect(procs_, &QSpinBox::valueChanged, this, [this](int n) { emit procsChanged(n); });

  // A check box in the toolbar (a checkable tool button reads as a label when off), kept in
  // step with race_, which the Run menu shows too.
  race_ = new QAction(tr("Race detector"), this);
  race_->setCheckable(true);
  race_->setToolTip(tr("Run with the happens-before race detector, like go run -race: a data race (two goroutines\n"
                       "accessing the same variable, one writing, with nothing ordering them) shows as\n"
                       "WARNING: DATA RACE above the scene and on the timeline. Applies to the next run."));
  auto* race_box = new QCheckBox(race_->text(), this);
  race_box->setToolTip(race_->toolTip());
  race_box->setContentsMargins(6, 0, 6, 0);
  addWidget(race_box);
  connect(race_box, &QCheckBox::toggled, race_, &QAction::setChecked);
  connect(race_, &QAction::toggled, race_box, &QCheckBox::setChecked);
  connect(race_, &QAction::changed, race_box, [this, race_box] { race_box->setEnabled(race_->isEnabled()); });

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
  addWidget(breakpoints_button_);

  set_dilation(1);
  set_procs(2);
  set_run_state(false, false);
}

void RunToolbar::update_speed_label() {
  const double k = dilation();
  speed_label_->setText(k < 1.05 ? tr("real time") : tr("%1× slower").arg(k < 10 ? QString::number(k, 'f', 1) : QString::number(std::lround(k))));
}

void RunToolbar::set_run_state(bool running, bool paused) {
  pause_->setEnabled(running);
  pause_->setText(paused ? tr("▶ Resume") : tr("❚❚ Pause"));
  step_->setEnabled(running);
  stop_->setEnabled(running);
  restart_->setEnabled(true);
  run_->setEnabled(!running);
  seed_->setEnabled(!running);
  race_->setEnabled(!running);
}

double RunToolbar::dilation() const { return slider_to_dilation(speed_->value()); }
void RunToolbar::set_dilation(double k) {
  const QSignalBlocker block(speed_);
  speed_->setValue(dilation_to_slider(k));
  update_speed_label();
}
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
