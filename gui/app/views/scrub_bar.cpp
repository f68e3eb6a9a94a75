#include "views/scrub_bar.hpp"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>

#include <algorithm>
#include <cmath>

#include "model/event_text.hpp"

namespace goroscope::gui {

ScrubBar::ScrubBar(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(4, 0, 4, 0);
  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setRange(0, kSteps);
  slider_->setMinimumWidth(120);
  slider_->setToolTip(tr("Drag to any moment of the run: the scene shows exactly the state then.\n"
                         "← and → step one event; Shift+← and Shift+→ jump to the selected goroutine's events."));
  position_ = new QLabel(this);
  position_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  hint_ = new QLabel(this);
  hint_->setStyleSheet(QStringLiteral("color: palette(mid);"));
  layout->addWidget(slider_, 1);
  layout->addWidget(position_);
  layout->addWidget(hint_);
  run_from_here_ = new QToolButton(this);
  run_from_here_->setText(tr("Run from here"));
  run_from_here_->setToolTip(tr("Run again from this moment: the recorded schedule is re-executed up to here,\n"
                                "then the scheduler chooses afresh, so the run may go another way."));
  run_from_here_->setEnabled(false);
  layout->addWidget(run_from_here_);
  connect(run_from_here_, &QToolButton::clicked, this, &ScrubBar::runFromHereRequested);
  hint_->hide();
  connect(slider_, &QSlider::valueChanged, this, [this](int v) {
    if (end_ns_ <= 0) return;
    emit seekRequested(static_cast<int64_t>(std::llround(static_cast<double>(end_ns_) * v / kSteps)));
  });
}

void ScrubBar::set_position(int64_t cursor_ns, int64_t end_ns, size_t cursor, size_t events, bool ended) {
  end_ns_ = std::max<int64_t>(end_ns, 0);
  {
    const QSignalBlocker block(slider_);
    slider_->setValue(end_ns_ > 0 ? static_cast<int>(std::llround(static_cast<double>(std::clamp<int64_t>(cursor_ns, 0, end_ns_)) * kSteps /
                                                                   static_cast<double>(end_ns_)))
                                  : 0);
  }
  // A narrow window (the centre under ~640 px) gets the short form, so the slider keeps room.
  const QString cursor_text = QLocale(QLocale::English).toString(static_cast<qulonglong>(cursor));
  const QString events_text = QLocale(QLocale::English).toString(static_cast<qulonglong>(events));
  if (width() < kShortTextBelowPx)
    position_->setText(tr("%1 / %2 · %3/%4").arg(format_engine_time(cursor_ns), format_engine_time(end_ns_), cursor_text, events_text));
  else
    position_->setText(tr("%1 of %2%3 · event %4 of %5")
                           .arg(format_engine_time(cursor_ns), format_engine_time(end_ns_), ended ? QString() : tr(" so far"))
                           .arg(cursor_text, events_text));
}

void ScrubBar::set_run_from_here_enabled(bool on) { run_from_here_->setEnabled(on); }

void ScrubBar::set_hint(const QString& text) {
  hint_->setText(text);
  hint_->setVisible(!text.isEmpty());
}

QString ScrubBar::text() const { return position_->text() + (hint_->isVisible() ? QStringLiteral(" ") + hint_->text() : QString()); }

}  // namespace goroscope::gui
