// explore_view.hpp — the Explore panel: search the open sample's schedules for failures, see
// the outcomes as a table with bars, read each failure's shrunk interleaving, and replay it.
#pragma once

#include <QString>
#include <QWidget>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <goroscope/explore.hpp>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTimer;

namespace goroscope::gui {

// ExploreResult is one finished exploration, handed from the worker thread to the panel.
struct ExploreResult {
  std::shared_ptr<explore::ExplorePlan> plan;
  explore::ExploreSummary summary;
  std::vector<std::string> files;   // per outcome: its (shrunk) run as .gortrace ("" if unwritten)
  std::vector<std::string> tables;  // per outcome: its interleaving table ("" for ok)
  std::string error;                // a bad request (unknown parameter value, ...)
  double seconds = 0;
  bool cancelled = false;
};

// ExploreView explores the sample given to set_sample() with the strategy, runs and depth
// chosen in its controls, on a worker thread: a progress bar while it runs, Cancel stops it
// after the current run. Then one row per outcome (its class, a bar of its share of the runs,
// the count, the message); selecting a row shows its shrunk interleaving (a column per
// goroutine, forced preemptions marked) and "Replay" emits replayRequested() with the file
// holding that run, which the main window opens in its views (the forced switches are the
// preemption markers on the timeline).
class ExploreView : public QWidget {
  Q_OBJECT
 public:
  explicit ExploreView(QWidget* parent = nullptr);
  ~ExploreView() override;

  // set_sample() chooses what Explore runs: a sample id and its parameters (key, text).
  void set_sample(const QString& id, std::vector<std::pair<std::string, std::string>> params);
  // start() begins exploring (as the Explore button does); false if one is already going.
  bool start();
  // cancel() stops the exploration going on after its current run (keeping what it found).
  void cancel();
  // running() says whether an exploration is going on.
  bool running() const { return worker_.joinable() && !finished_; }
  // result() is the last finished exploration (nullptr before the first).
  const ExploreResult* result() const { return result_.get(); }
  // select_outcome() selects row i of the outcome table (and shows its interleaving).
  void select_outcome(int i);
  QTableWidget& table() { return *table_; }
  QPlainTextEdit& interleaving_text() { return *interleaving_; }
  QComboBox& strategy_box() { return *strategy_; }
  QSpinBox& runs_box() { return *runs_; }
  QSpinBox& depth_box() { return *depth_; }

 signals:
  // replayRequested() asks for the saved run at `path` to be shown in the live views.
  void replayRequested(const QString& path);
  // finished() follows every exploration, cancelled or not, once the table is filled.
  void finished();

 private:
  void poll();
  void show_result();
  void join();

  QString sample_id_;
  std::vector<std::pair<std::string, std::string>> params_;
  QLabel* title_ = nullptr;
  QComboBox* strategy_ = nullptr;
  QSpinBox* runs_ = nullptr;
  QSpinBox* depth_ = nullptr;
  QPushButton* explore_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QPushButton* replay_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* status_ = nullptr;
  QTableWidget* table_ = nullptr;
  QPlainTextEdit* interleaving_ = nullptr;
  QTimer* poll_timer_ = nullptr;

  std::thread worker_;
  std::atomic<bool> cancel_flag_{false};
  std::atomic<uint64_t> done_{0};
  std::atomic<bool> finished_{true};
  uint64_t total_ = 0;
  std::unique_ptr<ExploreResult> pending_;  // written by the worker before finished_
  std::unique_ptr<ExploreResult> result_;
};

}  // namespace goroscope::gui
