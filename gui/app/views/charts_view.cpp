#include "views/charts_view.hpp"

#include <QBarCategoryAxis>
#include <QHorizontalBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QGraphicsLayout>
#include <QGridLayout>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

#include <algorithm>
#include <cmath>


#include "model/timeline_model.hpp"
#include "model/trace_store.hpp"
#include "views/goroutine_colors.hpp"
#include "views/timeline_geometry.hpp"

namespace goroscope::gui {

namespace {

// (Chart labels are rich text: no '<'.)
constexpr const char* kWaitBins[] = {"0-10 us", "10-100 us", "0.1-1 ms", "1-10 ms", "10 ms +"};

QChart* make_chart(const QString& title) {
  auto* chart = new QChart;
  chart->setTitle(title);
  QFont f = chart->titleFont();
  f.setPixelSize(12);
  f.setBold(true);
  chart->setTitleFont(f);
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->setMargins(QMargins(2, 2, 2, 2));
  chart->layout()->setContentsMargins(0, 0, 0, 0);
  chart->setBackgroundRoundness(0);
  chart->legend()->setAlignment(Qt::AlignTop);
  QFont lf = chart->legend()->font();
  lf.setPixelSize(11);
  chart->legend()->setFont(lf);
  return chart;
}

QValueAxis* value_axis(const QString& title) {
  auto* a = new QValueAxis;
  a->setTitleText(title);
  QFont f = a->labelsFont();
  f.setPixelSize(10);
  a->setLabelsFont(f);
  a->setTitleFont(f);
  a->setLabelFormat(QStringLiteral("%.5g"));
  a->setTickCount(4);
  return a;
}

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


}  // namespace

ChartsView::ChartsView(const TimelineModel& timeline, QWidget* parent) : QWidget(parent), timeline_(timeline) {
  auto* grid = new QGridLayout(this);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->setSpacing(2);
  auto add = [&](QChart* chart, int row, int col) {
    auto* view = new QChartView(chart, this);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(180, 150);
    grid->addWidget(view, row, col);
  };
  auto x_axis = [&] {
    QValueAxis* a = value_axis(QString());
    x_axes_.push_back(a);
    return a;
  };
  auto attach = [](QChart* chart, QAbstractSeries* s, QAbstractAxis* x, QAbstractAxis* y) {
    chart->addSeries(s);
    s->attachAxis(x);
    s->attachAxis(y);
  };

  QChart* goroutines = make_chart(tr("Goroutines (x: engine ms)"));
  QValueAxis* gx = x_axis();
  y_goroutines_ = value_axis(QString());
  goroutines->addAxis(gx, Qt::AlignBottom);
  goroutines->addAxis(y_goroutines_, Qt::AlignLeft);
  alive_ = new QLineSeries;
  alive_->setName(tr("alive"));
  runnable_ = new QLineSeries;
  runnable_->setName(tr("runnable (queued)"));
  attach(goroutines, alive_, gx, y_goroutines_);
  attach(goroutines, runnable_, gx, y_goroutines_);
  add(goroutines, 0, 0);

  QChart* queues = make_chart(tr("Runnable per run queue"));
  QValueAxis* qx = x_axis();
  y_queues_ = value_axis(QString());
  queues->addAxis(qx, Qt::AlignBottom);
  queues->addAxis(y_queues_, Qt::AlignLeft);
  global_queue_ = new QLineSeries;
  global_queue_->setName(tr("global"));
  global_queue_->setPen(QPen(QColor(0x44, 0x44, 0x44), 1.6, Qt::DashLine));  // dashed: it is no P
  attach(queues, global_queue_, qx, y_queues_);
  for (int p = 0; p < kQueues; ++p) {
    auto* s = new QLineSeries;
    s->setName(QStringLiteral("P%1").arg(p));
    static const QRgb kQueueColors[kQueues] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2,
                                               0x59a14f, 0xedc948, 0xb07aa1, 0xff9da7};  // Tableau 10
    s->setColor(QColor(kQueueColors[p]));
    attach(queues, s, qx, y_queues_);
    p_queues_.push_back(s);
  }
  add(queues, 0, 1);

