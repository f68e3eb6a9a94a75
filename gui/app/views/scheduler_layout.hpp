// scheduler_layout.hpp — where everything of the live scheduler scene goes, computed from a
// snapshot and a width. Pure geometry (no painting, no widgets), so it is unit-tested:
// every goroutine of the snapshot gets exactly one chip or is counted in a "+N" overflow
// chip, and no two chips overlap.
//
// The scene, top to bottom: the global run queue; one card per P (its M, running goroutine,
// runnext slot, local run queue); the blocked area: one panel per mutex with waiters (holder,
// FIFO waiters with their wait against the 1 ms starvation threshold, mode badge), one per
// channel with a buffer or queues (buffer ring slots, sendq, recvq), and a panel of other
// waits grouped by reason (sleep, select, WaitGroup, syscall, ...); then the Ms.
#pragma once

#include <QColor>
#include <QFont>
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
};

// SceneOverflow stands for `hidden` goroutines that did not fit ("+N").
struct SceneOverflow {
  QRectF rect;
  int hidden = 0;
};

// ScenePanel is a card or box with a title (P cards, queues, mutex and channel panels).
struct ScenePanel {
  enum class Kind { Global, Processor, Mutex, Channel, Waits, Machines } kind = Kind::Processor;
  QRectF rect;
  QString title;
  QString status;          // right-aligned header text ("M1 running")
  QColor status_color;
  QString badge;           // "STARVING", "closed" (empty: none)
  QColor badge_color;
  int proc = -1;
  uint64_t object = 0;
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
  std::unordered_map<int, QRectF> proc_rects;        // P id -> card
  std::unordered_map<uint64_t, QRectF> object_rects; // mutex/channel id -> panel
  double height = 0;
  // chip_of() is the chip of goroutine g, or nullptr (hidden in an overflow or absent).
  const SceneChip* chip_of(uint64_t g) const;
};

// LayoutMetrics are the sizes the layout uses (from the widget's font).
struct LayoutMetrics {
  QFont font;              // chip and label font
  double chip_height = 22;
  double spacing = 6;
  double margin = 10;
  double min_card_width = 230;
};

// chip_width() is the width of goroutine g's chip (text "G12" or "G12 label" when running).
double chip_width(const LayoutMetrics& m, uint64_t g, const QString& label, bool running);

// compute_scheduler_layout() lays the snapshot out in `width` pixels.
SchedulerLayout compute_scheduler_layout(const gor::Snapshot& s, double width, const LayoutMetrics& m);

// object_display_name() is "mutex mu" / "chan jobs" / "WaitGroup wg" for an object id in `s`
// ("" if the snapshot does not know it).
QString object_display_name(const gor::Snapshot& s, uint64_t id);

}  // namespace goroscope::gui
