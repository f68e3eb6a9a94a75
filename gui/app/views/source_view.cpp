#include "views/source_view.hpp"

#include <QFile>
#include <QFontDatabase>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTextBlock>
#include <QVBoxLayout>

#include <algorithm>

#include <gor/control.hpp>

#include "model/selection.hpp"
#include "model/source_site.hpp"
#include "views/goroutine_colors.hpp"

// The embedded sources live in the goroscope_gui static library: make sure the linker keeps
// them and Qt knows them (outside any namespace, as Q_INIT_RESOURCE requires).
static void init_sample_sources() { Q_INIT_RESOURCE(sample_sources); }

namespace goroscope::gui {

namespace {

constexpr int kChipsShown = 3;  // per line; more are "+N"
constexpr int kChipWidth = 30;
constexpr int kChipGap = 3;

QColor mix(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                          static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                          static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

// site_in() is the line `site` names in `file` (0: another file or none).
int site_in(const std::string& site, const QString& file) {
  const std::optional<SourceSite> s = parse_site(site);
  return s && QString::fromStdString(s->file) == file ? s->line : 0;
}

}  // namespace

// SourceCode is the read-only code with room on its left for the gutter.
class SourceCode : public QPlainTextEdit {
 public:
  explicit SourceCode(QWidget* parent) : QPlainTextEdit(parent) {}
  using QPlainTextEdit::blockBoundingGeometry;
  using QPlainTextEdit::blockBoundingRect;
  using QPlainTextEdit::contentOffset;
  using QPlainTextEdit::firstVisibleBlock;
  using QPlainTextEdit::setViewportMargins;
};

// SourceGutter paints line numbers and chips (SourceView::paint_gutter) and takes chip clicks.
class SourceGutter : public QWidget {
 public:
  SourceGutter(SourceView& view, QWidget* parent) : QWidget(parent), view_(view) { setMouseTracking(true); }

 protected:
  void paintEvent(QPaintEvent* e) override {
    view_.paint_gutter(*this, e->rect());
  }
  void mousePressEvent(QMouseEvent* e) override { view_.gutter_clicked(e->pos()); }

