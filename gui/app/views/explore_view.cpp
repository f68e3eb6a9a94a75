// explore_view.cpp — ExploreView (explore_view.hpp).
#include "views/explore_view.hpp"

#include <QComboBox>
#include <QDir>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <chrono>
#include <map>

#include "gortrace_format.hpp"
#include <goroscope/runner.hpp>

namespace goroscope::gui {

namespace {

// write_run() records `rec` (re-executed from its schedule) as a .gortrace at `path`.
std::string write_run(const explore::ExplorePlan& plan, const explore::RunRecord& rec, const std::string& path) {
  try {
    gor::Config cfg = explore::replay_config(plan, rec);
    trace::TraceHeader h;
    h.procs = cfg.procs;
    h.seed = rec.seed;
    h.deterministic = true;
    h.op_cost_ns = cfg.op_cost.count();
    h.race = cfg.race;
    h.sample = plan.sample->info.id;
    h.params = plan.params.describe();
    trace::GortraceWriter writer(path, h);
    cfg.trace = true;
    cfg.observer = &writer;
    SampleRun run = run_sample(*plan.sample, plan.params, cfg);
    writer.finish(run.result);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace

ExploreView::ExploreView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  title_ = new QLabel(tr("Explore schedules of the open sample"), this);
  title_->setWordWrap(true);
  layout->addWidget(title_);

  auto* controls = new QHBoxLayout;
  strategy_ = new QComboBox(this);
  strategy_->addItem(tr("PCT (random priorities)"), QStringLiteral("pct"));
  strategy_->addItem(tr("Random walk"), QStringLiteral("random"));
  strategy_->addItem(tr("Bounded preemptions"), QStringLiteral("bounded"));
  strategy_->setToolTip(tr("How each run's choices are made: PCT with D-1 priority change points, a random walk, "
                           "or every schedule with at most D forced preemptions (CHESS)"));
  runs_ = new QSpinBox(this);
  runs_->setRange(1, 1000000);
  runs_->setValue(1000);
  runs_->setPrefix(tr("runs "));
  depth_ = new QSpinBox(this);
  depth_->setRange(0, 64);
  depth_->setValue(3);
  depth_->setPrefix(tr("depth "));
  explore_ = new QPushButton(tr("Explore"), this);
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setEnabled(false);
  controls->addWidget(strategy_);
  controls->addWidget(runs_);
  controls->addWidget(depth_);
  controls->addWidget(explore_);
  controls->addWidget(cancel_);
  controls->addStretch(1);
  layout->addLayout(controls);
  connect(strategy_, &QComboBox::currentIndexChanged, this, [this] {
    const QString s = strategy_->currentData().toString();
    depth_->setMinimum(s == QLatin1String("pct") ? 1 : 0);
    depth_->setValue(s == QLatin1String("bounded") ? 2 : 3);
  });

  auto* bar = new QHBoxLayout;
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1);
  progress_->setValue(0);
  status_ = new QLabel(this);
  bar->addWidget(progress_, 1);
  bar->addWidget(status_, 2);
  layout->addLayout(bar);

  auto* split = new QSplitter(Qt::Horizontal, this);
  table_ = new QTableWidget(0, 4, split);
  table_->setHorizontalHeaderLabels({tr("Outcome"), tr("Share"), tr("Runs"), tr("Message")});
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->setVisible(false);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  auto* right = new QWidget(split);
  auto* right_layout = new QVBoxLayout(right);
  right_layout->setContentsMargins(0, 0, 0, 0);
  interleaving_ = new QPlainTextEdit(right);
  interleaving_->setReadOnly(true);
  interleaving_->setLineWrapMode(QPlainTextEdit::NoWrap);
  interleaving_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  interleaving_->setPlaceholderText(tr("Pick a failing outcome to see its shrunk interleaving"));
  replay_ = new QPushButton(tr("Replay this run in the views"), right);
  replay_->setEnabled(false);
  right_layout->addWidget(interleaving_, 1);
  right_layout->addWidget(replay_);
  split->addWidget(table_);
  split->addWidget(right);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 3);
  layout->addWidget(split, 1);

