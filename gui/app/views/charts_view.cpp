#include "views/charts_view.hpp"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QGridLayout>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

#include <algorithm>
#include <cmath>


#include "model/timeline_model.hpp"
#include "model/trace_store.hpp"
#include "views/chart_style.hpp"
#include "views/goroutine_colors.hpp"
#include "views/timeline_geometry.hpp"

namespace goroscope::gui {

namespace {

// (Chart labels are rich text: no '<'.)
constexpr const char* kWaitBins[] = {"≤10 us", "≤100 us", "≤1 ms", "≤10 ms", "10 ms+"};
constexpr QRgb kQueueColors[] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2,
                                 0x59a14f, 0xedc948, 0xb07aa1, 0xff9da7};  // Tableau 10

QList<QPointF> to_points(const std::vector<std::pair<double, double>>& v) {
  QList<QPointF> out;
  out.reserve(static_cast<qsizetype>(v.size()));
  for (const auto& [x, y] : v) out.append(QPointF(x / 1e6, y));  // x in ms
  return out;
}

double max_y(const QList<QPointF>& pts) {
  double m = 0;
  for (const QPointF& p : pts) m = std::max(m, p.y());
  return m;
}

// duration_text() is a 1-2-5 window as a learner reads it: "2 ms", "500 us", "1 s".
QString duration_text(int64_t ns) {
  if (ns >= 1'000'000'000) return QStringLiteral("%1 s").arg(static_cast<double>(ns) / 1e9);
  if (ns >= 1'000'000) return QStringLiteral("%1 ms").arg(static_cast<double>(ns) / 1e6);
  if (ns >= 1'000) return QStringLiteral("%1 us").arg(static_cast<double>(ns) / 1e3);
  return QStringLiteral("%1 ns").arg(ns);
}

const QString kTimeAxis = QStringLiteral("engine time (ms)");

}  // namespace

ChartsView::ChartsView(const TimelineModel& timeline, QWidget* parent) : QWidget(parent), timeline_(timeline) {
  auto* grid = new QGridLayout(this);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->setSpacing(2);
  auto add = [&](Part part, QChart* chart) {
    auto* view = new QChartView(chart, this);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(180, 150);
    charts_[part] = chart;
    views_[part] = view;
  };
  auto x_axis = [&] {
    QValueAxis* a = value_axis(kTimeAxis);
    x_axes_.push_back(a);
    return a;
  };
  auto attach = [](QChart* chart, QAbstractSeries* s, QAbstractAxis* x, QAbstractAxis* y) {
    chart->addSeries(s);
    s->attachAxis(x);
    s->attachAxis(y);
  };
  auto time_chart = [&](Part part, const QString& title, QValueAxis*& y, const QString& y_title) {
    QChart* chart = make_chart(title);
    QValueAxis* x = x_axis();
    y = value_axis(y_title);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    add(part, chart);
    return std::pair{chart, x};
  };

  auto [goroutines, gx] = time_chart(Goroutines, tr("Goroutines"), y_goroutines_, tr("count"));
  alive_ = new QLineSeries;
  alive_->setName(tr("alive"));
  runnable_ = new QLineSeries;
  runnable_->setName(tr("runnable (queued)"));
  attach(goroutines, alive_, gx, y_goroutines_);
  attach(goroutines, runnable_, gx, y_goroutines_);

  auto [queues, qx] = time_chart(Queues, tr("Runnable per run queue"), y_queues_, tr("queued"));
  global_queue_ = new QLineSeries;
  global_queue_->setName(tr("global"));
  attach(queues, global_queue_, qx, y_queues_);
  for (int p = 0; p < kQueues; ++p) {
    auto* s = new QLineSeries;
    s->setName(QStringLiteral("P%1").arg(p));
    s->setColor(QColor(kQueueColors[p]));
    attach(queues, s, qx, y_queues_);
    p_queues_.push_back(s);
  }

  auto [steals, sx] = time_chart(Steals, tr("Steals"), y_steals_, tr("steals"));
  steals_ = new QLineSeries;
  steals_->setName(tr("steals"));
  steals_->setColor(QColor(0x84, 0x3d, 0xc9));
  attach(steals, steals_, sx, y_steals_);
  steals->legend()->hide();

  auto [levels, lx] = time_chart(Channels, tr("Channel buffers (busiest)"), y_levels_, tr("buffered"));
  for (int i = 0; i < kChannels; ++i) {
    auto* s = new QLineSeries;
    s->setColor(goroutine_color(static_cast<uint64_t>(i + 1)));
    attach(levels, s, lx, y_levels_);
    channels_.push_back(s);
  }

  QChart* waits = make_chart(tr("Mutex waits by duration"));
  waits_ = new QBarSet(tr("waits ended in range"));
  waits_->setColor(QColor(0xd9, 0x2d, 0x2d));
  for (size_t i = 0; i < std::size(kWaitBins); ++i) waits_->append(0);
  auto* bars = new QBarSeries;  // the bins' names side by side under the bars: they fit a low panel
  bars->append(waits_);
  waits->addSeries(bars);
  auto* categories = new QBarCategoryAxis;
  categories->setTitleText(tr("time waited"));
  for (const char* bin : kWaitBins) categories->append(QString::fromUtf8(bin));
  QFont cf = categories->labelsFont();
  cf.setPixelSize(10);
  categories->setLabelsFont(cf);
  categories->setTitleFont(cf);
  y_waits_ = value_axis(tr("waits"));
  waits->addAxis(categories, Qt::AlignBottom);
  waits->addAxis(y_waits_, Qt::AlignLeft);
  bars->attachAxis(categories);
  bars->attachAxis(y_waits_);
  waits->legend()->hide();
  add(MutexWaits, waits);

  auto [choices, cx] = time_chart(Choices, tr("Select choices (running count)"), y_choices_, tr("chosen"));
  for (int i = 0; i < kChannels; ++i) {
    auto* s = new QLineSeries;
    // A fair select draws its lines on top of each other: the first wide and light under the
    // others, so both stay visible.
    QColor c(kQueueColors[i]);
    if (i == 0) c.setAlpha(150);
    s->setPen(QPen(c, i == 0 ? 5.0 : 1.8));
    attach(choices, s, cx, y_choices_);
    choices_.push_back(s);
  }

  restyle();
  relayout();

  timer_.setSingleShot(true);
  timer_.setInterval(100);
  connect(&timer_, &QTimer::timeout, this, &ChartsView::refresh_rolling);
  rolling_.setInterval(16);
  connect(&rolling_, &QTimer::timeout, this, [this] {
    if (next_part_ >= kParts) return rolling_.stop();
    refresh_part(next_part_++);
  });
}

bool ChartsView::has_data(int part) const {
  switch (part) {
    case Steals: return !data_.steal_times().empty();
    case Channels: return !shown_channels().empty();
    case MutexWaits: return !data_.mutex_waits().empty();
    case Choices: return !data_.select_choices().empty();
    default: return true;
  }
}

bool ChartsView::panel_shown(Part part) const { return shown_[part]; }

std::vector<const ChannelSeries*> ChartsView::shown_channels() const {
  std::vector<const ChannelSeries*> out;
  for (const ChannelSeries* c : data_.busiest_channels(SIZE_MAX)) {
    if (out.size() == static_cast<size_t>(kChannels)) break;
    const std::string& name = store_ && c->name ? store_->string(c->name) : std::string();
    if (name == "time.After" || name == "time.Tick" || name == "time.Timer" || name == "time.Ticker") continue;
    out.push_back(c);
  }
  return out;
}

void ChartsView::relayout() {
  bool shown[kParts];
  int n = 0;
  for (int part = 0; part < kParts; ++part) n += (shown[part] = has_data(part)) ? 1 : 0;
  if (std::equal(std::begin(shown), std::end(shown), std::begin(shown_)) && views_[0]->parentWidget() &&
      layout()->count() == n)
    return;
  std::copy(std::begin(shown), std::end(shown), std::begin(shown_));
  auto* grid = static_cast<QGridLayout*>(layout());
  for (QWidget* v : views_) grid->removeWidget(v);
  // At most three a row, wide enough for their legends; each row's panels share its whole
  // width (a grid of 6 columns: three panels span 2 each, two span 3, one spans all 6).
  const int rows = (n + 2) / 3;
  for (int c = 0; c < 6; ++c) grid->setColumnStretch(c, 1);
  int at = 0, row = 0, in_row = 0;
  for (int part = 0; part < kParts; ++part) {
    views_[part]->setVisible(shown[part]);
    if (!shown[part]) continue;
    const int left = n - (at - in_row);  // panels from this row on
    const int per_row = (left + (rows - row) - 1) / (rows - row);
    const int span = 6 / std::max(1, per_row);
    grid->addWidget(views_[part], row, in_row * span, 1, span);
    ++at;
    if (++in_row == per_row) {
      ++row;
      in_row = 0;
    }
  }
}

void ChartsView::restyle() {
  for (QChart* chart : charts_) style_chart(chart, palette());
  // The global queue is no P: dashed, in the text colour (dark on light, light on dark).
  global_queue_->setPen(QPen(palette().color(QPalette::WindowText), 1.6, Qt::DashLine));
  for (QWidget* v : views_) static_cast<QChartView*>(v)->setBackgroundBrush(palette().color(QPalette::Base));
}

void ChartsView::changeEvent(QEvent* e) {
  QWidget::changeEvent(e);
  if (e->type() == QEvent::PaletteChange) restyle();
}

int64_t ChartsView::steal_window_ns() const {
  const int64_t end = std::max<int64_t>(std::max(timeline_.end_ns(), data_.end_ns()), 1000);
  const int64_t span = t1_ > t0_ ? t1_ - std::max<int64_t>(0, t0_) : end;
  return std::max<int64_t>(1000, static_cast<int64_t>(nice_step(static_cast<double>(span) / 20, 1, true)));
}

bool ChartsView::sync(const TraceStore& store, bool live, int64_t lag_ns, std::chrono::steady_clock::time_point deadline) {
  if (&store != store_ || store.generation() != generation_) {
    store_ = &store;
    generation_ = store.generation();
    data_.clear();
  }
  const size_t before = data_.events_taken();
  const bool done =
      sync_within(data_, store.events(), live ? store.end_ns() - lag_ns : std::numeric_limits<int64_t>::max(), deadline);
  // A live run's charts follow 5 times a second (their refresh is QtCharts' work, one chart
  // per frame); a range change or the run's end shows within 100 ms.
  timer_.setInterval(live ? 200 : 100);
  if (data_.events_taken() != before || !live) schedule();
  return done;
}

void ChartsView::clear() {
  data_.clear();
  t0_ = 0;
  t1_ = -1;
  schedule();
}

void ChartsView::set_range(int64_t t0, int64_t t1) {
  t0_ = t0;
  t1_ = t1;
  schedule();
}

void ChartsView::schedule() {
  if (isVisible() && !timer_.isActive()) timer_.start();
}

void ChartsView::showEvent(QShowEvent* e) {
  QWidget::showEvent(e);
  refresh();
}

void ChartsView::refresh() {
  relayout();
  for (int part = 0; part < kParts; ++part) refresh_part(part);
  rolling_.stop();
  next_part_ = kParts;
}

void ChartsView::refresh_rolling() {
  // One chart per frame: replacing a chart's series and repainting it is milliseconds each
  // (QtCharts), all five at once made a frame of 10-15 ms every 100 ms of a live run.
  relayout();
  next_part_ = 0;
  if (!rolling_.isActive()) rolling_.start();
}

void ChartsView::refresh_part(int part) {
  if (!shown_[part]) return;  // a hidden panel costs nothing
  // To the newest event either model took (one of them may be catching up).
  const int64_t end = std::max<int64_t>(std::max(timeline_.end_ns(), data_.end_ns()), 1000);
  const int64_t t0 = t1_ > t0_ ? std::max<int64_t>(0, t0_) : 0;
  const int64_t t1 = t1_ > t0_ ? t1_ : end;
  // About one bucket per 3 px of one chart: more points than pixels only cost QtCharts time.
  const int columns = std::max(1, static_cast<QGridLayout*>(layout())->columnCount());
  const int chart_width = views_[part]->width() > 0 ? views_[part]->width() : width() / columns;
  const int buckets = std::clamp(chart_width / 3, 20, 300);
  // Each QtCharts setter lays its chart out again: set only what changed.
  auto show = [](QLineSeries* series, bool visible) {
    if (series->isVisible() != visible) series->setVisible(visible);
  };
  auto y_range = [this](QValueAxis* axis, double max) {
    double& last = y_requested_[axis];
    if (last == max) return;
    last = max;
    set_nice_range(axis, max, 5, /*whole_numbers=*/true);
  };
  auto set_title = [](QChart* chart, const QString& title) {
    if (chart->title() != title) chart->setTitle(title);
  };
  std::vector<std::pair<double, double>> v;
  switch (part) {
    case Goroutines: {
      data_.alive().sample(t0, t1, buckets, v);
      const QList<QPointF> alive = to_points(v);
      v.clear();
      data_.runnable().sample(t0, t1, buckets, v);
      const QList<QPointF> runnable = to_points(v);
      alive_->replace(alive);
      runnable_->replace(runnable);
      y_range(y_goroutines_, std::max(4.0, std::max(max_y(alive), max_y(runnable))));
      break;
    }
    case Queues: {
      // Run queues: global and the first kQueues Ps (those the run has), each replaced in one call.
      v.clear();
      data_.runnable_global().sample(t0, t1, buckets, v);
      const QList<QPointF> global = to_points(v);
      global_queue_->replace(global);
      double queue_max = max_y(global);
      for (int p = 0; p < kQueues; ++p) {
        QLineSeries* s = p_queues_[static_cast<size_t>(p)];
        if (p >= data_.procs_seen()) {
          if (s->count()) s->clear();
          show(s, false);
          continue;
        }
        v.clear();
        data_.runnable_on(p).sample(t0, t1, buckets, v);
        const QList<QPointF> pts = to_points(v);
        s->replace(pts);
        show(s, true);
        queue_max = std::max(queue_max, max_y(pts));
      }
      y_range(y_queues_, std::max(4.0, queue_max));
      break;
    }
    case Steals: {
      // Steals counted over windows of a round duration (about 20 in the range), drawn as
      // steps: one steal reads as 1, never as a rate of thousands per second.
      const int64_t window = steal_window_ns();
      const std::vector<int64_t>& times = data_.steal_times();
      QList<QPointF> steals;
      double most = 0;
      auto it = std::lower_bound(times.begin(), times.end(), t0 - (t0 % window));
      for (int64_t w = t0 - (t0 % window); w < t1; w += window) {
        double n = 0;
        for (; it != times.end() && *it < w + window; ++it) ++n;
        steals.append(QPointF(static_cast<double>(w) / 1e6, n));
        steals.append(QPointF(static_cast<double>(w + window) / 1e6, n));
        most = std::max(most, n);
      }
      steals_->replace(steals);
      set_title(charts_[Steals], tr("Steals per %1").arg(duration_text(window)));
      y_range(y_steals_, std::max(1.0, most));
      break;
    }
    case Channels: {
      const std::vector<const ChannelSeries*> busiest = shown_channels();
      double level_max = 1;
      for (size_t i = 0; i < channels_.size(); ++i) {
        QLineSeries* s = channels_[i];
        if (i >= busiest.size()) {
          if (s->count()) s->clear();
          show(s, false);
          continue;
        }
        const ChannelSeries& c = *busiest[i];
        v.clear();
        c.level.sample(t0, t1, buckets, v);
        const QList<QPointF> pts = to_points(v);
        s->replace(pts);
        show(s, true);
        const QString name = store_ && c.name ? QString::fromStdString(store_->string(c.name)) : QString();
        const QString title = QStringLiteral("%1 (cap %2)").arg(name.isEmpty() ? QStringLiteral("chan #%1").arg(c.id) : name).arg(c.capacity);
        if (s->name() != title) s->setName(title);
        level_max = std::max({level_max, max_y(pts), static_cast<double>(c.capacity)});
      }
      y_range(y_levels_, level_max);
      break;
    }
    case MutexWaits: {
      // Mutex waits that ended in the range, by duration.
      std::vector<double> bins(std::size(kWaitBins), 0);
      const std::vector<ChartData::WaitEnd>& waits = data_.mutex_waits();
      auto w = std::partition_point(waits.begin(), waits.end(), [&](const ChartData::WaitEnd& x) { return x.end < t0; });
      for (; w != waits.end() && w->end < t1; ++w) {
        const int64_t d = w->duration;
        const size_t bin = d < 10'000 ? 0 : d < 100'000 ? 1 : d < 1'000'000 ? 2 : d < 10'000'000 ? 3 : 4;
        ++bins[bin];
      }
      for (size_t i = 0; i < bins.size(); ++i) waits_->replace(static_cast<qsizetype>(i), bins[i]);
      y_range(y_waits_, std::max(1.0, *std::max_element(bins.begin(), bins.end())));
      return;  // no time axis
    }
    case Choices: {
      // Each channel's running count of select choices: equal slopes are a fair select.
      const std::vector<ChoiceSeries>& choices = data_.select_choices();
      int64_t total = 0;
      for (const ChoiceSeries& c : choices) total += c.count;
      double most = 1;
      for (size_t i = 0; i < choices_.size(); ++i) {
        QLineSeries* s = choices_[i];
        if (i >= choices.size()) {
          if (s->count()) s->clear();
          show(s, false);
          continue;
        }
        const ChoiceSeries& c = choices[i];
        v.clear();
        c.so_far.sample(t0, t1, buckets, v);
        const QList<QPointF> pts = to_points(v);
        s->replace(pts);
        show(s, true);
        const QString name = c.channel == 0 ? tr("default")
                             : store_ && c.name ? QString::fromStdString(store_->string(c.name))
                                                : QStringLiteral("chan #%1").arg(c.channel);
        const QString title = QStringLiteral("%1: %2 (%3%)")
                                  .arg(name)
                                  .arg(c.count)
                                  .arg(total ? 100.0 * c.count / static_cast<double>(total) : 0.0, 0, 'f', 1);
        if (s->name() != title) s->setName(title);
        most = std::max(most, max_y(pts));
      }
      y_range(y_choices_, most);
      break;
    }
    default: return;
  }

  // Round ticks (a 1-2-5 step in ms, anchored at 0), chosen like the timeline's own axis for
  // a chart's width, instead of QValueAxis's fixed tick count (25.076, 50.152, ...).
  TimelineGeometry axis;
  axis.set_width(std::max(150.0, chart_width - 60.0));  // about the chart's plot
  axis.show(t0, t1);
  const double step_ms = static_cast<double>(axis.tick_step(/*min_spacing=*/70)) / 1e6;
  const size_t x_index = static_cast<size_t>(part < MutexWaits ? part : part - 1);  // the histogram has none
  if (x_index < x_axes_.size()) {
    QValueAxis* x = x_axes_[x_index];
    // Fixed ticks while range and interval change: each setter lays the axis out at once, and
    // a new range with the old interval (or the reverse) can mean many thousands of ticks.
    x->setTickType(QValueAxis::TicksFixed);
    x->setRange(static_cast<double>(t0) / 1e6, static_cast<double>(t1) / 1e6);  // exactly the timeline's
    x->setTickInterval(step_ms);
    x->setTickAnchor(0);
    x->setTickType(QValueAxis::TicksDynamic);
    x->setLabelFormat(step_ms >= 1 ? QStringLiteral("%.0f") : step_ms >= 0.1 ? QStringLiteral("%.1f")
                                                            : step_ms >= 0.01 ? QStringLiteral("%.2f")
                                                                              : QStringLiteral("%.3f"));
  }
}

int ChartsView::series_points(const QString& name) const {
  if (name == QLatin1String("alive")) return static_cast<int>(alive_->count());
  if (name == QLatin1String("runnable")) return static_cast<int>(runnable_->count());
  if (name == QLatin1String("steals")) return static_cast<int>(steals_->count());
  if (name == QLatin1String("queue global")) return static_cast<int>(global_queue_->count());
  if (name.startsWith(QLatin1String("queue P"))) {
    const int p = name.mid(7).toInt();
    if (p >= 0 && p < kQueues) return static_cast<int>(p_queues_[static_cast<size_t>(p)]->count());
  }
  if (name.startsWith(QLatin1String("channel "))) {
    const int i = name.mid(8).toInt();
    if (i >= 0 && i < kChannels) return static_cast<int>(channels_[static_cast<size_t>(i)]->count());
  }
  if (name.startsWith(QLatin1String("choice "))) {
    const int i = name.mid(7).toInt();
    if (i >= 0 && i < kChannels) return static_cast<int>(choices_[static_cast<size_t>(i)]->count());
  }
  return -1;
}

double ChartsView::series_max(const QString& name) const {
  const QLineSeries* s = name == QLatin1String("queue global") ? global_queue_ : nullptr;
  if (name.startsWith(QLatin1String("queue P"))) {
    const int p = name.mid(7).toInt();
    if (p >= 0 && p < kQueues) s = p_queues_[static_cast<size_t>(p)];
  }
  if (name == QLatin1String("runnable")) s = runnable_;
  if (name == QLatin1String("alive")) s = alive_;
  if (name == QLatin1String("steals")) s = steals_;
  if (name.startsWith(QLatin1String("choice "))) {
    const int i = name.mid(7).toInt();
    if (i >= 0 && i < kChannels) s = choices_[static_cast<size_t>(i)];
  }
  return s ? max_y(s->points()) : -1;
}

std::vector<double> ChartsView::mutex_waits() const {
  std::vector<double> out;
  for (qsizetype i = 0; i < waits_->count(); ++i) out.push_back(waits_->at(i));
  return out;
}

}  // namespace goroscope::gui