 private:
  SourceView& view_;
};

SourceView::SourceView(GoroutineSelection& selection, QWidget* parent) : QWidget(parent), selection_(selection) {
  init_sample_sources();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->setSpacing(3);
  title_ = new QLabel(this);
  QFont bold = title_->font();
  bold.setBold(true);
  title_->setFont(bold);
  layout->addWidget(title_);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  status_->setForegroundRole(QPalette::PlaceholderText);
  layout->addWidget(status_);
  code_ = new SourceCode(this);
  code_->setReadOnly(true);
  code_->setLineWrapMode(QPlainTextEdit::NoWrap);
  code_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  code_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
  layout->addWidget(code_, 1);
  gutter_ = new SourceGutter(*this, code_);
  gutter_->setObjectName(QStringLiteral("sourceGutter"));
  connect(code_, &QPlainTextEdit::updateRequest, gutter_, [this](const QRect& r, int dy) {
    if (dy)
      gutter_->scroll(0, dy);
    else
      gutter_->update(0, r.y(), gutter_->width(), r.height());
  });
  connect(&selection_, &GoroutineSelection::changed, this, [this] { refresh_marks(); });
  title_->setText(tr("Source"));
  status_->setText(tr("Open a sample to see its code."));
}

QString SourceView::embedded_source(const QString& file) {
  init_sample_sources();
  QFile f(QStringLiteral(":/samples/") + file);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QString::fromUtf8(f.readAll());
}

bool SourceView::show_sample(const QString& sample_id) {
  return show_file(QString::fromStdString(sample_source_file(sample_id.toStdString())));
}

bool SourceView::show_file(const QString& file) {
  if (file == file_) return !file_.isEmpty();
  const QString text = embedded_source(file);
  if (text.isEmpty()) {
    file_.clear();
    code_->clear();
    title_->setText(tr("Source"));
    status_->setText(tr("%1 is not a sample's file: the app embeds only the samples' code.").arg(file));
    return false;
  }
  file_ = file;
  site_line_ = 0;
  followed_line_ = 0;
  code_->setPlainText(text);
  title_->setText(QStringLiteral("samples/%1").arg(file));
  refresh_marks();
  return true;
}

int SourceView::line_count() const { return code_->document()->blockCount(); }

QString SourceView::line_text(int line) const {
  const QTextBlock b = code_->document()->findBlockByNumber(line - 1);
  return b.isValid() ? b.text() : QString();
}

void SourceView::set_snapshot(std::shared_ptr<const gor::Snapshot> snapshot) {
  if (snapshot == snapshot_) return;
  snapshot_ = std::move(snapshot);
  refresh_marks();
}

std::vector<uint64_t> SourceView::chips_at(int line) const {
  auto it = chips_.find(line);
  return it == chips_.end() ? std::vector<uint64_t>{} : it->second;
}

QWidget& SourceView::gutter() { return *gutter_; }

bool SourceView::show_site(const QString& site) {
  const std::optional<SourceSite> s = parse_site(site.toStdString());
  if (!s) return false;
  const QString file = QString::fromStdString(s->file);
  if (embedded_source(file).isEmpty() || !show_file(file)) return false;  // not a sample's: keep what is shown
  site_line_ = std::clamp(s->line, 1, line_count());
  QTextCursor c(code_->document()->findBlockByNumber(site_line_ - 1));
  code_->setTextCursor(c);
  code_->centerCursor();
  refresh_marks();
  return true;
}

QString SourceView::status_text() const { return status_->text(); }

void SourceView::refresh_marks() {
  // Chips: every goroutine blocked (or in a syscall) at a line of this file.
  chips_.clear();
  const int previous_line = selected_line_;
  selected_line_ = 0;
  selected_note_.clear();
  const uint64_t selected = selection_.selected();
  if (snapshot_ && !file_.isEmpty()) {
    for (const gor::GoroutineInfo& g : snapshot_->goroutines) {
      const bool blocked = g.state == "waiting" || g.state == "syscall";
      const int line = blocked ? site_in(g.blocked_at, file_) : 0;
      if (line > 0) chips_[line].push_back(g.id);
      if (g.id != selected) continue;
      if (line > 0) {
        selected_line_ = line;
        selected_note_ = tr("G%1 is blocked at line %2 (%3)").arg(g.id).arg(line).arg(QString::fromStdString(
                                                                                   g.wait_reason.empty() ? g.state : g.wait_reason));
      } else if (const int last = site_in(g.blocked_at, file_); last > 0) {
        selected_line_ = last;
        selected_note_ = tr("G%1 is %2; it last blocked at line %3").arg(g.id).arg(QString::fromStdString(g.state)).arg(last);
      } else if (const int created = site_in(g.created_at, file_); created > 0) {
        selected_line_ = created;
        selected_note_ = tr("G%1 is %2; it was started by the go statement at line %3").arg(g.id).arg(QString::fromStdString(g.state)).arg(created);
      }
    }
    for (auto& [line, gs] : chips_) std::sort(gs.begin(), gs.end());
  }
  // Highlights: the selected goroutine's line in its colour, a jumped-to site in the theme's.
  QList<QTextEdit::ExtraSelection> marks;
  auto mark = [&](int line, const QColor& color) {
    QTextEdit::ExtraSelection sel;
    sel.format.setBackground(color);
    sel.format.setProperty(QTextFormat::FullWidthSelection, true);
    sel.cursor = QTextCursor(code_->document()->findBlockByNumber(line - 1));
    marks << sel;
  };
  const QColor base = palette().color(QPalette::Base);
  if (site_line_ > 0) mark(site_line_, mix(base, palette().color(QPalette::Highlight), 0.28));
  if (selected_line_ > 0) mark(selected_line_, mix(base, goroutine_color(selected), 0.45));
  code_->setExtraSelections(marks);
  // Keep in view the selected goroutine's line while stepping, or else, when goroutines block
  // at other lines than before, the first of them: where the story is.
  std::vector<int> chip_lines;
  for (const auto& [line, gs] : chips_) chip_lines.push_back(line);
  int follow = 0;
  if (selected_line_ > 0 && selected_line_ != previous_line) follow = selected_line_;
  else if (selected_line_ == 0 && site_line_ == 0 && chip_lines != chip_lines_ && !chip_lines.empty()) follow = chip_lines.front();
  chip_lines_ = std::move(chip_lines);
  if (follow > 0) {
    followed_line_ = follow;
    keep_in_view(follow);
  }
  if (!file_.isEmpty()) {
    QString note = selected_note_;
    if (note.isEmpty()) {
      size_t blocked = 0;
      for (const auto& [line, gs] : chips_) blocked += gs.size();
      note = !snapshot_ ? tr("Run the sample: goroutines blocked at a line show as chips beside it.")
             : blocked ? tr("%n goroutine(s) blocked in this file: chips beside their lines; click one to select it.", nullptr,
                            static_cast<int>(blocked))
                       : tr("No goroutine is blocked in this file now.");
    }
    status_->setText(note);
  }
  layout_gutter();
  gutter_->update();
}

void SourceView::layout_gutter() {
  const int width = gutter_width();
  code_->setViewportMargins(width, 0, 0, 0);
  const QRect cr = code_->contentsRect();
  gutter_->setGeometry(QRect(cr.left(), cr.top(), width, cr.height()));
}

void SourceView::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  layout_gutter();
  // The pane may have been tiny when a line was brought into view (a dock not laid out yet).
  if (const int line = site_line_ > 0 ? site_line_ : followed_line_; line > 0) keep_in_view(line);
}

void SourceView::keep_in_view(int line) {
  const QTextBlock b = code_->document()->findBlockByNumber(line - 1);
  if (!b.isValid()) return;
  const QRectF r = code_->blockBoundingGeometry(b).translated(code_->contentOffset());
  if (r.top() >= 0 && r.bottom() <= code_->viewport()->height()) return;
  code_->setTextCursor(QTextCursor(b));
  code_->centerCursor();
}

int SourceView::gutter_width() const {
  const int digits = QString::number(std::max(1, line_count())).size();
  size_t widest = 0;
  for (const auto& [line, gs] : chips_) widest = std::max(widest, std::min<size_t>(gs.size(), kChipsShown + 1));
  const int chips = widest ? static_cast<int>(widest) * (kChipWidth + kChipGap) + 4 : 0;
  return chips + code_->fontMetrics().horizontalAdvance(QLatin1Char('9')) * digits + 12;
}

QRect SourceView::line_rect(int line) const {
  const QTextBlock b = code_->document()->findBlockByNumber(line - 1);
  if (!b.isValid()) return {};
  const QRectF r = code_->blockBoundingGeometry(b).translated(code_->contentOffset());
  return QRect(0, static_cast<int>(r.top()), gutter_width(), static_cast<int>(r.height()));
}

QPoint SourceView::chip_point(int line, size_t index) const {
  const QRect r = line_rect(line);
  return QPoint(2 + static_cast<int>(index) * (kChipWidth + kChipGap) + kChipWidth / 2, r.center().y());
}

void SourceView::paint_gutter(QWidget& gutter, const QRect& rect) {
  QPainter p(&gutter);
  const QPalette& pal = palette();
  p.fillRect(rect, mix(pal.color(QPalette::Base), pal.color(QPalette::Text), 0.05));
  p.setFont(code_->font());
  const QFontMetrics fm(code_->font());
  QTextBlock block = code_->firstVisibleBlock();
  int top = static_cast<int>(code_->blockBoundingGeometry(block).translated(code_->contentOffset()).top());
  const int width = gutter.width();
  const QColor muted = mix(pal.color(QPalette::Base), pal.color(QPalette::Text), 0.5);
  QFont chip_font = code_->font();
  if (chip_font.pointSizeF() > 0)
    chip_font.setPointSizeF(chip_font.pointSizeF() * 0.85);
  else
    chip_font.setPixelSize(std::max(8, chip_font.pixelSize() * 85 / 100));
  while (block.isValid() && top <= rect.bottom()) {
    const int h = static_cast<int>(code_->blockBoundingRect(block).height());
    const int line = block.blockNumber() + 1;
    if (block.isVisible() && top + h >= rect.top()) {
      p.setPen(line == selected_line_ ? pal.color(QPalette::Text) : muted);
      p.setFont(code_->font());
      p.drawText(QRect(0, top, width - 6, h), Qt::AlignRight | Qt::AlignVCenter, QString::number(line));
      if (auto it = chips_.find(line); it != chips_.end()) {
        p.setFont(chip_font);
        p.setRenderHint(QPainter::Antialiasing, true);
        const std::vector<uint64_t>& gs = it->second;
        for (size_t i = 0; i < gs.size() && i <= static_cast<size_t>(kChipsShown); ++i) {
          const QRect chip(2 + static_cast<int>(i) * (kChipWidth + kChipGap), top + 1, kChipWidth, h - 2);
          const bool more = i == static_cast<size_t>(kChipsShown) && gs.size() > static_cast<size_t>(kChipsShown) + 1;
          const QColor fill = more ? muted : goroutine_color(gs[i]);
          p.setPen(gs[i] == selection_.selected() && !more ? QPen(pal.color(QPalette::Text), 1.5) : Qt::NoPen);
          p.setBrush(fill);
          p.drawRoundedRect(chip, 5, 5);
          p.setPen(text_color_on(fill));
          p.drawText(chip, Qt::AlignCenter,
                     more ? QStringLiteral("+%1").arg(gs.size() - static_cast<size_t>(kChipsShown)) : QStringLiteral("G%1").arg(gs[i]));
        }
        p.setRenderHint(QPainter::Antialiasing, false);
      }
    }
    block = block.next();
    top += h;
  }
}

void SourceView::gutter_clicked(QPoint pos) {
  for (const auto& [line, gs] : chips_) {
    const QRect r = line_rect(line);
    if (pos.y() < r.top() || pos.y() > r.bottom()) continue;
    const int index = (pos.x() - 2) / (kChipWidth + kChipGap);
    const bool more_chip = index == kChipsShown && gs.size() > static_cast<size_t>(kChipsShown) + 1;
    if (pos.x() >= 2 && index <= kChipsShown && !more_chip && static_cast<size_t>(index) < gs.size())
      selection_.select(gs[static_cast<size_t>(index)]);
    return;
  }
}

SiteLinker::SiteLinker(QPlainTextEdit* view) : QObject(view), view_(view) {
  view_->viewport()->installEventFilter(this);
  view_->viewport()->setMouseTracking(true);
}

SiteLinker* SiteLinker::attach(QPlainTextEdit* view) { return view ? new SiteLinker(view) : nullptr; }

QString SiteLinker::site_at(QPoint pos) const {
  const QString line = view_->cursorForPosition(pos).block().text();
  return parse_site(line.toStdString()) ? line.trimmed() : QString();
}

bool SiteLinker::eventFilter(QObject* watched, QEvent* e) {
  if (watched != view_->viewport()) return false;
  switch (e->type()) {
    case QEvent::MouseMove: {
      const auto* m = static_cast<QMouseEvent*>(e);
      if (m->buttons() == Qt::NoButton)
        view_->viewport()->setCursor(site_at(m->position().toPoint()).isEmpty() ? Qt::IBeamCursor : Qt::PointingHandCursor);
      break;
    }
    case QEvent::MouseButtonPress: press_ = static_cast<QMouseEvent*>(e)->position().toPoint(); break;
    case QEvent::MouseButtonRelease: {
      const auto* m = static_cast<QMouseEvent*>(e);
      if (m->button() != Qt::LeftButton || (m->position().toPoint() - press_).manhattanLength() > 3) break;  // a drag selects
      if (const QString site = site_at(m->position().toPoint()); !site.isEmpty()) emit siteActivated(site);
      break;
    }
    default: break;
  }
  return false;
}

}  // namespace goroscope::gui
