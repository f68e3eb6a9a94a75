// scheduler_layout.hpp — where everything of the live scheduler scene goes, computed from a
// snapshot and a width. Pure geometry (no painting, no widgets), so it is unit-tested:
// every goroutine of the snapshot gets exactly one chip or is counted in a "+N" overflow
// chip, and no two chips overlap.
//
// The scene, top to bottom: the global run queue; one card per P (its M, running goroutine,
// runnext slot, local run queue), each row of cards with a lane below it that steal arrows
// run in (steal_route()); the blocked area: one panel per mutex with waiters (holder, FIFO
// waiters with their wait against the 1 ms starvation threshold, mode badge), one per channel
// with a buffer or queues (buffer ring slots, sendq, recvq), one context tree for the
// contexts' done channels; the Ms (threads against Ps, a thread in a syscall with its
// goroutine); then a panel of other waits grouped by reason (sleep, select, WaitGroup, ...).
//
// Readability is part of the contract (scene_overlap_test checks it on every sample): no chip
// overlaps another chip, a panel's title row (title_rect()), a label or a caption; labels and
// captions do not overlap each other; steal routes cross no label. A goroutine waiting on an
// object whose card shows it elsewhere (a holder waiting for another mutex) gets a reference
// pill (SceneRef) in that card, so every wait-for edge of a deadlock cycle is on screen.
#pragma once

#include <QColor>
#include <QFont>
#include <QPolygonF>
#include <QRectF>
#include <QString>

#include <cstdint>
#include <unordered_map>
#include <vector>

#include <gor/control.hpp>

namespace goroscope::gui {

// SceneChip is one goroutine chip: where it sits and how it is drawn.
struct SceneChip {
  uint64_t g = 0;
  QRectF rect;
  bool running = false;    // the big chip in a P's running slot
  QString caption;         // small text under the chip (a waiter's wait time), may be empty
  double urgency = -1;     // 0..1+: a mutex waiter's wait / 1 ms threshold (-1: none)
  // caption_rect() is where the caption goes (under the chip, as wide as it; empty rect if
  // there is no caption).
  QRectF caption_rect() const;
};

// kCaptionHeight is the height of a chip's caption row.
inline constexpr double kCaptionHeight = 15;

// SceneRef is a goroutine that waits on an object but whose chip is elsewhere (it holds
// another mutex, say): a dashed pill "G2" in the object's card, in the goroutine's colour.
struct SceneRef {
  uint64_t g = 0;
  QRectF rect;
  uint64_t object = 0;
};

// SceneMachine is one M (OS thread): a box with its state ("M3 syscall").
struct SceneMachine {
  int id = 0;
  QRectF rect;
  QString text;
  QColor color;            // by state: running, spinning, syscall, idle
};

// SceneFacts are what the scene knows from events rather than from the snapshot: the
// contexts' tree (ContextCancel: a done channel's parent) and how each was cancelled.
struct SceneFacts {
  std::unordered_map<uint64_t, uint64_t> context_parent;  // done channel -> parent's (0: root)
  std::unordered_map<uint64_t, int> context_error;        // done channel -> CtxErr (1 Canceled, 2 DeadlineExceeded)
  std::unordered_map<uint64_t, int64_t> context_cancelled_at;  // done channel -> engine ns of its cancel
};

// SceneOverflow stands for `hidden` goroutines that did not fit ("+N").
struct SceneOverflow {
  QRectF rect;
  int hidden = 0;
};

// ScenePanel is a card or box with a title (P cards, queues, mutex and channel panels).
struct ScenePanel {
  enum class Kind { Global, Processor, Mutex, Channel, Contexts, Waits, Machines } kind = Kind::Processor;
  QRectF rect;
  QString title;
  QString status;          // right-aligned header text ("M1 running")
  QColor status_color;
  QString badge;           // "STARVING", "closed" (empty: none)
  QColor badge_color;
  int proc = -1;
  uint64_t object = 0;
  // title_rect() is the panel's title row (title, badge, status): nothing else goes there.
  QRectF title_rect() const { return QRectF(rect.left() + 10, rect.top() + 4, rect.width() - 20, 20); }
};

// SceneText is a small label ("running", "runnext", "sendq").
struct SceneText {
  QRectF rect;
  QString text;
  bool dim = true;
};

// SceneSlot is one slot of a channel's buffer ring.
struct SceneSlot {
  QRectF rect;
  bool filled = false;
  QString value;
};

// SceneBar is a progress bar (front waiter's wait against the starvation threshold).
struct SceneBar {
  QRectF rect;
  double fraction = 0;     // may exceed 1
  QString label;
};

// SchedulerLayout is the whole scene.
struct SchedulerLayout {
  std::vector<ScenePanel> panels;
  std::vector<SceneText> texts;
  std::vector<SceneChip> chips;
  std::vector<SceneOverflow> overflows;
  std::vector<SceneSlot> buffer_slots;
  std::vector<SceneBar> bars;
  std::vector<SceneRef> refs;
  std::vector<SceneMachine> machines;
  std::vector<QPolygonF> context_edges;  // tree connectors of the context panel
  std::unordered_map<int, QRectF> proc_rects;        // P id -> card
  std::unordered_map<uint64_t, QRectF> object_rects; // mutex/channel id -> panel (a done channel: its tree row)
  std::unordered_map<int, double> steal_lane_below;  // P id -> y of the lane under its row of cards
  double height = 0;
  // chip_of() is the chip of goroutine g, or nullptr (hidden in an overflow or absent).
  const SceneChip* chip_of(uint64_t g) const;
};

// steal_route() is the path of a steal arrow from P `victim`'s card to P `thief`'s, through
// the steal lanes between the rows of cards (crossing no label or chip of a card); empty if
// either P has no card.
QPolygonF steal_route(const SchedulerLayout& layout, int victim, int thief);

// LayoutMetrics are the sizes the layout uses (from the widget's font).
struct LayoutMetrics {
  QFont font;              // chip and label font
  double chip_height = 22;
  double spacing = 6;
  double margin = 10;
  double min_card_width = 180;
};

// chip_width() is the width of goroutine g's chip (text "G12" or "G12 label" when running).
double chip_width(const LayoutMetrics& m, uint64_t g, const QString& label, bool running);

// compute_scheduler_layout() lays the snapshot out in `width` pixels (`facts` may be null).
SchedulerLayout compute_scheduler_layout(const gor::Snapshot& s, double width, const LayoutMetrics& m,
                                         const SceneFacts* facts = nullptr);

// object_display_name() is "mutex mu" / "chan jobs" / "WaitGroup wg" for an object id in `s`
// ("" if the snapshot does not know it).
QString object_display_name(const gor::Snapshot& s, uint64_t id);

}  // namespace goroscope::gui
