#include "views/timeline_view.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

#include "model/event_prefix.hpp"
#include "model/selection.hpp"
#include "model/trace_store.hpp"
#include "views/timeline_canvas.hpp"
#include "views/timeline_export.hpp"

namespace goroscope::gui {

TimelineView::TimelineView(GoroutineSelection& selection, QWidget* parent) : QWidget(parent), selection_(selection) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 2, 0, 0);
  layout->setSpacing(2);
  auto* bar = new QHBoxLayout;
  bar->setContentsMargins(4, 0, 4, 0);
  auto button = [&](const QString& text, const QString& tip) {
    auto* b = new QToolButton(this);
    b->setText(text);
    b->setToolTip(tip);
    b->setAutoRaise(true);
    bar->addWidget(b);
    return b;
  };
  QToolButton* fit = button(tr("Fit"), tr("Show the whole run (Home or F)"));
  QToolButton* zoom_in = button(tr("+"), tr("Zoom in (+ or the mouse wheel)"));
  QToolButton* zoom_out = button(tr("−"), tr("Zoom out (-)"));
  follow_ = new QCheckBox(tr("Follow live"), this);
  follow_->setChecked(true);
  follow_->setToolTip(tr("Keep the newest events in sight while the run goes; zooming or panning stops following"));
  bar->addWidget(follow_);
  lanes_ = new QComboBox(this);
  lanes_->addItem(tr("Goroutine lanes: auto"), static_cast<int>(LaneMode::Auto));
  lanes_->addItem(tr("Goroutine lanes: all"), static_cast<int>(LaneMode::All));
  lanes_->addItem(tr("Goroutine lanes: selected"), static_cast<int>(LaneMode::Selected));
  lanes_->addItem(tr("Goroutine lanes: none"), static_cast<int>(LaneMode::None));
  lanes_->setToolTip(tr("A lane of its own under the Ps for each goroutine: its run slices, runnable time (light band), "
                        "blocked time (sleeping hatched, waiting on a lock red, on a channel blue) and the mutexes it "
                        "holds (a bar on top). Auto: every goroutine when they wait longer than they run (sleep- and "
                        "lock-heavy samples), else the selected one"));
  bar->addWidget(lanes_);
  threads_ = new QCheckBox(tr("Threads"), this);
  threads_->setToolTip(tr("A lane per OS thread (M): the goroutine it runs for a P, or the blocking syscall it sits in "
                          "without a P. On by itself when the run makes a blocking syscall: then there are more busy "
                          "threads than Ps"));
  bar->addWidget(threads_);
  QToolButton* save = button(tr("Export…"), tr("Save the timeline as PNG or SVG"));
  stats_ = new QLabel(this);
  stats_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
  stats_->setTextFormat(Qt::PlainText);
  stats_->setText(hint_text());
  stats_->setMinimumWidth(100);
  stats_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  bar->addSpacing(12);
  bar->addWidget(stats_, 1);
  catching_up_ = new QLabel(this);
  catching_up_->setToolTip(tr("The run makes events faster than the timeline can take them while it stays smooth: "
                              "it takes the rest over the next frames"));
  catching_up_->setStyleSheet(QStringLiteral("QLabel { color: palette(highlight); font-weight: bold; }"));
  catching_up_->hide();
  bar->addWidget(catching_up_);
  layout->addLayout(bar);
  canvas_ = new TimelineCanvas(model_, selection, this);
  layout->addWidget(canvas_, 1);
  canvas_->set_describer([this](uint64_t g) { return name_of(g); });
  connect(canvas_, &TimelineCanvas::stealClicked, this, [this](int lane, qsizetype index) {
    show_steal(lane, static_cast<size_t>(index));
  });
  connect(stats_, &QLabel::linkActivated, this, [this](const QString& link) {
    if (link.startsWith(QLatin1String("g:"))) selection_.select(link.mid(2).toULongLong());
  });

  connect(fit, &QToolButton::clicked, this, [this] {
    canvas_->set_follow(false);
    canvas_->fit();
  });
  connect(zoom_in, &QToolButton::clicked, this, [this] { canvas_->zoom_by(1.5); });
  connect(zoom_out, &QToolButton::clicked, this, [this] { canvas_->zoom_by(1 / 1.5); });
  connect(save, &QToolButton::clicked, this, &TimelineView::export_dialog);
  connect(follow_, &QCheckBox::toggled, canvas_, &TimelineCanvas::set_follow);
  connect(lanes_, &QComboBox::currentIndexChanged, this, &TimelineView::update_goroutine_lanes);
  connect(threads_, &QCheckBox::clicked, this, [this] {
    threads_set_by_user_ = true;
    update_thread_lanes();
  });
  canvas_->set_object_namer([this](uint64_t object) {
    const uint64_t id = model_.story().object_name(object);
    return id && store_ ? QString::fromStdString(store_->string(id)) : QString();
  });
  connect(canvas_, &TimelineCanvas::followChanged, follow_, &QCheckBox::setChecked);
  connect(canvas_, &TimelineCanvas::rangeSelected, this, &TimelineView::show_stats);
  connect(&selection, &GoroutineSelection::changed, this, [this](uint64_t g) {
    update_goroutine_lanes();
    if (canvas_->scene().range_t0 >= 0) return;  // a range's statistics stay
    if (std::find(shown_steal_.begin(), shown_steal_.end(), g) != shown_steal_.end()) {
      set_stats(steal_html(), true);  // one of the listed goroutines: keep the list, mark it
      return;
    }
    set_stats(g ? chain_text(g) : hint_text());
  });
}

