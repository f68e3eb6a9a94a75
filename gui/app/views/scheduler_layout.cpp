#include "views/scheduler_layout.hpp"

#include <QFontMetricsF>

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>

#include "model/event_text.hpp"
#include "model/snapshot_text.hpp"
#include "views/scene_flow.hpp"

namespace goroscope::gui {

using scene::kHeader;
using scene::kLabelColumn;
using scene::SceneBuilder;

namespace {

constexpr int kQueueRows = 2;        // local queue rows before "+N"
constexpr double kStealLane = 18;    // the gap under a row of P cards that steal arrows use

QString overflow_text(int hidden) { return QStringLiteral("+%1").arg(hidden); }

double overflow_width(const LayoutMetrics& m, int hidden) {
  return QFontMetricsF(m.font).horizontalAdvance(overflow_text(hidden)) + 16;
}

QColor machine_color(const std::string& state) {
  if (state == "spinning") return QColor(0xe0, 0x8a, 0x1e);
  if (state == "syscall") return QColor(0x8e, 0x5e, 0xa2);
  if (state == "running") return QColor(0x3a, 0x93, 0x4a);
  return QColor(0x88, 0x88, 0x88);
}

QString machine_text(const gor::Snapshot& s, int m_id, QColor* color) {
  for (const gor::MachineInfo& m : s.machines) {
    if (m.id != m_id) continue;
    *color = machine_color(m.state);
    return QStringLiteral("M%1 %2").arg(m.id).arg(QString::fromStdString(m.state));
  }
  *color = QColor(0x88, 0x88, 0x88);
  return QString();
}

}  // namespace

namespace scene {

double SceneBuilder::text_width(const QString& text) const {
  QFont small = m.font;
  small.setPointSizeF(std::max(7.0, m.font.pointSizeF() * 0.85));
  return std::ceil(QFontMetricsF(small).horizontalAdvance(text)) + 4;
}

double SceneBuilder::label(double x, double y, double row_h, const QString& text, double max_w, bool dim) {
  const double w = std::min(max_w, text_width(text));
  out.texts.push_back({QRectF(x, y, w, row_h), text, dim});
  return x + w;
}

double SceneBuilder::place(const std::vector<uint64_t>& all_ids, QRectF area, int max_rows,
                           const std::vector<QString>* captions, const std::vector<double>* urgency) {
  std::vector<size_t> order;  // indices into all_ids not placed yet
  for (size_t i = 0; i < all_ids.size(); ++i)
    if (!placed.count(all_ids[i])) order.push_back(i);
  const double row_h = row_height(captions != nullptr);
  struct Spot { double x, y, w; int row; };
  std::vector<Spot> spots;
  double x = area.left(), y = area.top();
  int row = 0;
  for (size_t k : order) {
    double w = chip_width(m, all_ids[k], QString(), false);
    if (captions) w = std::max(w, text_width((*captions)[k]) + 4);
    w = std::min(w, area.width());
    if (x + w > area.right() && x > area.left()) {
      ++row;
      x = area.left();
      y += row_h;
    }
    if (row >= max_rows) break;
    spots.push_back({x, y, w, row});
    x += w + m.spacing;
  }
  size_t kept = spots.size();
  if (kept < order.size()) {
    // Drop chips from the end until "+N" fits after the last kept one.
    for (;;) {
      const int hidden = static_cast<int>(order.size() - kept);
      const double ow = overflow_width(m, hidden);
      if (kept == 0) {
        out.overflows.push_back({QRectF(area.left(), area.top(), ow, m.chip_height), hidden});
        break;
      }
      const Spot& last = spots[kept - 1];
      const double ox = last.x + last.w + m.spacing;
      if (ox + ow <= area.right() + 0.5) {
        out.overflows.push_back({QRectF(ox, last.y, ow, m.chip_height), hidden});
        break;
      }
      --kept;
    }
  }
  for (size_t i = 0; i < kept; ++i) {
    SceneChip chip;
    chip.g = all_ids[order[i]];
    chip.rect = QRectF(spots[i].x, spots[i].y, spots[i].w, m.chip_height);
    if (captions) chip.caption = (*captions)[order[i]];
    if (urgency) chip.urgency = (*urgency)[order[i]];
    out.chips.push_back(chip);
  }
  for (size_t k : order) placed.insert(all_ids[k]);  // shown, or counted in the "+N"
  const int rows = spots.empty() ? 1 : spots.back().row + 1;
  return rows * row_h;
}

double SceneBuilder::place_or_ref(const std::vector<uint64_t>& ids, uint64_t object, QRectF area, int max_rows,
                                  const std::vector<QString>* captions, const std::vector<double>* urgency) {
  // References first (the few goroutines shown elsewhere), then the chips after them.
  double x = area.left();
  for (uint64_t g : ids) {
    if (!placed.count(g) || x + 40 > area.right()) continue;
    const double w = std::max(40.0, text_width(QStringLiteral("G%1 ↗").arg(g)) + 12);
    out.refs.push_back({g, QRectF(x, area.top(), w, m.chip_height), object});
    x += w + m.spacing;
  }
  if (x > area.left() && x + 40 > area.right()) return row_height(captions != nullptr);
  return place(ids, QRectF(x, area.top(), area.right() - x, 0), max_rows, captions, urgency);
}

}  // namespace scene

QRectF SceneChip::caption_rect() const {
  if (caption.isEmpty()) return {};
  return QRectF(rect.left(), rect.bottom() + 1, rect.width(), kCaptionHeight);
}

const SceneChip* SchedulerLayout::chip_of(uint64_t g) const {
  for (const SceneChip& c : chips)
    if (c.g == g) return &c;
  return nullptr;
}

double chip_width(const LayoutMetrics& m, uint64_t g, const QString& label, bool running) {
  QFont f = m.font;
  if (running) f.setBold(true);
  QFontMetricsF fm(f);
  QString text = QStringLiteral("G%1").arg(g);
  if (running && !label.isEmpty()) text += QStringLiteral(" ") + label;
  return std::max(running ? 64.0 : 40.0, fm.horizontalAdvance(text) + (running ? 22 : 16));
}

QString object_display_name(const gor::Snapshot& s, uint64_t id) {
  if (id == 0) return QString();
  auto named = [](const char* kind, const std::string& name, uint64_t id) {
    return name.empty() ? QStringLiteral("%1 #%2").arg(QLatin1String(kind)).arg(id)
                        : QStringLiteral("%1 %2").arg(QLatin1String(kind), QString::fromStdString(name));
  };
  for (const gor::ChannelInfo& c : s.channels)
    if (c.id == id) return named("chan", c.name, id);
  for (const gor::MutexInfo& mu : s.mutexes)
    if (mu.id == id) return named(mu.kind == "RWMutex" ? "rwmutex" : "mutex", mu.name, id);
  for (const gor::SyncObjectInfo& o : s.sync_objects)
    if (o.id == id) return named(o.kind.c_str(), o.name, id);
  return QString();
}

QPolygonF steal_route(const SchedulerLayout& layout, int victim, int thief) {
  auto v = layout.proc_rects.find(victim), t = layout.proc_rects.find(thief);
  auto vl = layout.steal_lane_below.find(victim), tl = layout.steal_lane_below.find(thief);
  if (v == layout.proc_rects.end() || t == layout.proc_rects.end() || vl == layout.steal_lane_below.end() ||
      tl == layout.steal_lane_below.end() || victim == thief)
    return {};
  const QRectF& a = v->second;
  const QRectF& b = t->second;
  // Out of the victim's bottom edge into the lane under its row, along the lane, and into the
  // thief's bottom edge (same row) or top edge (the row below: its lane is the one above it).
  // A thief in a row above is entered from the lane under its own row.
  const double ax = a.center().x() + (b.center().x() > a.center().x() ? 12 : -12);
  const double bx = b.center().x() + (a.center().x() > b.center().x() ? 12 : -12);
  // Each thief's arrows run on their own track of the lane (4 tracks, 4 px apart), so the
  // steals shown at once (one per thief) are told apart rather than drawn along one line.
  const double shift = (thief % 4) * 4.0 - 6;
  QPolygonF route;
  if (b.top() >= a.top() - 0.5) {  // same row, or a row below: the lane under the victim's row
    const double lane = vl->second + shift;
    route << QPointF(ax, a.bottom()) << QPointF(ax, lane) << QPointF(bx, lane)
          << QPointF(bx, std::abs(a.top() - b.top()) < 0.5 ? b.bottom() : b.top());
  } else {
    const double lane = tl->second + shift;
    route << QPointF(ax, a.top()) << QPointF(ax, lane) << QPointF(bx, lane) << QPointF(bx, b.bottom());
  }
  return route;
}

SchedulerLayout compute_scheduler_layout(const gor::Snapshot& s, double width, const LayoutMetrics& m,
                                         const SceneFacts* facts) {
  SchedulerLayout out;
  std::unordered_map<uint64_t, const gor::GoroutineInfo*> info;
  info.reserve(s.goroutines.size());
  for (const gor::GoroutineInfo& g : s.goroutines) info[g.id] = &g;
  SceneBuilder b{out, m, {}};
  const double left = m.margin, right = std::max(width - m.margin, left + m.min_card_width);
  const double row_h = b.row_height();
  double y = m.margin;

  // Global run queue: the title row says "empty"; chips in two rows at most.
  {
    ScenePanel panel;
    panel.kind = ScenePanel::Kind::Global;
    panel.title = QStringLiteral("Global run queue");
    panel.status = s.global_queue.empty()
                       ? QStringLiteral("empty")
                       : QStringLiteral("%1 goroutine%2").arg(s.global_queue.size()).arg(s.global_queue.size() == 1 ? "" : "s");
    panel.status_color = QColor(0x88, 0x88, 0x88);
    const QRectF area(left + 10, y + kHeader, right - left - 20, 0);
    const double h = s.global_queue.empty() ? 0 : b.place(s.global_queue, area, 2);
    panel.rect = QRectF(left, y, right - left, kHeader + h + 4);
    out.panels.push_back(panel);
    y = panel.rect.bottom() + kStealLane;  // a lane above the first row of cards too
  }

  // One card per P: running, runnext and the local queue, each a labelled row.
  const int nprocs = static_cast<int>(s.procs.size());
  const int columns = std::max(1, std::min(nprocs, static_cast<int>((right - left + m.spacing) / (m.min_card_width + m.spacing))));
  const double card_w = (right - left - (columns - 1) * m.spacing) / columns;
  for (int row_start = 0; row_start < nprocs; row_start += columns) {
    double card_h = 0;
    const size_t first_panel = out.panels.size();
    for (int c = 0; c < columns && row_start + c < nprocs; ++c) {
      const gor::ProcessorInfo& p = s.procs[static_cast<size_t>(row_start + c)];
      ScenePanel card;
      card.kind = ScenePanel::Kind::Processor;
      card.proc = p.id;
      card.title = QStringLiteral("P%1").arg(p.id);
      if (p.m >= 0) card.status = machine_text(s, p.m, &card.status_color);
      if (card.status.isEmpty()) {
        card.status = QString::fromStdString(p.status);
        card.status_color = QColor(0x88, 0x88, 0x88);
      }
      const double x0 = left + c * (card_w + m.spacing);
      const double chips_x = x0 + 10 + kLabelColumn, chips_w = card_w - kLabelColumn - 20;
      double cy = y + kHeader + 4;
      const double run_h = m.chip_height + 6;
      b.label(x0 + 10, cy, run_h, QStringLiteral("running"), kLabelColumn - 4);
      if (p.running && !b.placed.count(p.running)) {
        const auto it = info.find(p.running);
        const QString label = it != info.end() ? QString::fromStdString(it->second->label) : QString();
        SceneChip chip;
        chip.g = p.running;
        chip.running = true;
        chip.rect = QRectF(chips_x, cy, std::min(chip_width(m, p.running, label, true), chips_w), run_h);
        out.chips.push_back(chip);
        b.placed.insert(p.running);
      } else if (!p.running) {
        b.label(chips_x, cy, run_h, QStringLiteral("idle"), chips_w);
      }
      cy += run_h + m.spacing;
      b.label(x0 + 10, cy, m.chip_height, QStringLiteral("runnext"), kLabelColumn - 4);
      if (p.runnext) b.place({p.runnext}, QRectF(chips_x, cy, chips_w, 0), 1);
      cy += row_h;
      b.label(x0 + 10, cy, m.chip_height, QStringLiteral("queue %1").arg(p.local_queue.size()), kLabelColumn - 4);
      const double qh = p.local_queue.empty() ? row_h : b.place(p.local_queue, QRectF(chips_x, cy, chips_w, 0), kQueueRows);
      cy += std::max(qh, row_h);
      card.rect = QRectF(x0, y, card_w, cy - y);
      card_h = std::max(card_h, card.rect.height());
      out.panels.push_back(card);
    }
    // Equal heights within a row of cards.
    for (size_t i = first_panel; i < out.panels.size(); ++i) {
      out.panels[i].rect.setHeight(card_h);
      out.proc_rects[out.panels[i].proc] = out.panels[i].rect;
      out.steal_lane_below[out.panels[i].proc] = y + card_h + kStealLane / 2;
    }
    y += card_h + kStealLane;
  }

  // The blocked area: mutexes, channels and contexts.
  y = scene::object_panels(b, s, facts, left, right, y);

  // Ms: one box per thread; a thread in a syscall carries its goroutine's chip. (A state
  // rebuilt from a trace may know no M: then there is no panel.)
  if (!s.machines.empty()) {
    ScenePanel panel;
    panel.kind = ScenePanel::Kind::Machines;
    panel.title = QStringLiteral("Threads (Ms)");
    int in_syscall = 0;
    for (const gor::MachineInfo& mi : s.machines) in_syscall += mi.state == "syscall" ? 1 : 0;
    panel.status = QStringLiteral("%1 thread%2 for %3 P%4 · %5 in syscall")
                       .arg(s.machines.size()).arg(s.machines.size() == 1 ? "" : "s")
                       .arg(s.procs.size()).arg(s.procs.size() == 1 ? "" : "s").arg(in_syscall);
    panel.status_color = in_syscall ? machine_color("syscall") : QColor(0x88, 0x88, 0x88);
    double x = left + 10, cy = y + kHeader + 2;
    for (const gor::MachineInfo& mi : s.machines) {
      QString text = QStringLiteral("M%1 %2").arg(mi.id).arg(QString::fromStdString(mi.state));
      if (mi.p >= 0) text += QStringLiteral(" P%1").arg(mi.p);
      const bool carries = mi.state == "syscall" && mi.running && !b.placed.count(mi.running);
      const double box_w = b.text_width(text) + 12;
      const double w = box_w + (carries ? chip_width(m, mi.running, QString(), false) + m.spacing : 0);
      if (x + w > right - 10 && x > left + 10) {
        x = left + 10;
        cy += row_h;
      }
      out.machines.push_back({mi.id, QRectF(x, cy, box_w, m.chip_height), text, machine_color(mi.state)});
      if (carries) b.place({mi.running}, QRectF(x + box_w + m.spacing, cy, w - box_w, 0), 1);
      x += w + m.spacing * 2;
    }
    panel.rect = QRectF(left, y, right - left, cy + row_h - y);
    out.panels.push_back(panel);
    y = panel.rect.bottom() + m.spacing;
  }

  // Other waits: everything blocked that no panel above shows, grouped by reason (+ object).
  // Thousands of goroutines share a few (reason, object) pairs: each pair is named once.
  std::map<QString, std::vector<uint64_t>> groups;
  {
    struct Raw {
      std::string_view reason;
      uint64_t object;
      bool operator==(const Raw&) const = default;
    };
    struct RawHash {
      size_t operator()(const Raw& r) const { return std::hash<std::string_view>()(r.reason) ^ (r.object * 0x9E3779B97F4A7C15ull); }
    };
    std::unordered_map<Raw, std::vector<uint64_t>*, RawHash> named;
    for (const gor::GoroutineInfo& g : s.goroutines) {
      if (g.state == "running" || g.state == "runnable" || b.placed.count(g.id)) continue;
      const Raw raw{g.state == "syscall" ? std::string_view("syscall") : g.wait_reason.empty() ? std::string_view(g.state) : std::string_view(g.wait_reason),
                    g.wait_object};
      auto it = named.find(raw);
      if (it == named.end()) {
        QString key = QString::fromUtf8(raw.reason.data(), static_cast<qsizetype>(raw.reason.size()));
        const QString object = object_display_name(s, g.wait_object);
        if (!object.isEmpty()) key += QStringLiteral(" · ") + object;
        else if (g.wait_object) key += QStringLiteral(" · #%1").arg(g.wait_object);  // unnamed here: still apart
        it = named.emplace(raw, &groups[key]).first;
      }
      it->second->push_back(g.id);
    }
  }
  // Goroutines that are runnable or running but not in any queue or slot (e.g. in transit
  // between queues when the world stopped) still get a chip.
  std::vector<uint64_t> transit;
  for (const gor::GoroutineInfo& g : s.goroutines)
    if (!b.placed.count(g.id) && (g.state == "running" || g.state == "runnable")) transit.push_back(g.id);
  if (!transit.empty()) groups[QStringLiteral("in transit")] = transit;
  {
    ScenePanel panel;
    panel.kind = ScenePanel::Kind::Waits;
    panel.title = QStringLiteral("Other waits");
    size_t n = 0;
    for (auto& [k, v] : groups) n += v.size();
    panel.status = QStringLiteral("timers %1 · %2 goroutine%3").arg(s.pending_timers).arg(n).arg(n == 1 ? "" : "s");
    panel.status_color = QColor(0x88, 0x88, 0x88);
    double cy = y + kHeader + 2;
    double label_w = 120;
    for (auto& [key, ids] : groups)
      label_w = std::max(label_w, b.text_width(QStringLiteral("%1 (%2)").arg(key).arg(ids.size())) + 8);
    label_w = std::min(label_w, std::min(300.0, (right - left) * 0.35));
    if (groups.empty()) {
      b.label(left + 10, cy, m.chip_height, QStringLiteral("none"), 300);
      cy += row_h;
    }
    for (auto& [key, ids] : groups) {
      b.label(left + 10, cy, m.chip_height, QStringLiteral("%1 (%2)").arg(key).arg(ids.size()), label_w, false);
      const double h = b.place(ids, QRectF(left + 20 + label_w, cy, right - left - label_w - 30, 0), 2);
      cy += std::max(h, row_h);
    }
    panel.rect = QRectF(left, y, right - left, cy - y + 4);
    out.panels.push_back(panel);
    y = panel.rect.bottom();
  }
  out.height = y + m.margin;
  return out;
}

}  // namespace goroscope::gui
