// run_banner.hpp — the strip above the scene that says how a run ended or why it paused.
#pragma once

#include <QFrame>

class QLabel;
class QPlainTextEdit;
class QToolButton;

namespace goroscope::gui {

// RunBanner shows one message with a severity colour and, for panics and deadlocks, Go's
// goroutine dump behind a "Show dump" toggle. Hidden while there is nothing to say.
// show_race() shows a data race like Go's -race: "WARNING: DATA RACE", a one-line summary, the
// report behind "Show report", and "Show both goroutines" (also a click on the banner), which
// emits raceActivated(); with several races, "Next race" emits nextRace().
class RunBanner : public QFrame {
  Q_OBJECT
 public:
  enum class Severity { Info, Warning, Error };
  explicit RunBanner(QWidget* parent = nullptr);

  // show_message() shows `title` (bold) and `detail`; `dump` ("" for none) is behind the toggle.
  void show_message(Severity severity, const QString& title, const QString& detail, const QString& dump = {});
  // clear_message() hides the banner (the close button too) and ends stickiness.
  void clear_message();
  // set_sticky(true) keeps the message shown now (a partial deadlock) until the user closes
  // it or clear_message(): a later show_message() (the run's "Finished", a race) adds its title
  // and detail as a line under it instead of replacing it.
  void set_sticky(bool sticky) { sticky_ = sticky && !isHidden(); }
  bool sticky() const { return sticky_; }
  // show_race() shows race `index` (0-based) of `count` found (`so_far`: the run goes on).
  void show_race(const QString& summary, const QString& report, int index, int count, bool so_far = false);
  bool showing_race() const { return race_; }
  Severity severity() const { return severity_; }
  QString title() const;
  QString detail() const;
  QString dump() const;
  QToolButton* race_button() const { return race_button_; }
  QToolButton* toggle_button() const { return toggle_; }

 signals:
  void raceActivated();
  void nextRace();

 protected:
  void mousePressEvent(QMouseEvent* e) override;

 private:
  QLabel* title_;
  QLabel* detail_;
  QToolButton* toggle_;
  QToolButton* close_;
  QToolButton* race_button_;
  QToolButton* next_race_;
  QPlainTextEdit* dump_;
  Severity severity_ = Severity::Info;
  bool race_ = false;
  bool sticky_ = false;
};

}  // namespace goroscope::gui
