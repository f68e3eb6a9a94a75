#include "views/run_banner.hpp"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPlainTextEdit>
#include <QToolButton>
#include <QVBoxLayout>

namespace goroscope::gui {

RunBanner::RunBanner(QWidget* parent) : QFrame(parent) {
  setObjectName(QStringLiteral("RunBanner"));
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(12, 8, 8, 8);
  auto* row = new QHBoxLayout;
  title_ = new QLabel(this);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  detail_ = new QLabel(this);
  detail_->setWordWrap(true);
  detail_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  toggle_ = new QToolButton(this);
  toggle_->setText(tr("Show dump"));
  toggle_->setCheckable(true);
  toggle_->setToolTip(tr("Show the goroutine dump, in Go's traceback format"));
  race_button_ = new QToolButton(this);
  race_button_->setText(tr("Show both goroutines"));
  race_button_->setToolTip(tr("Select the two racing goroutines and show the race on the timeline, with the\n"
                              "happens-before edges that do exist between them (none orders the two accesses)"));
  race_button_->setVisible(false);
  next_race_ = new QToolButton(this);
  next_race_->setText(tr("Next race"));
  next_race_->setToolTip(tr("Show the next data race found in this run"));
  next_race_->setVisible(false);
  close_ = new QToolButton(this);
  close_->setText(QStringLiteral("✕"));
  close_->setAutoRaise(true);
  close_->setToolTip(tr("Hide this message"));
  row->addWidget(title_);
  row->addWidget(detail_, 1);
  row->addWidget(race_button_);
  row->addWidget(next_race_);
  row->addWidget(toggle_);
  row->addWidget(close_);
  outer->addLayout(row);
  dump_ = new QPlainTextEdit(this);
  dump_->setReadOnly(true);
  dump_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  dump_->setMinimumHeight(160);
  dump_->setVisible(false);
  outer->addWidget(dump_);
  connect(toggle_, &QToolButton::toggled, this, [this](bool on) {
    dump_->setVisible(on);
    if (race_)
      toggle_->setText(on ? tr("Hide report") : tr("Show report"));
    else
      toggle_->setText(on ? tr("Hide dump") : tr("Show dump"));
  });
  connect(close_, &QToolButton::clicked, this, &RunBanner::clear_message);
  connect(race_button_, &QToolButton::clicked, this, &RunBanner::raceActivated);
  connect(next_race_, &QToolButton::clicked, this, &RunBanner::nextRace);
  setVisible(false);
}

void RunBanner::show_message(Severity severity, const QString& title, const QString& detail, const QString& dump) {
  if (sticky_) {
    detail_->setText(detail_->text() + QStringLiteral("\n") + title + QStringLiteral(": ") + detail);
    if (!dump.isEmpty() && dump_->toPlainText().isEmpty()) {
      dump_->setPlainText(dump);
      toggle_->setVisible(true);
    }
    return;
  }
  severity_ = severity;
  race_ = false;
  race_button_->setVisible(false);
  next_race_->setVisible(false);
  toggle_->setToolTip(tr("Show the goroutine dump, in Go's traceback format"));
  setCursor(Qt::ArrowCursor);
  QString bg, fg, edge;
  switch (severity) {
    case Severity::Info: bg = "#e8f1fb"; fg = "#1d4f80"; edge = "#9cc0e6"; break;
    case Severity::Warning: bg = "#fff4e0"; fg = "#7a4b00"; edge = "#f0c36d"; break;
    case Severity::Error: bg = "#fdecec"; fg = "#8a1f1f"; edge = "#ec9a9a"; break;
  }
  setStyleSheet(QStringLiteral("#RunBanner { background: %1; border: 1px solid %3; border-radius: 6px; }"
                               "#RunBanner QLabel { color: %2; }").arg(bg, fg, edge));
  close_->setStyleSheet(QStringLiteral("QToolButton { color: %1; }").arg(fg));  // legible in a dark theme too
  title_->setText(QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped()));
  detail_->setText(detail);
  dump_->setPlainText(dump);
  toggle_->setVisible(!dump.isEmpty());
  toggle_->setChecked(false);
  toggle_->setText(tr("Show dump"));
  setVisible(true);
}

void RunBanner::show_race(const QString& summary, const QString& report, int index, int count, bool so_far) {
  if (sticky_) {  // a line under the message that stays; the race view is a click on the timeline away
    show_message(Severity::Warning, QStringLiteral("WARNING: DATA RACE"), summary);
    return;
  }
  const bool was_race = race_ && isVisible();
  const bool open = was_race && toggle_->isChecked();
  show_message(Severity::Warning, QStringLiteral("WARNING: DATA RACE"),
               count > 1 ? (so_far ? tr("%1  (race %2 of %3 so far)") : tr("%1  (race %2 of %3)")).arg(summary).arg(index + 1).arg(count)
                         : summary,
               report);
  race_ = true;
  race_button_->setVisible(true);
  next_race_->setVisible(count > 1);
  toggle_->setToolTip(tr("Show the race report, in Go's -race format"));
  toggle_->setChecked(open);
  toggle_->setText(open ? tr("Hide report") : tr("Show report"));
  setCursor(Qt::PointingHandCursor);
}

void RunBanner::mousePressEvent(QMouseEvent* e) {
  if (race_ && e->button() == Qt::LeftButton) {
    emit raceActivated();
    e->accept();
    return;
  }
  QFrame::mousePressEvent(e);
}

void RunBanner::clear_message() {
  sticky_ = false;
  setVisible(false);
  race_ = false;
  dump_->clear();
  title_->clear();
}

QString RunBanner::title() const { return title_->text(); }
QString RunBanner::detail() const { return detail_->text(); }
QString RunBanner::dump() const { return dump_->toPlainText(); }

}  // namespace goroscope::gui
