#include "views/scheduler_layout.hpp"

#include <QFontMetricsF>

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_set>

#include "model/event_text.hpp"
#include "model/snapshot_text.hpp"

namespace goroscope::gui {

namespace {

constexpr double kHeader = 26;      // panel title row
constexpr double kLabelColumn = 74; // "running", "runnext" labels in a P card
constexpr int kQueueRows = 3;       // local queue rows before "+N"
constexpr double kStarvationNs = 1'000'000;

QString overflow_text(int hidden) { return QStringLiteral("+%1").arg(hidden); }

double overflow_width(const LayoutMetrics& m, int hidden) {
  return QFontMetricsF(m.font).horizontalAdvance(overflow_text(hidden)) + 16;
}

// Flow places chips left to right in `area`, wrapping, for at most `max_rows` rows; when the
// rest does not fit, the tail becomes one "+N" overflow chip. Every id is either placed or
// counted. Returns the height used.
struct Flow {
  SchedulerLayout& out;
  const LayoutMetrics& m;
  const std::unordered_map<uint64_t, const gor::GoroutineInfo*>& info;

  double place(const std::vector<uint64_t>& ids, QRectF area, int max_rows,
               const std::vector<QString>* captions = nullptr, const std::vector<double>* urgency = nullptr) {
    const double row_h = m.chip_height + (captions ? 16 : 0) + m.spacing;
    struct Spot { double x, y, w; int row; };
    std::vector<Spot> spots;
    double x = area.left(), y = area.top();
    int row = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
      const double w = std::min(chip_width(m, ids[i], QString(), false), area.width());
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
    if (kept < ids.size()) {
      // Drop chips from the end until "+N" fits after the last kept one.
      for (;;) {
        const int hidden = static_cast<int>(ids.size() - kept);
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
      chip.g = ids[i];
      chip.rect = QRectF(spots[i].x, spots[i].y, spots[i].w, m.chip_height);
      if (captions) chip.caption = (*captions)[i];
      if (urgency) chip.urgency = (*urgency)[i];
      out.chips.push_back(chip);
    }
    const int rows = spots.empty() ? 1 : spots.back().row + 1;
    return rows * row_h;
  }
};

QString machine_text(const gor::Snapshot& s, int m_id, QColor* color) {
  for (const gor::MachineInfo& m : s.machines) {
    if (m.id != m_id) continue;
    if (m.state == "spinning") *color = QColor(0xe0, 0x8a, 0x1e);
    else if (m.state == "syscall") *color = QColor(0x8e, 0x5e, 0xa2);
    else if (m.state == "running") *color = QColor(0x3a, 0x93, 0x4a);
    else *color = QColor(0x88, 0x88, 0x88);
    return QStringLiteral("M%1 %2").arg(m.id).arg(QString::fromStdString(m.state));
  }
  *color = QColor(0x88, 0x88, 0x88);
  return QString();
}

}  // namespace

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

SchedulerLayout compute_scheduler_layout(const gor::Snapshot& s, double width, const LayoutMetrics& m) {
  SchedulerLayout out;
  std::unordered_map<uint64_t, const gor::GoroutineInfo*> info;
  info.reserve(s.goroutines.size());
  for (const gor::GoroutineInfo& g : s.goroutines) info[g.id] = &g;
  Flow flow{out, m, info};
  const double left = m.margin, right = std::max(width - m.margin, left + m.min_card_width);
  double y = m.margin;
  std::unordered_set<uint64_t> placed;  // goroutines already shown (each appears once)
  auto mark = [&](const std::vector<uint64_t>& ids) { placed.insert(ids.begin(), ids.end()); };

  // Global run queue: one panel, two rows at most.
  {
    ScenePanel panel;
    panel.kind = ScenePanel::Kind::Global;
    panel.title = QStringLiteral("Global run queue");
    panel.status = QStringLiteral("%1 goroutine%2").arg(s.global_queue.size()).arg(s.global_queue.size() == 1 ? "" : "s");
    panel.status_color = QColor(0x88, 0x88, 0x88);
    const QRectF area(left + 10, y + kHeader, right - left - 20, 0);
    const double h = s.global_queue.empty() ? m.chip_height + m.spacing : flow.place(s.global_queue, area, 2);
    if (s.global_queue.empty()) out.texts.push_back({QRectF(area.left(), area.top(), 200, m.chip_height), QStringLiteral("empty"), true});
    panel.rect = QRectF(left, y, right - left, kHeader + h + 4);
    out.panels.push_back(panel);
    mark(s.global_queue);
    y = panel.rect.bottom() + m.spacing * 2;
  }

  // One card per P.
  const int nprocs = static_cast<int>(s.procs.size());
  const int columns = std::max(1, std::min(nprocs, static_cast<int>((right - left + m.spacing) / (m.min_card_width + m.spacing))));
  const double card_w = (right - left - (columns - 1) * m.spacing) / columns;
  const double row_h = m.chip_height + m.spacing;
  for (int row_start = 0; row_start < nprocs; row_start += columns) {
    double card_h = 0;
    const size_t chips_before = out.chips.size();
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
      double cy = y + kHeader + 4;
      const double run_h = m.chip_height + 6;
      out.texts.push_back({QRectF(x0 + 10, cy, kLabelColumn, run_h), QStringLiteral("running"), true});
      if (p.running) {
        const auto it = info.find(p.running);
        const QString label = it != info.end() ? QString::fromStdString(it->second->label) : QString();
        SceneChip chip;
        chip.g = p.running;
        chip.running = true;
        const double w = std::min(chip_width(m, p.running, label, true), card_w - kLabelColumn - 20);
        chip.rect = QRectF(x0 + 10 + kLabelColumn, cy, w, run_h);
        out.chips.push_back(chip);
        placed.insert(p.running);
      } else {
        out.texts.push_back({QRectF(x0 + 10 + kLabelColumn, cy, 80, run_h), QStringLiteral("idle"), true});
      }
      cy += run_h + m.spacing;
      out.texts.push_back({QRectF(x0 + 10, cy, kLabelColumn, m.chip_height), QStringLiteral("runnext"), true});
      if (p.runnext) {
        flow.place({p.runnext}, QRectF(x0 + 10 + kLabelColumn, cy, card_w - kLabelColumn - 20, 0), 1);
        placed.insert(p.runnext);
      }
      cy += row_h;
      out.texts.push_back({QRectF(x0 + 10, cy, card_w - 20, 16),
                           QStringLiteral("local queue (%1)").arg(p.local_queue.size()), true});
      cy += 18;
      const double qh = p.local_queue.empty() ? row_h : flow.place(p.local_queue, QRectF(x0 + 10, cy, card_w - 20, 0), kQueueRows);
      mark(p.local_queue);
      cy += std::max(qh, row_h);
      card.rect = QRectF(x0, y, card_w, cy - y + 4);
      card_h = std::max(card_h, card.rect.height());
      out.panels.push_back(card);
    }
    (void)chips_before;
    // Equal heights within a row of cards.
    for (ScenePanel& panel : out.panels)
      if (panel.kind == ScenePanel::Kind::Processor && panel.rect.top() == y) panel.rect.setHeight(card_h);
    for (const ScenePanel& panel : out.panels)
      if (panel.kind == ScenePanel::Kind::Processor && panel.rect.top() == y) out.proc_rects[panel.proc] = panel.rect;
    y += card_h + m.spacing;
  }
  y += m.spacing;