  poll_timer_ = new QTimer(this);
  poll_timer_->setInterval(50);
  connect(poll_timer_, &QTimer::timeout, this, &ExploreView::poll);
  connect(explore_, &QPushButton::clicked, this, [this] { start(); });
  connect(cancel_, &QPushButton::clicked, this, &ExploreView::cancel);
  connect(table_, &QTableWidget::currentCellChanged, this, [this](int row) { select_outcome(row); });
  connect(replay_, &QPushButton::clicked, this, [this] {
    const int row = table_->currentRow();
    if (result_ && row >= 0 && row < static_cast<int>(result_->files.size()) && !result_->files[row].empty())
      emit replayRequested(QString::fromStdString(result_->files[row]));
  });
}

ExploreView::~ExploreView() {
  cancel_flag_ = true;
  join();
}

void ExploreView::join() {
  if (worker_.joinable()) worker_.join();
}

void ExploreView::set_sample(const QString& id, std::vector<std::pair<std::string, std::string>> params) {
  sample_id_ = id;
  params_ = std::move(params);
  title_->setText(tr("Explore the schedules of <b>%1</b>: each run is deterministic, with a possible forced "
                     "preemption at every engine call and shared-variable access")
                      .arg(id.toHtmlEscaped()));
}

bool ExploreView::start() {
  if (running() || sample_id_.isEmpty()) return false;
  join();
  explore::ExploreOptions o;
  o.sample = sample_id_.toStdString();
  o.params = params_;
  o.runs = runs_->value();
  o.strategy = *explore::parse_strategy(strategy_->currentData().toString().toStdString());
  o.depth = depth_->value();
  o.seed = 1;
  cancel_flag_ = false;
  done_ = 0;
  finished_ = false;
  total_ = static_cast<uint64_t>(o.runs);
  progress_->setRange(0, o.runs);
  progress_->setValue(0);
  status_->setText(tr("exploring..."));
  explore_->setEnabled(false);
  cancel_->setEnabled(true);
  const QString dir = QDir(QStandardPaths::writableLocation(QStandardPaths::TempLocation))
                          .filePath(QStringLiteral("goroscope-explore-app"));
  QDir().mkpath(dir);
  worker_ = std::thread([this, o, dir = dir.toStdString()] {
    auto r = std::make_unique<ExploreResult>();
    const auto t0 = std::chrono::steady_clock::now();
    try {
      r->plan = std::make_shared<explore::ExplorePlan>(explore::make_plan(o));
      total_ = r->plan->runs;
      r->summary = explore::explore_runs(
          *r->plan, 0, 1, r->plan->runs, [this](uint64_t d) { done_.store(d, std::memory_order_relaxed); },
          &cancel_flag_);
      r->cancelled = cancel_flag_.load();
      std::map<explore::OutcomeKind, int> nth;
      for (explore::OutcomeStats& s : r->summary.outcomes) {
        if (s.outcome.kind != explore::OutcomeKind::Ok && !cancel_flag_) explore::shrink(*r->plan, s, 300);
        const explore::RunRecord& shown = s.shrunk ? *s.shrunk : s.first;
        const int n = ++nth[s.outcome.kind];
        const std::string path = dir + "/" + r->plan->sample->info.id + "-" + explore::outcome_name(s.outcome.kind) +
                                 (n > 1 ? "-" + std::to_string(n) : "") + ".gortrace";
        r->files.push_back(write_run(*r->plan, shown, path).empty() ? path : std::string());
        r->tables.push_back(s.outcome.kind == explore::OutcomeKind::Ok
                                ? std::string()
                                : explore::interleaving(*r->plan, shown).render(24));
      }
    } catch (const std::exception& e) {
      r->error = e.what();
    }
    r->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    pending_ = std::move(r);
    finished_ = true;
  });
  poll_timer_->start();
  return true;
}

void ExploreView::cancel() {
  cancel_flag_ = true;
  cancel_->setEnabled(false);
}

void ExploreView::poll() {
  const uint64_t d = done_.load(std::memory_order_relaxed);
  progress_->setMaximum(static_cast<int>(std::max<uint64_t>(total_, 1)));
  progress_->setValue(static_cast<int>(d));
  if (d < total_) status_->setText(tr("%1 of %2 runs").arg(d).arg(total_));
  else status_->setText(tr("shrinking the failures..."));
  if (!finished_) return;
  poll_timer_->stop();
  join();
  result_ = std::move(pending_);
  show_result();
  emit finished();
}

void ExploreView::show_result() {
  explore_->setEnabled(true);
  cancel_->setEnabled(false);
  table_->setRowCount(0);
  interleaving_->clear();
  replay_->setEnabled(false);
  if (!result_) return;
  if (!result_->error.empty()) {
    status_->setText(tr("cannot explore: %1").arg(QString::fromStdString(result_->error)));
    return;
  }
  const explore::ExploreSummary& s = result_->summary;
  progress_->setValue(static_cast<int>(s.runs));
  status_->setText(tr("%1 runs in %2 s%3: %4")
                       .arg(s.runs)
                       .arg(result_->seconds, 0, 'f', 1)
                       .arg(result_->cancelled ? tr(" (cancelled)") : QString())
                       .arg(s.failures() ? tr("failures found") : tr("every run ok")));
  table_->setRowCount(static_cast<int>(s.outcomes.size()));
  for (int i = 0; i < static_cast<int>(s.outcomes.size()); ++i) {
    const explore::OutcomeStats& o = s.outcomes[static_cast<size_t>(i)];
    table_->setItem(i, 0, new QTableWidgetItem(QString::fromUtf8(explore::outcome_name(o.outcome.kind))));
    auto* share = new QProgressBar(table_);
    share->setRange(0, 1000);
    share->setValue(s.runs == 0 ? 0 : static_cast<int>(1000 * o.count / s.runs));
    share->setFormat(QStringLiteral("%1%").arg(100.0 * static_cast<double>(o.count) / static_cast<double>(s.runs), 0, 'f', 1));
    table_->setCellWidget(i, 1, share);
    table_->setItem(i, 2, new QTableWidgetItem(QString::number(o.count)));
    table_->setItem(i, 3, new QTableWidgetItem(QString::fromStdString(o.outcome.message)));
  }
  table_->resizeColumnsToContents();
  table_->horizontalHeader()->setStretchLastSection(true);
  for (int i = 0; i < static_cast<int>(s.outcomes.size()); ++i) {
    if (s.outcomes[static_cast<size_t>(i)].outcome.kind != explore::OutcomeKind::Ok) {
      table_->selectRow(i);
      select_outcome(i);
      break;
    }
  }
}

void ExploreView::select_outcome(int i) {
  if (!result_ || i < 0 || i >= static_cast<int>(result_->summary.outcomes.size())) return;
  const explore::OutcomeStats& o = result_->summary.outcomes[static_cast<size_t>(i)];
  const explore::RunRecord& shown = o.shrunk ? *o.shrunk : o.first;
  QString head = QStringLiteral("%1: %2\n").arg(QString::fromUtf8(explore::outcome_name(o.outcome.kind)),
                                                QString::fromStdString(o.outcome.message));
  if (!shown.outcome.detail.empty()) head += QString::fromStdString(shown.outcome.detail) + "\n";
  head += tr("first in run %1 (%2 forced preemptions); shrunk to %3 forced preemptions and %4 thread switches\n\n")
              .arg(o.first_run)
              .arg(o.first.preemptions)
              .arg(shown.preemptions)
              .arg(shown.switches);
  interleaving_->setPlainText(head + QString::fromStdString(result_->tables[static_cast<size_t>(i)]));
  replay_->setEnabled(!result_->files[static_cast<size_t>(i)].empty());
}

}  // namespace goroscope::gui
