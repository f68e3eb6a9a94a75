#include "views/run_banner.hpp"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
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
  close_ = new QToolButton(this);
  close_->setText(QStringLiteral("✕"));
  close_->setAutoRaise(true);
  close_->setToolTip(tr("Hide this message"));
  row->addWidget(title_);
  row->addWidget(detail_, 1);
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
    toggle_->setText(on ? tr("Hide dump") : tr("Show dump"));
  });
  connect(close_, &QToolButton::clicked, this, &RunBanner::clear_message);
  setVisible(false);
}

void RunBanner::show_message(Severity severity, const QString& title, const QString& detail, const QString& dump) {
  QString bg, fg, edge;
  switch (severity) {
    case Severity::Info: bg = "#e8f1fb"; fg = "#1d4f80"; edge = "#9cc0e6"; break;
    case Severity::Warning: bg = "#fff4e0"; fg = "#7a4b00"; edge = "#f0c36d"; break;
    case Severity::Error: bg = "#fdecec"; fg = "#8a1f1f"; edge = "#ec9a9a"; break;
  }
  setStyleSheet(QStringLiteral("#RunBanner { background: %1; border: 1px solid %3; border-radius: 6px; }"
                               "#RunBanner QLabel { color: %2; }").arg(bg, fg, edge));
  title_->setText(QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped()));
  detail_->setText(detail);
  dump_->setPlainText(dump);
  toggle_->setVisible(!dump.isEmpty());
  toggle_->setChecked(false);
  setVisible(true);
}

void RunBanner::clear_message() {
  setVisible(false);
  dump_->clear();
  title_->clear();
}

QString RunBanner::title() const { return title_->text(); }
QString RunBanner::dump() const { return dump_->toPlainText(); }

}  // namespace goroscope::gui