bool TimelineView::sync(const TraceStore& store, bool live, int64_t lag_ns, std::chrono::steady_clock::time_point deadline) {
  if (&store != store_ || store.generation() != generation_) {
    store_ = &store;
    generation_ = store.generation();
    model_.clear();
    auto_all_ = false;
  }
  live_ = live;
  const size_t before = model_.events_taken();
  const int64_t upto = live ? store.end_ns() - lag_ns : std::numeric_limits<int64_t>::max();
  const bool done = sync_within(model_, store.events(), upto, deadline);
  if (model_.events_taken() != before || !live) {
    update_thread_lanes();
    update_goroutine_lanes();
    canvas_->data_changed();
  }
  const int64_t behind = done ? 0 : std::max<int64_t>(1, std::min(upto, store.end_ns()) - model_.end_ns());
  if (behind != behind_ns_) {
    behind_ns_ = behind;
    catching_up_->setVisible(behind > 0);
    if (behind > 0) {
      const double ms = static_cast<double>(behind) / 1e6;
      catching_up_->setText(ms >= 1000 ? tr("Catching up: %1 s of the run not drawn yet").arg(ms / 1000, 0, 'f', 1)
                                       : tr("Catching up: %1 ms of the run not drawn yet").arg(ms, 0, 'f', 1));
    }
  }
  return done;
}

void TimelineView::show_race(const gor::Event& race) {
  if (!store_) return;
  auto edges = std::make_shared<RaceEdges>(race_hb_edges(store_->events(), race));
  // Take in the other goroutine's last slice before the race and where each edge arrives (a
  // `go` edge's tail may be far back: its arrow comes in from the left), with a margin.
  int64_t t0 = race.ts, t1 = race.ts;
  for (const HbEdge& e : edges->edges) {
    const SpanRef* next = model_.next_span_after(e.to_g, e.to_ts);
    const int64_t head = next ? model_.spans(static_cast<int>(next->lane))[next->index].start : e.to_ts;
    if (head <= race.ts) t0 = std::min(t0, std::max(e.from_ts, head));
  }
  int64_t last_other = -1;  // start of the other goroutine's last slice before the race
  for (const SpanRef& r : model_.spans_of(race.a0)) {
    const RunSpan& s = model_.spans(static_cast<int>(r.lane))[r.index];
    if (s.start < race.ts) last_other = std::max(last_other, s.start);
  }
  if (last_other >= 0) t0 = std::min(t0, last_other);
  const int64_t span = std::max<int64_t>(t1 - t0, 2000);
  canvas_->set_race(std::move(edges));
  canvas_->show_range(t0 - span / 12, t1 + span / 6);
}