  // Blocked area: mutexes and channels with waiters, then the other waits by reason.
  double bx = left, by = y, band_h = 0;
  const double panel_w = std::min(right - left, std::max(m.min_card_width * 1.5, (right - left - m.spacing) / 2));
  auto next_panel_origin = [&](double h) {
    if (bx + panel_w > right + 0.5) {
      bx = left;
      by += band_h + m.spacing;
      band_h = 0;
    }
    QPointF origin(bx, by);
    bx += panel_w + m.spacing;
    band_h = std::max(band_h, h);
    return origin;
  };

  for (const gor::MutexInfo& mu : s.mutexes) {
    if (mu.waiters.empty() && !mu.starving && mu.holder == 0 && mu.readers == 0) continue;
    ScenePanel panel;
    panel.kind = ScenePanel::Kind::Mutex;
    panel.object = mu.id;
    panel.title = object_display_name(s, mu.id);
    panel.badge = mu.starving ? QStringLiteral("STARVING") : QStringLiteral("normal");
    panel.badge_color = mu.starving ? QColor(0xe1, 0x57, 0x59) : QColor(0x59, 0xa1, 0x4f);
    panel.status = QStringLiteral("switches %1").arg(mu.starving_switches + mu.normal_switches);
    panel.status_color = QColor(0x88, 0x88, 0x88);
    std::vector<uint64_t> ids;
    std::vector<QString> captions;
    std::vector<double> urgency;
    for (const gor::WaiterInfo& w : mu.waiters) {
      if (placed.count(w.g)) continue;
      ids.push_back(w.g);
      const int64_t waited = std::max<int64_t>(0, s.now_ns - w.since_ns);
      captions.push_back(format_duration(waited));
      urgency.push_back(static_cast<double>(waited) / kStarvationNs);
    }
    // Measure, then place: holder line, waiters (2 rows), threshold bar.
    const double inner_w = panel_w - 20;
    const double h = kHeader + row_h + 2 * (m.chip_height + 16 + m.spacing) + 22;
    const QPointF o = next_panel_origin(h);
    panel.rect = QRectF(o.x(), o.y(), panel_w, h);
    double cy = o.y() + kHeader + 2;
    QString holder = mu.holder ? QStringLiteral("holder") : (mu.readers ? QStringLiteral("%1 readers").arg(mu.readers) : QStringLiteral("unlocked"));
    out.texts.push_back({QRectF(o.x() + 10, cy, kLabelColumn, m.chip_height), holder, true});
    if (mu.holder && !placed.count(mu.holder)) {
      flow.place({mu.holder}, QRectF(o.x() + 10 + kLabelColumn, cy, inner_w - kLabelColumn, 0), 1);
      placed.insert(mu.holder);
    } else if (mu.holder) {
      out.texts.push_back({QRectF(o.x() + 10 + kLabelColumn, cy, inner_w - kLabelColumn, m.chip_height),
                           QStringLiteral("G%1 (shown above)").arg(mu.holder), true});
    }
    cy += row_h;
    if (ids.empty())
      out.texts.push_back({QRectF(o.x() + 10, cy, inner_w, m.chip_height), QStringLiteral("no waiters"), true});
    else
      flow.place(ids, QRectF(o.x() + 10, cy, inner_w, 0), 2, &captions, &urgency);
    mark(ids);
    cy += 2 * (m.chip_height + 16 + m.spacing);
    const double front = urgency.empty() ? 0 : urgency.front();
    out.bars.push_back({QRectF(o.x() + 10, cy + 2, inner_w * 0.55, 8), front,
                        QStringLiteral("front waiter vs 1 ms threshold")});
    out.object_rects[mu.id] = panel.rect;
    out.panels.push_back(panel);
  }

