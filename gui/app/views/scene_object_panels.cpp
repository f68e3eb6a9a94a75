// scene_object_panels.cpp — the blocked area of the scheduler scene: a panel per contended
// mutex, per channel with a buffer or waiters, and one context tree for the contexts' done
// channels (compute_scheduler_layout() calls object_panels()).
#include <QFontMetricsF>

#include <algorithm>
#include <functional>
#include <map>
#include <unordered_set>

#include "model/event_text.hpp"
#include "model/snapshot_text.hpp"
#include "views/scene_flow.hpp"

namespace goroscope::gui::scene {

namespace {

constexpr double kStarvationNs = 1'000'000;

// is_context_done() says whether channel `c` is a context's done channel (the engine names
// them so).
bool is_context_done(const gor::ChannelInfo& c) { return c.name == "context.Done"; }

// Bands places panels two per band, left to right, top to bottom.
struct Bands {
  double left, right, width, spacing;
  double x, y, band_h = 0;
  QPointF next(double h, double w) {
    if (x + w > right + 0.5) {
      x = left;
      y += band_h + spacing;
      band_h = 0;
    }
    QPointF origin(x, y);
    x += w + spacing;
    band_h = std::max(band_h, h);
    return origin;
  }
  double bottom() const { return band_h > 0 ? y + band_h + spacing : y; }
};

void mutex_panel(SceneBuilder& b, const gor::Snapshot& s, const gor::MutexInfo& mu, Bands& bands) {
  const LayoutMetrics& m = b.m;
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
    ids.push_back(w.g);
    const int64_t waited = std::max<int64_t>(0, s.now_ns - w.since_ns);
    captions.push_back(format_duration(waited));
    urgency.push_back(static_cast<double>(waited) / kStarvationNs);
  }
  // Holder row, waiters (two rows with their waits), the front waiter's bar.
  const double inner_w = bands.width - 20;
  // One row of waiters when they fit in one (the common case), else two (then "+N").
  double waiters_w = 0;
  for (size_t i = 0; i < ids.size(); ++i)
    waiters_w += std::max(chip_width(m, ids[i], QString(), false), b.text_width(captions[i]) + 4) + m.spacing;
  const int rows = waiters_w <= inner_w - kLabelColumn ? 1 : 2;
  const double waiter_rows = rows * b.row_height(true);
  const double h = kHeader + b.row_height() + waiter_rows + m.chip_height + 6;
  const QPointF o = bands.next(h, bands.width);
  panel.rect = QRectF(o.x(), o.y(), bands.width, h);
  const double x = o.x() + 10;
  double cy = o.y() + kHeader + 2;
  const QString holder = mu.holder ? QStringLiteral("holder") : (mu.readers ? QStringLiteral("%1 readers").arg(mu.readers) : QStringLiteral("unlocked"));
  b.label(x, cy, m.chip_height, holder, kLabelColumn - 4);
  if (mu.holder) b.place_or_ref({mu.holder}, mu.id, QRectF(x + kLabelColumn, cy, inner_w - kLabelColumn, 0), 1);
  cy += b.row_height();
  b.label(x, cy, m.chip_height, QStringLiteral("waiters"), kLabelColumn - 4);
  if (ids.empty()) b.label(x + kLabelColumn, cy, m.chip_height, QStringLiteral("none"), inner_w - kLabelColumn);
  else b.place_or_ref(ids, mu.id, QRectF(x + kLabelColumn, cy, inner_w - kLabelColumn, 0), rows, &captions, &urgency);
  cy += waiter_rows;
  const double front = urgency.empty() ? 0 : urgency.front();
  const QString bar_label = QStringLiteral("front waiter vs 1 ms");
  const double bar_w = std::max(60.0, std::min(inner_w * 0.5, inner_w - b.text_width(bar_label) - 10));
  b.out.bars.push_back({QRectF(x, cy + (m.chip_height - 8) / 2, bar_w, 8), front, bar_label});
  b.label(x + bar_w + 8, cy, m.chip_height, bar_label, inner_w - bar_w - 8);
  b.out.object_rects[mu.id] = panel.rect;
  b.out.panels.push_back(panel);
}

void channel_panel(SceneBuilder& b, const gor::ChannelInfo& c, Bands& bands) {
  const LayoutMetrics& m = b.m;
  ScenePanel panel;
  panel.kind = ScenePanel::Kind::Channel;
  panel.object = c.id;
  // As Go declares it: "jobs chan int · cap 3, 2 queued".
  const QString name = c.name.empty() ? QStringLiteral("#%1").arg(c.id) : QString::fromStdString(c.name);
  const QString type = c.elem_type.empty() ? QStringLiteral("chan") : QStringLiteral("chan ") + short_type(c.elem_type);
  panel.title = c.cap == 0 ? QStringLiteral("%1 %2 · unbuffered").arg(name, type)
                           : QStringLiteral("%1 %2 · cap %3, %4 queued").arg(name, type).arg(c.cap).arg(c.len);
  if (c.closed) {
    panel.badge = QStringLiteral("closed");
    panel.badge_color = QColor(0x88, 0x88, 0x88);
  }
  const double inner_w = bands.width - 20;
  const double h = kHeader + (c.cap ? m.chip_height + 8 + m.spacing : 0) + 2 * b.row_height() + 2;
  const QPointF o = bands.next(h, bands.width);
  panel.rect = QRectF(o.x(), o.y(), bands.width, h);
  double cy = o.y() + kHeader + 2;
  if (c.cap) {
    const size_t shown = std::min<size_t>(c.cap, 16);
    const double more_w = c.cap > shown ? b.text_width(QStringLiteral("… %1").arg(c.cap)) + 6 : 0;
    const double slot_w = std::min(44.0, (inner_w - more_w) / static_cast<double>(shown));
    for (size_t i = 0; i < shown; ++i) {
      SceneSlot slot;
      slot.rect = QRectF(o.x() + 10 + i * slot_w, cy, slot_w - 3, m.chip_height + 4);
      slot.filled = i < c.len;
      if (slot.filled && i < c.buffer.size()) slot.value = QString::fromStdString(c.buffer[i]);
      b.out.buffer_slots.push_back(slot);
    }
    if (c.cap > shown) b.label(o.x() + 14 + shown * slot_w, cy, m.chip_height + 4, QStringLiteral("… %1").arg(c.cap), more_w);
    cy += m.chip_height + 8 + m.spacing;
  }
  auto queue_row = [&](const QString& label, const std::vector<uint64_t>& q) {
    b.label(o.x() + 10, cy, m.chip_height, label, 52);
    if (q.empty()) b.label(o.x() + 66, cy, m.chip_height, QStringLiteral("—"), 30);
    else b.place_or_ref(q, c.id, QRectF(o.x() + 66, cy, inner_w - 56, 0), 1);
    cy += b.row_height();
  };
  queue_row(QStringLiteral("sendq"), c.sendq);
  queue_row(QStringLiteral("recvq"), c.recvq);
  b.out.object_rects[c.id] = panel.rect;
  b.out.panels.push_back(panel);
}

// context_panel() draws the contexts as a tree: one row per done channel, indented under its
// parent (known once a cancel names it: ContextCancel's a2), with the goroutines waiting on it.
void context_panel(SceneBuilder& b, const std::vector<const gor::ChannelInfo*>& dones, const SceneFacts* facts,
                   double left, double right, double y) {
  const LayoutMetrics& m = b.m;
  std::map<uint64_t, const gor::ChannelInfo*> by_id;
  for (const gor::ChannelInfo* c : dones) by_id[c->id] = c;
  std::map<uint64_t, std::vector<uint64_t>> children;  // ordered by id: creation order
  std::vector<uint64_t> roots;
  for (const auto& [id, c] : by_id) {
    uint64_t parent = 0;
    if (facts) {
      auto it = facts->context_parent.find(id);
      if (it != facts->context_parent.end()) parent = it->second;
    }
    if (parent && by_id.count(parent)) children[parent].push_back(id);
    else roots.push_back(id);
  }
  int cancelled = 0;
  for (const auto& [id, c] : by_id) cancelled += c->closed ? 1 : 0;
  ScenePanel panel;
  panel.kind = ScenePanel::Kind::Contexts;
  panel.title = QStringLiteral("Context tree");
  panel.status = QStringLiteral("%1 context%2 · %3 cancelled").arg(by_id.size()).arg(by_id.size() == 1 ? "" : "s").arg(cancelled);
  panel.status_color = cancelled ? QColor(0xe1, 0x57, 0x59) : QColor(0x88, 0x88, 0x88);
  const double row_h = b.row_height();
  const double indent = 18;
  double cy = y + kHeader + 2;
  int number = 0;
  std::map<uint64_t, int> numbers;
  for (const auto& [id, c] : by_id) numbers[id] = ++number;
  std::function<void(uint64_t, int, QPointF)> row = [&](uint64_t id, int depth, QPointF parent_anchor) {
    const gor::ChannelInfo& c = *by_id[id];
    const double x = left + 10 + depth * indent;
    if (depth > 0) {  // an elbow from the parent's row
      QPolygonF elbow;
      elbow << parent_anchor << QPointF(parent_anchor.x(), cy + m.chip_height / 2) << QPointF(x - 2, cy + m.chip_height / 2);
      b.out.context_edges.push_back(elbow);
    }
    QString text = QStringLiteral("ctx %1").arg(numbers[id]);
    if (c.closed) {
      int err = 1;
      if (facts) {
        auto it = facts->context_error.find(id);
        if (it != facts->context_error.end()) err = it->second;
      }
      text += err == 2 ? QStringLiteral(" · deadline exceeded") : QStringLiteral(" · canceled");
    }
    const double label_end = b.label(x, cy, m.chip_height, text, 190, !c.closed);
    const double chips_x = std::max(label_end + 8, left + 10 + 4 * indent + 110);
    std::vector<uint64_t> waiting = c.recvq;
    waiting.insert(waiting.end(), c.sendq.begin(), c.sendq.end());
    b.out.object_rects[id] = QRectF(left, cy - 2, right - left, row_h);
    if (!waiting.empty()) b.place_or_ref(waiting, id, QRectF(chips_x, cy, right - 10 - chips_x, 0), 1);
    const QPointF anchor(x + 6, cy + m.chip_height);
    cy += row_h;
    for (uint64_t child : children[id]) row(child, depth + 1, anchor);
  };
  if (roots.size() == by_id.size()) {
    // No parent known yet (the tree shows itself when a cancel runs down it): the contexts
    // side by side, each with its waiters, rather than a tall list.
    double x = left + 10;
    for (uint64_t id : roots) {
      const gor::ChannelInfo& c = *by_id[id];
      std::vector<uint64_t> waiting = c.recvq;
      waiting.insert(waiting.end(), c.sendq.begin(), c.sendq.end());
      const QString text = QStringLiteral("ctx %1").arg(numbers[id]) + (c.closed ? QStringLiteral(" · canceled") : QString());
      const double label_w = b.text_width(text);
      double chips_w = 0;
      for (uint64_t g : waiting) chips_w += chip_width(m, g, QString(), false) + m.spacing;
      const double w = std::min(right - left - 20, label_w + 6 + std::max(chips_w, 10.0));
      if (x + w > right - 10 && x > left + 10) {
        x = left + 10;
        cy += row_h;
      }
      b.label(x, cy, m.chip_height, text, label_w, !c.closed);
      b.out.object_rects[id] = QRectF(x, cy, w, m.chip_height);
      if (!waiting.empty()) b.place_or_ref(waiting, id, QRectF(x + label_w + 6, cy, w - label_w - 6, 0), 1);
      x += w + 3 * m.spacing;
    }
    cy += row_h;
  } else {
    for (uint64_t root : roots) row(root, 0, QPointF());
  }
  panel.rect = QRectF(left, y, right - left, cy - y + 2);
  b.out.panels.push_back(panel);
}

}  // namespace