void TimelineView::clear() {
  behind_ns_ = 0;
  catching_up_->hide();
  canvas_->set_race(nullptr);
  shown_steal_.clear();
  steal_lane_ = -1;
  model_.clear();
  auto_all_ = false;
  update_thread_lanes();
  update_goroutine_lanes();
  canvas_->clear_range();
  canvas_->set_follow(true);
  canvas_->data_changed();
}

void TimelineView::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  update_goroutine_lanes();  // as many lanes as fit
}

void TimelineView::adopt(TimelineModel&& model, const TraceStore& store) {
  behind_ns_ = 0;
  catching_up_->hide();
  model_ = std::move(model);
  auto_all_ = false;
  store_ = &store;
  generation_ = store.generation();
  update_thread_lanes();
  update_goroutine_lanes();
  canvas_->clear_range();
  canvas_->set_follow(false);
  canvas_->fit();
}

QString TimelineView::stats_text() const { return stats_->text() == hint_text() ? QString() : stats_->text(); }

void TimelineView::set_lane_mode(LaneMode mode) { lanes_->setCurrentIndex(lanes_->findData(static_cast<int>(mode))); }

TimelineView::LaneMode TimelineView::lane_mode() const { return static_cast<LaneMode>(lanes_->currentData().toInt()); }

bool TimelineView::lanes_all_in_auto() const {
  // Once a run has waited longer than it ran, it keeps its lanes (no flicker as a live run goes).
  if (!auto_all_ && model_.goroutine_count() > 0 && model_.blocked_ns() > model_.run_ns()) auto_all_ = true;
  return auto_all_;
}

void TimelineView::update_goroutine_lanes() {
  const LaneMode mode = lane_mode();
  std::vector<uint64_t> gs;
  if (mode != LaneMode::None && selection_.selected()) {
    gs.push_back(selection_.selected());
    for (uint64_t r : selection_.related())
      if (std::find(gs.begin(), gs.end(), r) == gs.end()) gs.push_back(r);
  }
  size_t left_out = 0;
  if (mode == LaneMode::All || (mode == LaneMode::Auto && lanes_all_in_auto())) {
    // As many as fit at the smallest goroutine lane height, the selected ones first, then by id.
    constexpr double kLane = 18, kAxisAndLegend = 50;
    const double free = canvas_->height() - kAxisAndLegend - model_.lane_count() * kLane -
                        static_cast<double>(canvas_->scene().thread_lanes.size()) * kCompactLaneHeight;
    const size_t room = static_cast<size_t>(std::max(0.0, free / kCompactLaneHeight));
    const size_t fit = std::max(room, gs.size());
    for (uint64_t g : model_.goroutine_ids(fit + gs.size()))
      if (gs.size() < fit && std::find(gs.begin(), gs.end(), g) == gs.end()) gs.push_back(g);
    std::sort(gs.begin(), gs.end());
    left_out = model_.goroutine_count() > gs.size() ? model_.goroutine_count() - gs.size() : 0;
  }
  canvas_->set_goroutine_lanes(std::move(gs), left_out);
}

void TimelineView::update_thread_lanes() {
  if (!threads_set_by_user_) threads_->setChecked(model_.story().syscalls() > 0);
  std::vector<int> ms;
  if (threads_->isChecked())
    for (int m = 0; m < model_.story().thread_count(); ++m)
      if (!model_.story().thread(m).empty()) ms.push_back(m);
  canvas_->set_thread_lanes(std::move(ms));
}

