// chart_style.hpp — how the Charts tab's QtCharts look: the app's palette (light or dark) on
// every part of a chart, axis titles, and round 1-2-5 ticks.
#pragma once

#include <QPalette>
#include <QString>

class QChart;
class QValueAxis;

namespace goroscope::gui {

// nice_step() is the smallest step of the form {1, 2, 5} x 10^k with at most `max_ticks`
// steps from 0 to `max` (max <= 0 gives 1). Integer-valued series pass whole_numbers so the
// step is never below 1.
double nice_step(double max, int max_ticks, bool whole_numbers);

// set_nice_range() gives `axis` the range [0, n * step] that covers `max` with a nice_step(),
// ticks every step from 0, and labels with as many decimals as the step needs.
void set_nice_range(QValueAxis* axis, double max, int max_ticks, bool whole_numbers);

// make_chart() is a chart titled `title`, compact, without animation, its legend on top
// showing a tooltip for any entry it has to shorten.
QChart* make_chart(const QString& title);

// value_axis() is a value axis titled `title` with small labels.
QValueAxis* value_axis(const QString& title);

// style_chart() paints `chart` (background, title, legend, every axis' labels, titles and grid)
// in `palette`'s colours, so the charts follow the app's light or dark theme.
void style_chart(QChart* chart, const QPalette& palette);

}  // namespace goroscope::gui
