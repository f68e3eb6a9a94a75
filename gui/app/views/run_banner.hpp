// run_banner.hpp — the strip above the scene that says how a run ended or why it paused.
#pragma once

#include <QFrame>

class QLabel;
class QPlainTextEdit;
class QToolButton;

namespace goroscope::gui {

// RunBanner shows one message with a severity colour and, for panics and deadlocks, Go's
// goroutine dump behind a "Show dump" toggle. Hidden while there is nothing to say.
class RunBanner : public QFrame {
  Q_OBJECT
 public:
  enum class Severity { Info, Warning, Error };
  explicit RunBanner(QWidget* parent = nullptr);

  // show_message() shows `title` (bold) and `detail`; `dump` ("" for none) is behind the toggle.
  void show_message(Severity severity, const QString& title, const QString& detail, const QString& dump = {});
  // clear_message() hides the banner.
  void clear_message();
  QString title() const;
  QString dump() const;

 private:
  QLabel* title_;
  QLabel* detail_;
  QToolButton* toggle_;
  QToolButton* close_;
  QPlainTextEdit* dump_;
};

}  // namespace goroscope::gui
