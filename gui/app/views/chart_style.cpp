// chart_style.cpp — the Charts tab's look (see chart_style.hpp).
#include "views/chart_style.hpp"

#include <QAbstractAxis>
#include <QChart>
#include <QGraphicsLayout>
#include <QLegend>
#include <QPen>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace goroscope::gui {

double nice_step(double max, int max_ticks, bool whole_numbers) {
  if (!(max > 0)) return 1;
  max_ticks = std::max(1, max_ticks);
  double step = std::pow(10.0, std::floor(std::log10(max / max_ticks)));
  for (;;) {
    for (double m : {1.0, 2.0, 5.0}) {
      const double s = step * m;
      if (whole_numbers && s < 1) continue;
      if (max / s <= max_ticks + 1e-9) return s;
    }
    step *= 10;
  }
}

void set_nice_range(QValueAxis* axis, double max, int max_ticks, bool whole_numbers) {
  const double step = nice_step(max, max_ticks, whole_numbers);
  const double top = std::max(1.0, std::ceil(max / step - 1e-9)) * step;
  // Fixed ticks while the range changes: a new range with the old interval can mean many ticks.
  axis->setTickType(QValueAxis::TicksFixed);
  axis->setRange(0, top);
  axis->setTickAnchor(0);
  axis->setTickInterval(step);
  axis->setTickType(QValueAxis::TicksDynamic);
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  axis->setLabelFormat(QStringLiteral("%.%1f").arg(decimals));
}

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
  chart->legend()->setShowToolTips(true);  // a shortened entry shows its whole name on hover
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
  a->setLabelFormat(QStringLiteral("%.0f"));
  return a;
}

void style_chart(QChart* chart, const QPalette& palette) {
  const QColor text = palette.color(QPalette::WindowText);
  const QColor base = palette.color(QPalette::Base);
  QColor grid = palette.color(QPalette::Mid);
  grid.setAlpha(110);
  chart->setBackgroundBrush(base);
  chart->setBackgroundPen(Qt::NoPen);
  chart->setPlotAreaBackgroundVisible(false);
  chart->setTitleBrush(text);
  chart->legend()->setLabelColor(text);
  for (QAbstractAxis* axis : chart->axes()) {
    axis->setLabelsColor(text);
    axis->setTitleBrush(text);
    axis->setLinePenColor(palette.color(QPalette::Mid));
    axis->setGridLineColor(grid);
    axis->setShadesVisible(false);
  }
}

}  // namespace goroscope::gui