QString TimelineView::name_of(uint64_t g) const {
  const GoroutineRecord* r = store_ ? store_->goroutine(g) : nullptr;
  return r && !r->label.empty() ? QStringLiteral("G%1 %2").arg(g).arg(QString::fromStdString(r->label))
                                : QStringLiteral("G%1").arg(g);
}

void TimelineView::set_stats(const QString& text, bool rich) {
  if (!rich) {
    shown_steal_.clear();
    steal_lane_ = -1;
  }
  stats_->setTextFormat(rich ? Qt::RichText : Qt::PlainText);
  stats_->setText(text);
  stats_->setToolTip(rich ? tr("Click a goroutine to select it everywhere") : text);
}

void TimelineView::show_steal(int lane, size_t index) {
  if (lane < 0 || lane >= model_.lane_count() || index >= model_.markers(lane, MarkerKind::Steal).size()) return;
  const std::span<const uint64_t> moved = model_.stolen_by(lane, index);
  steal_lane_ = lane;
  steal_index_ = index;
  shown_steal_.assign(moved.begin(), moved.end());
  set_stats(steal_html(), true);
}

QString TimelineView::steal_html() const {
  if (steal_lane_ < 0) return {};
  const Marker& m = model_.markers(steal_lane_, MarkerKind::Steal)[steal_index_];
  QStringList links;
  for (uint64_t g : shown_steal_) {
    const QString name = name_of(g).toHtmlEscaped();
    links << (g == selection_.selected() ? QStringLiteral("<b>%1</b>").arg(name)
                                         : QStringLiteral("<a href=\"g:%1\">%2</a>").arg(g).arg(name));
  }
  const QString head = tr("Steal at %1: P%2 took %3 goroutine(s) from P%4")
                           .arg(QString::fromStdString(format_span(m.ts))).arg(steal_lane_).arg(m.a1).arg(m.a0);
  if (links.isEmpty()) return head.toHtmlEscaped() + tr(" (this trace does not name them: recorded before the engine did)");
  return head.toHtmlEscaped() + QStringLiteral(": ") + links.join(QStringLiteral(", "));
}

QString TimelineView::chain_text(uint64_t g) const {
  // The story up to the visible range's end: how often g was woken, and who woke it last.
  const int64_t at = std::min(canvas_->geometry().t1(), model_.end_ns());
  const QString when = QString::fromStdString(format_span(at));
  const size_t woken = model_.times_woken(g, at);
  if (woken == 0) {
    const std::vector<uint32_t>& blocks = model_.blocks_of(g);
    const auto first = std::find_if(blocks.begin(), blocks.end(), [&](uint32_t k) { return model_.blocks()[k].start <= at; });
    if (first != blocks.end()) {
      const BlockSpan& b = model_.blocks()[*first];
      return tr("%1 blocked (%2) at %3 and no one woke it before %4.")
          .arg(name_of(g), QString::fromStdString(wait_reason_name(b.reason)), QString::fromStdString(format_span(b.start)), when);
    }
    if (model_.spans_of(g).empty()) return tr("%1 has not run before %2.").arg(name_of(g), when);
    return tr("%1 never blocked before %2: it ran whenever a P picked it from a run queue.").arg(name_of(g), when);
  }
  const std::vector<Wake> chain = model_.wake_chain(g, at, 6);
  QStringList links;
  for (size_t i = 0; i < chain.size(); ++i) {
    const Wake& w = chain[i];
    links << (w.readier ? tr("(%1) G%2 woken by G%3 at %4") : tr("(%1) G%2 woken by the scheduler or a timer at %4"))
                 .arg(i + 1).arg(w.g).arg(w.readier).arg(QString::fromStdString(format_span(w.ts)));
  }
  return tr("%1 was woken %n time(s) before %2; the last: ", nullptr, static_cast<int>(woken)).arg(name_of(g), when) +
         links.join(QStringLiteral(" ← "));
}