  QChart* steals = make_chart(tr("Steals per second"));
  QValueAxis* sx = x_axis();
  y_steals_ = value_axis(QString());
  steals->addAxis(sx, Qt::AlignBottom);
  steals->addAxis(y_steals_, Qt::AlignLeft);
  steals_ = new QLineSeries;
  steals_->setName(tr("steals/s"));
  steals_->setColor(QColor(0x84, 0x3d, 0xc9));
  attach(steals, steals_, sx, y_steals_);
  steals->legend()->hide();
  add(steals, 0, 2);
  for (int col = 0; col < 5; ++col) grid->setColumnStretch(col, 1);

  QChart* levels = make_chart(tr("Channel buffers (busiest)"));
  levels_chart_ = levels;
  QValueAxis* lx = x_axis();
  y_levels_ = value_axis(QString());
  levels->addAxis(lx, Qt::AlignBottom);
  levels->addAxis(y_levels_, Qt::AlignLeft);
  for (int i = 0; i < kChannels; ++i) {
    auto* s = new QLineSeries;
    s->setColor(goroutine_color(static_cast<uint64_t>(i + 1)));
    attach(levels, s, lx, y_levels_);
    channels_.push_back(s);
  }
  add(levels, 0, 3);

  QChart* waits = make_chart(tr("Mutex waits by duration"));
  waits_ = new QBarSet(tr("waits ended in range"));
  waits_->setColor(QColor(0xd9, 0x2d, 0x2d));
  for (size_t i = 0; i < std::size(kWaitBins); ++i) waits_->append(0);
  auto* bars = new QHorizontalBarSeries;  // room for the bins' names on the left
  bars->append(waits_);
  waits->addSeries(bars);
  auto* categories = new QBarCategoryAxis;
  for (const char* bin : kWaitBins) categories->append(QString::fromLatin1(bin));
  QFont cf = categories->labelsFont();
  cf.setPixelSize(10);
  categories->setLabelsFont(cf);
  y_waits_ = value_axis(QString());
  y_waits_->setLabelFormat(QStringLiteral("%.0f"));
  waits->addAxis(categories, Qt::AlignLeft);
  waits->addAxis(y_waits_, Qt::AlignBottom);
  bars->attachAxis(categories);
  bars->attachAxis(y_waits_);
  waits->legend()->hide();
  add(waits, 0, 4);

  timer_.setSingleShot(true);
  timer_.setInterval(100);
  connect(&timer_, &QTimer::timeout, this, &ChartsView::refresh_rolling);
  rolling_.setInterval(16);
  connect(&rolling_, &QTimer::timeout, this, [this] {
    if (next_part_ >= kParts) return rolling_.stop();
    refresh_part(next_part_++);
  });
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
  for (int part = 0; part < kParts; ++part) refresh_part(part);
  rolling_.stop();
  next_part_ = kParts;
}

void ChartsView::refresh_rolling() {
  // One chart per frame: replacing a chart's series and repainting it is milliseconds each
  // (QtCharts), all five at once made a frame of 10-15 ms every 100 ms of a live run.
  next_part_ = 0;
  if (!rolling_.isActive()) rolling_.start();
}

