// scrub_bar.hpp — the bar under the scene that moves a recorded run's cursor to any moment.
//
// A slider over the run's engine time, with where the cursor is ("12.345 ms of 40.000 ms ·
// event 1,234 of 5,678") and, once the run has ended, a hint that dragging (or ←) rewinds.
// It only shows and asks: the main window moves the RunPlayer's cursor.
#pragma once

#include <QWidget>

#include <cstdint>

class QLabel;
class QSlider;
class QToolButton;

namespace goroscope::gui {

// ScrubBar shows one cursor over [0, end_ns]. UI thread only.
class ScrubBar : public QWidget {
  Q_OBJECT
 public:
  explicit ScrubBar(QWidget* parent = nullptr);

  // set_position() shows the cursor at engine time `cursor_ns` after `cursor` of `events`
  // events, in a run that spans [0, end_ns]; `ended` says whether the run is complete.
  void set_position(int64_t cursor_ns, int64_t end_ns, size_t cursor, size_t events, bool ended);
  // set_hint() shows a short line beside the position ("" hides it).
  void set_hint(const QString& text);
  QString text() const;
  // set_run_from_here_enabled() enables the "Run from here" button.
  void set_run_from_here_enabled(bool on);

  // kSteps is the slider's resolution.
  static constexpr int kSteps = 10000;
  // kShortTextBelowPx: narrower than this, the position is written short ("5 ms / 50 ms · 144/713").
  static constexpr int kShortTextBelowPx = 640;

 signals:
  // seekRequested() asks for the cursor at engine time t (the user dragged or clicked).
  void seekRequested(int64_t t);
  // runFromHereRequested() asks to continue the run live from the cursor's moment.
  void runFromHereRequested();

 private:
  QSlider* slider_;
  QLabel* position_;
  QLabel* hint_;
  QToolButton* run_from_here_;
  int64_t end_ns_ = 0;
};

}  // namespace goroscope::gui