double object_panels(SceneBuilder& b, const gor::Snapshot& s, const SceneFacts* facts, double left, double right, double y) {
  const LayoutMetrics& m = b.m;
  const double panel_w = std::min(right - left, std::max(m.min_card_width * 1.5, (right - left - m.spacing) / 2));
  Bands bands{left, right, panel_w, m.spacing, left, y};
  for (const gor::MutexInfo& mu : s.mutexes) {
    if (mu.waiters.empty() && !mu.starving && mu.holder == 0 && mu.readers == 0) continue;
    mutex_panel(b, s, mu, bands);
  }
  std::vector<const gor::ChannelInfo*> dones;
  for (const gor::ChannelInfo& c : s.channels)
    if (is_context_done(c)) dones.push_back(&c);
  // A state rebuilt from a trace names no channel: the contexts the cancels revealed stand in
  // for their done channels (cancelled, with the goroutines still waiting on them).
  std::vector<gor::ChannelInfo> revealed;
  if (s.channels.empty() && facts && !facts->context_parent.empty()) {
    std::map<uint64_t, std::vector<uint64_t>> waiting;
    for (const gor::GoroutineInfo& g : s.goroutines)
      if (g.wait_object && g.state != "running" && g.state != "runnable" && facts->context_parent.count(g.wait_object))
        waiting[g.wait_object].push_back(g.id);
    revealed.reserve(facts->context_parent.size());
    for (const auto& [id, parent] : facts->context_parent) {
      gor::ChannelInfo c;
      c.id = id;
      c.name = "context.Done";
      c.closed = true;
      c.recvq = waiting[id];
      revealed.push_back(std::move(c));
    }
    for (const gor::ChannelInfo& c : revealed) dones.push_back(&c);
  }
  // The contexts: a full-width tree when any context is waited on or cancelled, before the
  // channels (a goroutine in a select on its context and a ticker is shown in the tree).
  const bool tree = std::any_of(dones.begin(), dones.end(), [](const gor::ChannelInfo* c) {
    return c->closed || !c->recvq.empty() || !c->sendq.empty();
  });
  if (tree) {
    const double top = bands.bottom();
    context_panel(b, dones, facts, left, right, top);
    bands = Bands{left, right, panel_w, m.spacing, left, b.out.panels.back().rect.bottom() + m.spacing};
  }
  std::unordered_set<uint64_t> selecting;  // goroutines blocked in a select
  for (const gor::GoroutineInfo& g : s.goroutines)
    if (g.wait_reason == "select") selecting.insert(g.id);
  for (const gor::ChannelInfo& c : s.channels) {
    if (is_context_done(c) || (c.len == 0 && c.sendq.empty() && c.recvq.empty())) continue;
    // An empty channel whose waiters all have their chip elsewhere is the other case of their
    // selects (a ticker beside a context): its card would show only references.
    const auto elsewhere = [&](uint64_t g) { return b.placed.count(g) > 0 && selecting.count(g) > 0; };
    if (c.len == 0 && std::all_of(c.sendq.begin(), c.sendq.end(), elsewhere) &&
        std::all_of(c.recvq.begin(), c.recvq.end(), elsewhere))
      continue;
    channel_panel(b, c, bands);
  }
  y = bands.bottom();
  return y;
}

}  // namespace goroscope::gui::scene