  for (const gor::ChannelInfo& c : s.channels) {
    if (c.len == 0 && c.sendq.empty() && c.recvq.empty()) continue;
    ScenePanel panel;
    panel.kind = ScenePanel::Kind::Channel;
    panel.object = c.id;
    const QString type = c.elem_type.empty() ? QString() : short_type(c.elem_type) + QStringLiteral(", ");
    panel.title = QStringLiteral("%1 (%2cap %3, %4 queued)").arg(object_display_name(s, c.id), type).arg(c.cap).arg(c.len);
    if (c.closed) {
      panel.badge = QStringLiteral("closed");
      panel.badge_color = QColor(0x88, 0x88, 0x88);
    }
    const double inner_w = panel_w - 20;
    const double h = kHeader + (c.cap ? m.chip_height + 8 + m.spacing : 0) + 2 * row_h + 6;
    const QPointF o = next_panel_origin(h);
    panel.rect = QRectF(o.x(), o.y(), panel_w, h);
    double cy = o.y() + kHeader + 2;
    if (c.cap) {
      const size_t shown = std::min<size_t>(c.cap, 16);
      const double slot_w = std::min(44.0, (inner_w - 30) / static_cast<double>(shown));
      for (size_t i = 0; i < shown; ++i) {
        SceneSlot slot;
        slot.rect = QRectF(o.x() + 10 + i * slot_w, cy, slot_w - 3, m.chip_height + 4);
        slot.filled = i < c.len;
        if (slot.filled && i < c.buffer.size()) slot.value = QString::fromStdString(c.buffer[i]);
        out.buffer_slots.push_back(slot);
      }
      if (c.cap > shown)
        out.texts.push_back({QRectF(o.x() + 14 + shown * slot_w, cy, 60, m.chip_height + 4),
                             QStringLiteral("… %1").arg(c.cap), true});
      cy += m.chip_height + 8 + m.spacing;
    }
    auto queue_row = [&](const char* name, const std::vector<uint64_t>& q) {
      out.texts.push_back({QRectF(o.x() + 10, cy, 56, m.chip_height), QLatin1String(name), true});
      std::vector<uint64_t> ids;
      for (uint64_t g : q)
        if (!placed.count(g)) ids.push_back(g);
      if (q.empty()) out.texts.push_back({QRectF(o.x() + 66, cy, 40, m.chip_height), QStringLiteral("—"), true});
      else flow.place(ids, QRectF(o.x() + 66, cy, inner_w - 56, 0), 1);
      mark(ids);
      cy += row_h;
    };
    queue_row("sendq", c.sendq);
    queue_row("recvq", c.recvq);
    out.object_rects[c.id] = panel.rect;
    out.panels.push_back(panel);
  }
  if (band_h > 0) by += band_h + m.spacing;

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
      if (g.state == "running" || g.state == "runnable" || placed.count(g.id)) continue;
      const Raw raw{g.state == "syscall" ? std::string_view("syscall") : g.wait_reason.empty() ? std::string_view(g.state) : std::string_view(g.wait_reason),
                    g.wait_object};
      auto it = named.find(raw);
      if (it == named.end()) {
        QString key = QString::fromUtf8(raw.reason.data(), static_cast<qsizetype>(raw.reason.size()));
        const QString object = object_display_name(s, g.wait_object);
        if (!object.isEmpty()) key += QStringLiteral(" · ") + object;
        it = named.emplace(raw, &groups[key]).first;
      }
      it->second->push_back(g.id);
    }
  }
  // Goroutines that are runnable or running but not in any queue or slot (e.g. in transit
  // between queues when the world stopped) still get a chip.
  std::vector<uint64_t> transit;
  for (const gor::GoroutineInfo& g : s.goroutines)
    if (!placed.count(g.id) && (g.state == "running" || g.state == "runnable")) transit.push_back(g.id);
  if (!transit.empty()) groups[QStringLiteral("in transit")] = transit;
  {
    ScenePanel panel;
    panel.kind = ScenePanel::Kind::Waits;
    panel.title = QStringLiteral("Other waits");
    size_t n = 0;
    for (auto& [k, v] : groups) n += v.size();
    panel.status = QStringLiteral("timers %1 · %2 goroutine%3").arg(s.pending_timers).arg(n).arg(n == 1 ? "" : "s");
    panel.status_color = QColor(0x88, 0x88, 0x88);
    double cy = by + kHeader + 2;
    double label_w = 120;
    for (auto& [key, ids] : groups)
      label_w = std::max(label_w, QFontMetricsF(m.font).horizontalAdvance(QStringLiteral("%1 (%2)").arg(key).arg(ids.size())) + 8);
    label_w = std::min(label_w, std::min(300.0, (right - left) * 0.35));
    if (groups.empty()) {
      out.texts.push_back({QRectF(left + 10, cy, 300, m.chip_height), QStringLiteral("none"), true});
      cy += row_h;
    }
    for (auto& [key, ids] : groups) {
      out.texts.push_back({QRectF(left + 10, cy, label_w, m.chip_height),
                           QStringLiteral("%1 (%2)").arg(key).arg(ids.size()), false});
      const double h = flow.place(ids, QRectF(left + 20 + label_w, cy, right - left - label_w - 30, 0), 2);
      mark(ids);
      cy += std::max(h, row_h);
    }
    panel.rect = QRectF(left, by, right - left, cy - by + 4);
    out.panels.push_back(panel);
    by = panel.rect.bottom() + m.spacing;
  }

  // Ms: one line.
  {
    ScenePanel panel;
    panel.kind = ScenePanel::Kind::Machines;
    panel.title = QStringLiteral("Machines (OS threads)");
    QStringList parts;
    for (const gor::MachineInfo& mi : s.machines) {
      QString t = QStringLiteral("M%1 %2").arg(mi.id).arg(QString::fromStdString(mi.state));
      if (mi.p >= 0) t += QStringLiteral(" P%1").arg(mi.p);
      if (mi.running) t += QStringLiteral(" G%1").arg(mi.running);
      parts << t;
    }
    const QString line = parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(" · "));
    QFontMetricsF fm(m.font);
    const double text_w = right - left - 20;
    const int lines = std::max(1, static_cast<int>(std::ceil(fm.horizontalAdvance(line) / std::max(1.0, text_w * 0.95))));
    const double h = kHeader + lines * (fm.height() + 2) + 8;
    out.texts.push_back({QRectF(left + 10, by + kHeader, text_w, lines * (fm.height() + 2) + 4), line, false});
    panel.rect = QRectF(left, by, right - left, h);
    out.panels.push_back(panel);
    by = panel.rect.bottom();
  }
  out.height = by + m.margin;
  return out;
}

}  // namespace goroscope::gui