void ChartsView::refresh_part(int part) {
  // To the newest event either model took (one of them may be catching up).
  const int64_t end = std::max<int64_t>(std::max(timeline_.end_ns(), data_.end_ns()), 1000);
  const int64_t t0 = t1_ > t0_ ? std::max<int64_t>(0, t0_) : 0;
  const int64_t t1 = t1_ > t0_ ? t1_ : end;
  // About one bucket per 3 px of one chart: more points than pixels only cost QtCharts time.
  const int columns = std::max(1, static_cast<QGridLayout*>(layout())->columnCount());
  const int buckets = std::clamp(width() / columns / 3, 20, 300);
  // Each QtCharts setter lays its chart out again: set only what changed.
  auto show = [](QLineSeries* series, bool visible) {
    if (series->isVisible() != visible) series->setVisible(visible);
  };
  auto y_range = [this](QValueAxis* axis, double max) {
    double& last = y_requested_[axis];
    if (last == max) return;
    last = max;
    axis->setRange(0, max);
    axis->applyNiceNumbers();
  };
  std::vector<std::pair<double, double>> v;
  switch (part) {
    case 0: {
      data_.alive().sample(t0, t1, buckets, v);
      const QList<QPointF> alive = to_points(v);
      v.clear();
      data_.runnable().sample(t0, t1, buckets, v);
      const QList<QPointF> runnable = to_points(v);
      alive_->replace(alive);
      runnable_->replace(runnable);
      y_range(y_goroutines_, std::max(4.0, std::max(max_y(alive), max_y(runnable)) * 1.1));
      break;
    }
    case 1: {
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
      y_range(y_queues_, std::max(4.0, queue_max * 1.1));
      break;
    }
    case 2: {
      // Steals per bucket, from the timeline's per-lane sorted steal markers.
      QList<QPointF> steals;
      const double width_ns = static_cast<double>(t1 - t0) / buckets;
      std::vector<size_t> counts(static_cast<size_t>(buckets), 0);
      for (int l = 0; l < timeline_.lane_count(); ++l) {
        const std::vector<Marker>& m = timeline_.markers(l, MarkerKind::Steal);
        auto it = std::partition_point(m.begin(), m.end(), [&](const Marker& x) { return x.ts < t0; });
        for (; it != m.end() && it->ts < t1; ++it)
          ++counts[std::min(static_cast<size_t>(buckets - 1), static_cast<size_t>(static_cast<double>(it->ts - t0) / width_ns))];
      }
      for (int b = 0; b < buckets; ++b)
        steals.append(QPointF((static_cast<double>(t0) + b * width_ns) / 1e6, static_cast<double>(counts[static_cast<size_t>(b)]) / (width_ns / 1e9)));
      steals_->replace(steals);
      y_range(y_steals_, std::max(1.0, max_y(steals) * 1.1));
      break;
    }
    case 3: {
      const std::vector<const ChannelSeries*> busiest = data_.busiest_channels(kChannels);
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
      const QString levels_title = busiest.empty() ? tr("Channel buffers (no buffered channel)") : tr("Channel buffers (busiest)");
      if (levels_chart_->title() != levels_title) levels_chart_->setTitle(levels_title);
      y_range(y_levels_, level_max * 1.05);
      break;
    }
    default: {
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
      const double most = *std::max_element(bins.begin(), bins.end());
      const double step = std::max(1.0, std::ceil(most * 1.1 / 4));  // whole waits per tick
      if (step != waits_step_) {
        waits_step_ = step;
        y_waits_->setTickType(QValueAxis::TicksDynamic);
        y_waits_->setTickAnchor(0);
        y_waits_->setTickInterval(step);
        y_waits_->setRange(0, 4 * step);
      }
      break;
    }
  }

  // Round ticks (a 1-2-5 step in ms, anchored at 0), chosen like the timeline's own axis for
  // a chart's width, instead of QValueAxis's fixed tick count (25.076, 50.152, ...).
  TimelineGeometry axis;
  axis.set_width(std::max(150.0, width() / static_cast<double>(columns) - 60));  // about one chart's plot
  axis.show(t0, t1);
  const double step_ms = static_cast<double>(axis.tick_step(/*min_spacing=*/70)) / 1e6;
  if (part < static_cast<int>(x_axes_.size())) {
    QValueAxis* x = x_axes_[static_cast<size_t>(part)];
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
  return s ? max_y(s->points()) : -1;
}

std::vector<double> ChartsView::mutex_waits() const {
  std::vector<double> out;
  for (qsizetype i = 0; i < waits_->count(); ++i) out.push_back(waits_->at(i));
  return out;
}

}  // namespace goroscope::gui