QString TimelineView::hint_text() const {
  return tr("Drag to pan, wheel to zoom, shift-drag for a range's statistics, click a slice to select its goroutine.");
}

void TimelineView::show_stats(int64_t t0, int64_t t1) {
  if (t0 < 0 || t1 <= t0) {
    set_stats(hint_text());
    stats_->setToolTip(QString());
    return;
  }
  const RangeStats s = model_.stats(t0, t1);
  QStringList util;
  for (size_t p = 0; p < s.utilisation.size(); ++p) util << QStringLiteral("P%1 %2%").arg(p).arg(std::lround(100 * s.utilisation[p]));
  QStringList blocked;
  for (size_t i = 0; i < std::min<size_t>(3, s.blocked.size()); ++i)
    blocked << QStringLiteral("%1 %2").arg(QString::fromStdString(s.blocked[i].first),
                                           QString::fromStdString(format_span(s.blocked[i].second)));
  const QString text = tr("%1 from %2: %3 · %4 goroutines in %5 slices · %6 steals (%7 moved) · %8 wake-ups%9")
                           .arg(QString::fromStdString(format_span(t1 - t0)), QString::fromStdString(format_span(t0)),
                                util.join(QStringLiteral(" ")))
                           .arg(s.goroutines_run)
                           .arg(s.slices)
                           .arg(s.steals)
                           .arg(s.stolen)
                           .arg(s.wakes)
                           .arg(blocked.isEmpty() ? QString() : tr(" · blocked: ") + blocked.join(QStringLiteral(", ")));
  set_stats(text);
}

bool TimelineView::export_to(const QString& path, bool whole_run, QSize size, QString* error) const {
  TimelineExport what;
  what.size = size;
  what.selected = canvas_->scene().selected;
  what.thread_lanes = canvas_->scene().thread_lanes;  // export what the user sees
  what.goroutine_lanes = canvas_->scene().goroutine_lanes;
  what.goroutines_without_lane = canvas_->scene().goroutines_without_lane;
  what.object_name = canvas_->scene().object_name;
  what.dpi = logicalDpiX();
  if (!whole_run) {
    what.t0 = canvas_->geometry().t0();
    what.t1 = canvas_->geometry().t1();
  }
  return export_timeline(model_, path, what, error);
}

void TimelineView::export_dialog() {
  if (!live_ && behind_ns_ > 0 && store_) sync(*store_, /*live=*/false);  // export the whole run, not a catch-up's part
  QDialog dialog(this);
  dialog.setWindowTitle(tr("Export timeline"));
  auto* form = new QFormLayout(&dialog);
  auto* range = new QComboBox(&dialog);
  range->addItems({tr("Visible range"), tr("Whole run")});
  auto* width = new QSpinBox(&dialog);
  width->setRange(400, 10000);
  width->setValue(1600);
  width->setSuffix(tr(" px"));
  auto* height = new QSpinBox(&dialog);
  height->setRange(0, 10000);
  height->setSpecialValueText(tr("fit the lanes"));
  height->setSuffix(tr(" px"));
  form->addRow(tr("Range"), range);
  form->addRow(tr("Width"), width);
  form->addRow(tr("Height"), height);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
  form->addRow(buttons);
  connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  if (dialog.exec() != QDialog::Accepted) return;
  const QString path = QFileDialog::getSaveFileName(this, tr("Export timeline"), QStringLiteral("timeline.png"),
                                                    tr("PNG image (*.png);;SVG drawing (*.svg)"));
  if (path.isEmpty()) return;
  QString error;
  if (!export_to(path, range->currentIndex() == 1, QSize(width->value(), height->value()), &error))
    QMessageBox::warning(this, tr("Export timeline"), error);
}

}  // namespace goroscope::gui
