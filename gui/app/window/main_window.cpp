#include "window/main_window.hpp"

#include "model/event_prefix.hpp"
#include "model/goroutine_table_model.hpp"

#include <QAction>
#include <QActionGroup>
#include <QFontDatabase>
#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QMimeData>
#include <QDockWidget>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QVBoxLayout>

#include <goroscope/registry.hpp>

#include "model/event_text.hpp"
#include "model/race_edges.hpp"
#include "model/replay_state.hpp"
#include "run/sample_timing.hpp"
#include "model/trace_loader.hpp"
#include "run/run_output.hpp"
#include "views/explore_view.hpp"
#include "views/glossary_dialog.hpp"
#include "views/goroutine_table.hpp"
#include "views/inspector_view.hpp"
#include "views/run_banner.hpp"
#include "views/sample_details.hpp"
#include "views/sample_gallery.hpp"
#include "views/scheduler_view.hpp"
#include "views/scrub_bar.hpp"
#include "views/charts_view.hpp"
#include "views/source_view.hpp"
#include "views/timeline_canvas.hpp"
#include "views/timeline_view.hpp"
#include "window/run_toolbar.hpp"
#include "window/theme.hpp"

namespace goroscope::gui {

MainWindow::MainWindow(bool persist_settings, QWidget* parent) : QMainWindow(parent), persist_(persist_settings) {
  setWindowTitle(tr("Goroscope"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/goroscope.svg")));
  setDockNestingEnabled(true);

  toolbar_ = new RunToolbar(this);
  addToolBar(Qt::TopToolBarArea, toolbar_);
  addToolBarBreak(Qt::TopToolBarArea);
  addToolBar(Qt::TopToolBarArea, toolbar_->settings_bar());

  // Left: gallery above the explanation and parameters.
  gallery_ = new SampleGallery(this);
  auto* gallery_dock = new QDockWidget(tr("Samples"), this);
  gallery_dock->setObjectName(QStringLiteral("SamplesDock"));
  gallery_dock->setWidget(gallery_);
  addDockWidget(Qt::LeftDockWidgetArea, gallery_dock);
  details_ = new SampleDetails(this);
  auto* details_dock = new QDockWidget(tr("About this sample"), this);
  details_dock->setObjectName(QStringLiteral("AboutDock"));
  details_dock->setWidget(details_);
  addDockWidget(Qt::LeftDockWidgetArea, details_dock);
  splitDockWidget(gallery_dock, details_dock, Qt::Vertical);

  // Centre: banner + scrollable scene.
  auto* centre = new QWidget(this);
  auto* centre_layout = new QVBoxLayout(centre);
  centre_layout->setContentsMargins(4, 4, 4, 0);
  centre_layout->setSpacing(4);
  banner_ = new RunBanner(centre);
  centre_layout->addWidget(banner_);
  scheduler_ = new SchedulerView(selection_, centre);
  scene_scroll_ = new QScrollArea(centre);
  scene_scroll_->setWidget(scheduler_);
  scene_scroll_->setWidgetResizable(true);
  scene_scroll_->setFrameShape(QFrame::NoFrame);
  centre_layout->addWidget(scene_scroll_, 1);
  setCentralWidget(centre);

  // Right: inspector.
  inspector_ = new InspectorView(selection_, this);
  auto* inspector_dock = new QDockWidget(tr("Inspector"), this);
  inspector_dock->setObjectName(QStringLiteral("InspectorDock"));
  inspector_dock->setWidget(inspector_);
  addDockWidget(Qt::RightDockWidgetArea, inspector_dock);

  // Bottom: tabs.
  bottom_tabs_ = new QTabWidget(this);
  table_ = new GoroutineTable(selection_, bottom_tabs_);
  bottom_tabs_->addTab(table_, tr("Goroutines"));
  timeline_ = new TimelineView(selection_, bottom_tabs_);
  bottom_tabs_->addTab(timeline_, tr("Timeline"));
  bottom_tabs_->setTabToolTip(bottom_tabs_->indexOf(timeline_), tr("Run slices per P, steals, handoffs, preemptions; who woke whom"));
  charts_ = new ChartsView(timeline_->model(), bottom_tabs_);
  bottom_tabs_->addTab(charts_, tr("Charts"));
  bottom_tabs_->setTabToolTip(bottom_tabs_->indexOf(charts_), tr("Goroutines, steals, channel buffers and mutex waits over the timeline's visible range"));
  connect(&timeline_->canvas(), &TimelineCanvas::viewChanged, charts_, &ChartsView::set_range);
  // The goroutine table takes each live snapshot a few ms after the frame that brought it, so
  // that frame (the scene's new layout) and the table's update (10,000 rows) do not add up;
  // out of sight it waits until its tab is shown.
  table_timer_ = new QTimer(this);
  table_timer_->setSingleShot(true);
  table_timer_->setInterval(6);
  connect(table_timer_, &QTimer::timeout, this, [this] {
    if (!table_->isVisible()) {
      table_stale_ = true;
      return;
    }
    // A table of thousands of rows, nearly all changing, is read, not watched: it follows a
    // live run 4 times a second (each update of 10,000 rows is milliseconds of the frame it
    // lands in); the run's last picture is shown at once.
    constexpr int kManyRows = 2000;
    constexpr qint64 kManyRowsIntervalMs = 250;
    if ((controller_.running() || (player_->active() && player_->playing())) && table_->model().rowCount() > kManyRows && table_updated_.isValid() &&
        table_updated_.elapsed() < kManyRowsIntervalMs) {
      table_timer_->start(static_cast<int>(kManyRowsIntervalMs - table_updated_.elapsed()));
      return;
    }
    table_timer_->setInterval(6);
    table_updated_.start();
    // Thousands of goroutines coming or going at once (a run's start and end) are added and
    // removed over several frames.
    constexpr size_t kRowChangesPerFrame = 2000;
    const auto& shown = player_->active() && player_->state() ? player_->state() : controller_.snapshot();
    if (const auto& snap = shown; snap && !table_->set_snapshot(*snap, controller_.store(), kRowChangesPerFrame))
      table_timer_->start();
  });
  connect(bottom_tabs_, &QTabWidget::currentChanged, this, [this] {
    if (table_stale_ && table_->isVisible()) {
      table_stale_ = false;
      table_timer_->start();
    }
  });
  output_ = new QPlainTextEdit(bottom_tabs_);
  output_->setObjectName(QStringLiteral("output"));
  output_->setReadOnly(true);
  output_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  output_->setPlaceholderText(tr("What the sample prints appears here when its run ends."));
  bottom_tabs_->addTab(output_, tr("Output"));
  explore_ = new ExploreView(bottom_tabs_);
  bottom_tabs_->addTab(explore_, tr("Explore"));
  connect(explore_, &ExploreView::replayRequested, this, [this](const QString& path) {
    if (open_trace(path)) show_bottom_tab(QStringLiteral("timeline"));
  });
  connect(details_, &SampleDetails::parametersChanged, this,
          [this] { explore_->set_sample(current_sample_, details_->parameter_values()); });
  auto* bottom_dock = new QDockWidget(tr("Run details"), this);
  bottom_dock->setObjectName(QStringLiteral("BottomDock"));
  bottom_dock->setWidget(bottom_tabs_);
  addDockWidget(Qt::BottomDockWidgetArea, bottom_dock);
  resizeDocks({gallery_dock, inspector_dock}, {280, 300}, Qt::Horizontal);
  resizeDocks({bottom_dock}, {250}, Qt::Vertical);

  // Right, under the Inspector: the sample's source, with chips where goroutines are blocked;
  // sites clicked in the Inspector, a dump, a race report or the Output tab open there.
  source_ = new SourceView(selection_, this);
  auto* source_dock = new QDockWidget(tr("Source"), this);
  source_dock->setObjectName(QStringLiteral("SourceDock"));
  source_dock->setWidget(source_);
  addDockWidget(Qt::RightDockWidgetArea, source_dock);
  splitDockWidget(inspector_dock, source_dock, Qt::Vertical);
  connect(inspector_, &InspectorView::snapshotChanged, source_, &SourceView::set_snapshot);
  auto open_site = [this, source_dock](const QString& site) {
    if (!source_->show_site(site)) return;
    source_dock->show();
    source_dock->raise();
  };
  connect(inspector_, &InspectorView::siteActivated, this, open_site);
  for (QPlainTextEdit* text : banner_->findChildren<QPlainTextEdit*>())
    connect(SiteLinker::attach(text), &SiteLinker::siteActivated, this, open_site);
  connect(SiteLinker::attach(output_), &SiteLinker::siteActivated, this, open_site);
  // Default shares, once the window has its size (a saved layout wins): the Run details about
  // 40% of the height (the timeline's lanes need it more than the scene its empty rows), the
  // Source pane below the Inspector, or in a tab beside it in a narrow window.
  QTimer::singleShot(0, this, [this, bottom_dock, inspector_dock, source_dock] {
    if (persist_ && QSettings().contains(QStringLiteral("window/state"))) return;
    resizeDocks({bottom_dock}, {height() * 2 / 5}, Qt::Vertical);
    if (width() < 1300) {
      tabifyDockWidget(inspector_dock, source_dock);
      inspector_dock->raise();
    } else {
      resizeDocks({inspector_dock}, {380}, Qt::Horizontal);
      resizeDocks({inspector_dock, source_dock}, {2, 3}, Qt::Vertical);  // the code needs the room more
    }
  });

  // Status bar.
  auto status_label = [this](const QString& tip) {
    auto* l = new QLabel(this);
    l->setToolTip(tip);
    l->setContentsMargins(8, 0, 8, 0);
    statusBar()->addPermanentWidget(l);
    return l;
  };
  status_state_ = status_label(tr("Run state"));
  status_time_ = status_label(tr("Engine time (slowed down by the speed setting; frozen while paused)"));
  status_rate_ = status_label(tr("Scheduler events recorded per wall-clock second"));
  status_goroutines_ = status_label(tr("Goroutines alive"));
  status_procs_ = status_label(tr("GOMAXPROCS"));
  status_speed_ = status_label(tr("Mode (deterministic: the same seed gives the same run), seed and pace"));

  loader_ = new TraceLoader(this);
  connect(loader_, &TraceLoader::loaded, this, &MainWindow::show_trace);
  connect(loader_, &TraceLoader::failed, this, [this](const QString& path, const QString& message) {
    banner_->show_message(RunBanner::Severity::Error, tr("Cannot open %1").arg(QFileInfo(path).fileName()), message);
    emit traceOpened(false);
  });
  setAcceptDrops(true);
  saver_ = new TraceSaver(this);
  connect(saver_, &TraceSaver::saved, this, [this](const QString&, const QString& summary) {
    statusBar()->showMessage(summary, 8000);
    emit traceSaved(true, summary);
  });
  connect(saver_, &TraceSaver::failed, this, [this](const QString& path, const QString& message) {
    banner_->show_message(RunBanner::Severity::Error, tr("Cannot save %1").arg(QFileInfo(path).fileName()), message);
    emit traceSaved(false, message);
  });

  setup_playback(centre);  // the scrub bar under the scene; the player drives the views above
  build_menus();

  connect(gallery_, &SampleGallery::sampleChosen, this, [this](const QString& id) { open_sample(id); });
  connect(gallery_, &SampleGallery::sampleActivated, this, [this](const QString& id) {
    if (open_sample(id) && !controller_.running()) run_current();
  });
  connect(toolbar_, &RunToolbar::runRequested, this, [this] { run_current(); });
  connect(toolbar_, &RunToolbar::pauseToggled, this, [this] {
    if (player_->active()) {  // a recorded run: Space plays or pauses the cursor
      if (!player_->playing()) banner_->clear_message();
      player_->toggle();
      return;
    }
    if (!controller_.running()) return;
    if (controller_.paused()) {
      banner_->clear_message();
      controller_.resume();
    } else {
      controller_.pause();
    }
  });
  connect(toolbar_, &RunToolbar::stepRequested, this, [this] {
    if (player_->active()) player_->step_forward(toolbar_->step_unit());
    else controller_.step(1);
  });
  connect(toolbar_, &RunToolbar::stopRequested, this, [this] { controller_.stop(); });
  connect(toolbar_, &RunToolbar::restartRequested, this, [this] {
    if (controller_.running()) {
      restart_pending_ = true;
      controller_.stop();
    } else {
      if (controller_.seed() != 0 && controller_.store().size() > 0) toolbar_->set_seed(controller_.seed());  // the same run again
      run_current();
    }
  });
  connect(toolbar_, &RunToolbar::procsChanged, this, [this](int n) {
    if (controller_.running()) controller_.set_procs(n);
    update_status();
  });
  connect(toolbar_, &RunToolbar::breakpointsChanged, this, &MainWindow::update_breakpoints);
  connect(&selection_, &GoroutineSelection::changed, this, [this] {
    update_breakpoints();
    if (player_->active() && player_->state()) {
      inspector_->set_data(player_->state(), controller_.store());
      return;
    }
    const bool live = replay_path_.isEmpty() && controller_.snapshot();
    inspector_->set_data(live ? &*controller_.snapshot() : nullptr, controller_.store());
  });

  connect(banner_, &RunBanner::raceActivated, this, [this] { show_race(race_shown_); });
  connect(&timeline_->canvas(), &TimelineCanvas::raceClicked, this, [this](int64_t ts, uint64_t g) {
    for (size_t i = 0; i < races_.size(); ++i)
      if (races_[i].ts == ts && races_[i].g == g) {
        if (i != race_shown_) {
          race_shown_ = i;
          show_race_banner();
        }
        show_race(i);
        return;
      }
  });
  connect(banner_, &RunBanner::nextRace, this, [this] {
    if (races_.empty()) return;
    race_shown_ = (race_shown_ + 1) % races_.size();
    show_race_banner();
    show_race(race_shown_);
  });

  catch_up_timer_ = new QTimer(this);
  catch_up_timer_->setInterval(16);  // a 6 ms slice per frame: room for paints and input
  connect(catch_up_timer_, &QTimer::timeout, this, [this] {
    if (controller_.running() || catch_up_views(std::chrono::milliseconds(6))) catch_up_timer_->stop();
  });
  connect(&controller_, &RunController::frame, this, &MainWindow::on_frame);
  connect(&controller_, &RunController::finished, this, &MainWindow::on_finished);
  connect(&controller_, &RunController::pausedChanged, this, [this](bool) {
    update_run_controls();
    if (controller_.running() && banner_->showing_race()) show_race_banner();  // "Paused here" / "goes on"
    update_status();
  });
  connect(&controller_, &RunController::breakpointHit, this, [this](const QString& reason) {
    // A data-race breakpoint shows the race itself ("Paused here"). Its event is already in
    // the store (a breakpoint is reported after its frame's events are appended), and the race
    // may have reached the banner a frame before the pause did: show it again, paused.
    if (reason.contains(QLatin1String("data race"))) {
      check_races();
      if (!races_.empty()) {
        show_race_banner(QString());
        return;
      }
    }
    const bool ending = reason.contains(QLatin1String("the program would end"));
    if (const uint64_t g = controller_.held_goroutine(); ending && g) selection_.select(g);  // as after a panic
    banner_->show_message(RunBanner::Severity::Warning, tr("Paused"),
                          reason + (ending ? tr(" — every goroutine is where it was; press Space to let the run end as Go would.")
                                           : tr(" — press Space to resume, → to step.")));
  });
  connect(&controller_, &RunController::controlFailed, this, [this](const QString& message) {
    banner_->show_message(RunBanner::Severity::Warning, tr("Control"), message);
  });

  if (persist_) restore_settings();
  if (current_sample_.isEmpty()) open_sample(QString::fromStdString(default_sample().info.id));
  update_status();
}

MainWindow::~MainWindow() = default;

void MainWindow::build_menus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open trace…"));
  open->setShortcut(QKeySequence::Open);
  open->setToolTip(tr("Replay a saved .gortrace (goroscope-cli run SAMPLE --trace FILE.gortrace records one)"));
  connect(open, &QAction::triggered, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open trace"), QString(), tr("Goroscope traces (*.gortrace);;All files (*)"));
    if (!path.isEmpty()) open_trace(path);
  });
  recent_menu_ = file->addMenu(tr("Open &recent"));
  rebuild_recent_menu();
  file->addSeparator();
  QAction* save = file->addAction(tr("Save &trace…"));
  save->setShortcut(QKeySequence::Save);
  save->setToolTip(tr("Save the run (or the replayed trace) as a .gortrace file to open again later"));
  connect(save, &QAction::triggered, this, [this] { save_dialog(SaveFormat::Gortrace); });
  QAction* chrome = file->addAction(tr("Export &Chrome JSON (Perfetto)…"));
  chrome->setToolTip(tr("Write the run as Chrome Trace Event JSON for ui.perfetto.dev or chrome://tracing"));
  connect(chrome, &QAction::triggered, this, [this] { save_dialog(SaveFormat::ChromeJson); });
  file->addSeparator();
  QAction* shot = file->addAction(tr("Save &screenshot…"));
  shot->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
  shot->setToolTip(tr("Save a PNG of the whole window"));
  connect(shot, &QAction::triggered, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save screenshot"), QStringLiteral("goroscope.png"),
                                                      tr("PNG images (*.png)"));
    if (!path.isEmpty() && !save_screenshot(path))
      banner_->show_message(RunBanner::Severity::Error, tr("Screenshot"), tr("Could not write %1").arg(path));
  });
  QAction* export_timeline = file->addAction(tr("&Export timeline (PNG, SVG)…"));
  export_timeline->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
  export_timeline->setToolTip(tr("Save the timeline's visible range or the whole run as a PNG or SVG picture"));
  connect(export_timeline, &QAction::triggered, timeline_, &TimelineView::export_dialog);
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"));
  quit->setShortcut(QKeySequence::Quit);
  connect(quit, &QAction::triggered, this, &QWidget::close);

  QMenu* run = menuBar()->addMenu(tr("&Run"));
  for (QAction* a : {toolbar_->run_action(), toolbar_->pause_action(), toolbar_->step_action(),
                     toolbar_->stop_action(), toolbar_->restart_action()})
    run->addAction(a);
  run->addSeparator();
  run->addAction(toolbar_->race_action());

  QMenu* view = menuBar()->addMenu(tr("&View"));
  QMenu* theme = view->addMenu(tr("&Theme"));
  auto* group = new QActionGroup(this);
  for (auto [text, value] : {std::pair{tr("System"), Theme::System}, std::pair{tr("Light"), Theme::Light},
                             std::pair{tr("Dark"), Theme::Dark}}) {
    QAction* a = theme->addAction(text);
    a->setCheckable(true);
    a->setChecked(value == theme_);
    group->addAction(a);
    connect(a, &QAction::triggered, this, [this, value = value] { set_theme(value); });
  }
  view->addSeparator();
  for (QDockWidget* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&Glossary: the scheduler's words"), this, [this] { show_glossary(this); });
}

void MainWindow::set_theme(Theme theme) {
  theme_ = theme;
  switch (theme) {
    case Theme::System: QApplication::setPalette(QApplication::style()->standardPalette()); break;
    case Theme::Light: QApplication::setPalette(light_palette()); break;
    case Theme::Dark: QApplication::setPalette(dark_palette()); break;
  }
}

void MainWindow::show_bottom_tab(const QString& name) {
  if (name == QLatin1String("goroutines")) bottom_tabs_->setCurrentWidget(table_);
  if (name == QLatin1String("timeline")) bottom_tabs_->setCurrentWidget(timeline_);
  if (name == QLatin1String("charts")) bottom_tabs_->setCurrentWidget(charts_);
  if (name == QLatin1String("output")) bottom_tabs_->setCurrentWidget(output_);
  if (name == QLatin1String("explore")) bottom_tabs_->setCurrentWidget(explore_);
}

bool MainWindow::open_sample(const QString& id) {
  const Sample* sample = find_sample(id.toStdString());
  if (!sample) {
    banner_->show_message(RunBanner::Severity::Error, tr("Unknown sample"), tr("There is no sample '%1'.").arg(id));
    return false;
  }
  if (id == current_sample_) return true;
  current_sample_ = id;
  gallery_->select_sample(id);
  details_->show_sample(*sample);
  source_->show_sample(id);
  if (explore_ != nullptr) explore_->set_sample(id, details_->parameter_values());
  if (!controller_.running()) {
    toolbar_->set_procs(sample->info.default_procs);
    toolbar_->set_pace(sample_pace(sample->info.id));  // its story plays for 20-90 s
    if (sample->info.topic == "Races") toolbar_->set_race(true);  // what these samples are about
  }
  setWindowTitle(tr("Goroscope — %1 (%2)").arg(QString::fromStdString(sample->info.title), id));
  update_play_estimate();
  return true;
}

bool MainWindow::run_current(const std::vector<std::pair<std::string, std::string>>& extra_params) {
  RunSpec spec;
  spec.sample_id = current_sample_.toStdString();
  spec.params = details_->parameter_values();
  spec.params.insert(spec.params.end(), extra_params.begin(), extra_params.end());
  spec.procs = toolbar_->procs();
  spec.seed = toolbar_->seed();
  spec.dilation = toolbar_->dilation();
  spec.race = toolbar_->race();
  spec.deterministic = toolbar_->deterministic();
  spec.start_paused = toolbar_->start_paused();
  return start_run(spec);
}

bool MainWindow::start_run(const RunSpec& spec) {
  QString error;
  catch_up_timer_->stop();
  replay_path_.clear();
  timeline_->canvas().set_cursor_enabled(false);
  player_->stop();
  played_outcome_.reset();
  end_state_.clear();
  recording_throttled_ = false;
  scrub_->set_hint(QString());
  scrub_->setEnabled(false);
  scheduler_->clear();
  selection_.select(0);
  reported_deadlocks_.clear();
  races_.clear();
  race_shown_ = 0;
  events_seen_ = 0;
  events_tracked_ = 0;
  tracker_.clear();
  timeline_->clear();
  charts_->clear();
  output_->clear();
  update_breakpoints();
  last_schedule_.reset();
  if (!controller_.start(spec, &error)) {
    banner_->show_message(RunBanner::Severity::Error, tr("Cannot run"), error);
    return false;
  }
  store_generation_ = controller_.store().generation();
  trace_header_ = trace::TraceHeader{};
  trace_header_.procs = controller_.procs();
  trace_header_.seed = controller_.seed();
  trace_header_.deterministic = spec.deterministic;
  trace_header_.race = spec.race;
  trace_header_.dilation = controller_.dilation();
  trace_header_.start_wall_ns = trace::wall_now_ns();
  trace_header_.sample = spec.sample_id;
  for (const auto& [key, value] : spec.params)
    trace_header_.params += (trace_header_.params.empty() ? "" : " ") + key + "=" + value;
  trace_footer_.reset();
  banner_->clear_message();
  // A deterministic run is recorded ahead and played at the pace from its first event.
  if (spec.deterministic) {
    player_->set_pace(toolbar_->pace());
    player_->set_breakpoints(toolbar_->breakpoints(selection_.selected()));
    player_->begin(controller_.procs(), spec.start_paused, /*recording=*/true);
    if (spec.start_paused)
      banner_->show_message(RunBanner::Severity::Info, tr("Paused at the start"),
                            tr("Nothing has happened yet: → steps one scheduling event, Space plays at the pace."));
  }
  update_run_controls();
  return true;
}

bool MainWindow::catching_up() const { return catch_up_timer_->isActive(); }

bool MainWindow::catch_up_views(std::chrono::milliseconds budget) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline =
      budget == std::chrono::milliseconds::max() ? Clock::time_point::max() : Clock::now() + budget;
  const bool timeline_done = timeline_->sync(controller_.store(), /*live=*/false, 0, deadline);
  const bool charts_done = charts_->sync(controller_.store(), /*live=*/false, 0, deadline);
  return timeline_done && charts_done;
}

void MainWindow::update_breakpoints() {
  const BreakpointSet b = toolbar_->breakpoints(selection_.selected());
  controller_.set_breakpoints(b);
  player_->set_breakpoints(b);
}

void MainWindow::on_frame(bool new_snapshot) {
  const TraceStore& store = controller_.store();
  if (store.generation() != store_generation_) {
    store_generation_ = store.generation();
    events_seen_ = 0;
    events_tracked_ = 0;
    tracker_.clear();
  }
  // The timeline leaves the newest ~10 ms of wall time for the next frame: batches of other Ms
  // may still land among them (the whole run is taken when it ends).
  const int64_t lag = static_cast<int64_t>(10e6 / std::max(1.0, controller_.dilation()));
  // Frame budgets: a run can make events faster than the timeline and charts take them in
  // (several million per second); then they fall behind for a while (the timeline says so)
  // instead of stretching the frame. A tab out of sight takes one chunk (kSyncChunk events)
  // per frame and catches up when shown or when the run ends.
  using std::chrono::milliseconds;
  using Clock = std::chrono::steady_clock;
  timeline_->sync(store, /*live=*/true, lag, Clock::now() + milliseconds(timeline_->isVisible() ? 3 : 0));
  charts_->sync(store, /*live=*/true, lag, Clock::now() + milliseconds(charts_->isVisible() ? 3 : 0));
  if (player_->active()) {  // a deterministic recording: the player shows the state at its cursor
    events_seen_ = store.size();
    throttle_recording();
    check_races();
    update_status();
    return;
  }
  scheduler_->add_events(store.events(), std::min(events_seen_, store.size()));
  events_seen_ = store.size();
  if (new_snapshot && controller_.snapshot()) {
    const gor::Snapshot& s = *controller_.snapshot();
    // What each P was running at the snapshot's instant: read back from it (a few events in
    // a busy run); only if some P is not decided that way, follow the events forward.
    const size_t upto = count_through(store.events(), s.now_ns);
    int procs = 0;
    for (const gor::ProcessorInfo& p : s.procs) procs = std::max(procs, p.id + 1);
    constexpr size_t kRewindLimit = size_t{1} << 18;
    if (!tracker_.rewind_from(store.events(), upto, procs, kRewindLimit))
      for (size_t i = events_tracked_; i < upto; ++i) tracker_.apply(store.events()[i]);
    events_tracked_ = std::max(events_tracked_, upto);
    // The copy that restore_running() edits, the layout and its still layer are made on a
    // worker thread (milliseconds for 10,000 goroutines); the scene changes when they are done.
    scheduler_->post_snapshot([snapshot = controller_.snapshot(), tracker = tracker_] {
      gor::Snapshot shown = *snapshot;
      restore_running(shown, tracker);
      return shown;
    });
    if (!table_timer_->isActive()) table_timer_->start();
    inspector_->set_data(controller_.snapshot(), store);  // shared, not copied
    show_partial_deadlocks(s);
  }
  check_races();
  update_status();
}

void MainWindow::check_races(const QString& ending) {
  const TraceStore& store = controller_.store();
  const size_t n = store.count(gor::EventKind::Race);
  if (n == races_.size() && ending.isEmpty()) return;
  if (n != races_.size()) {  // rare (once per distinct race): a scan of the events is fine
    races_.clear();
    for (const gor::Event& e : store.events())
      if (e.kind == gor::EventKind::Race) races_.push_back(e);
    if (race_shown_ >= races_.size()) race_shown_ = 0;
  }
  if (races_.empty()) return;
  // A race does not hide a panic, a deadlock or a partial deadlock already on show.
  if (banner_->isVisibleTo(this) && !banner_->showing_race() && banner_->severity() == RunBanner::Severity::Error) return;
  show_race_banner(ending);
}

void MainWindow::show_race_banner(const QString& ending) {
  if (race_shown_ >= races_.size()) return;
  const gor::Event& e = races_[race_shown_];
  const TraceStore& store = controller_.store();
  const RaceSummary s = summarize_race_report(store.string(e.a2));
  QString summary;
  if (!s.access.empty()) {
    summary = tr("%1 by G%2 at %3 races with the earlier %4 by G%5 at %6%7: no happens-before edge orders them.")
                  .arg(QString::fromStdString(s.access)).arg(e.g).arg(QString::fromStdString(s.access_site))
                  .arg(QString::fromStdString(s.previous)).arg(e.a0).arg(QString::fromStdString(s.previous_site))
                  .arg(s.location.empty() ? QString() : QStringLiteral(" (%1)").arg(QString::fromStdString(s.location)));
  } else {
    summary = tr("G%1 races with G%2 at %3.").arg(e.g).arg(e.a0).arg(QString::fromStdString(store.string(e.a1)));
  }
  if (!ending.isEmpty()) summary = ending + QStringLiteral(" ") + summary;
  else if (controller_.running() && controller_.paused()) summary += tr(" Paused here: Space resumes the run.");
  else if (controller_.running()) summary += tr(" The run goes on.");
  banner_->show_race(summary, QString::fromStdString(store.string(e.a2)), static_cast<int>(race_shown_),
                     static_cast<int>(races_.size()), controller_.running());
}

bool MainWindow::show_race(size_t i) {
  if (i >= races_.size()) return false;
  const gor::Event& e = races_[i];
  race_shown_ = i;
  if (e.a0 != 0 && e.a0 != e.g)
    selection_.select_with(e.g, {e.a0});
  else
    selection_.select(e.g);
  timeline_->show_race(e);
  show_bottom_tab(QStringLiteral("timeline"));
  return true;
}

void MainWindow::show_partial_deadlocks(const gor::Snapshot& s) {
  for (const gor::DeadlockInfo& d : s.deadlocks) {
    const QString text = QString::fromStdString(d.description);
    if (reported_deadlocks_.contains(text)) continue;
    reported_deadlocks_ << text;
    QStringList ids;
    for (uint64_t g : d.cycle) ids << QStringLiteral("G%1").arg(g);
    banner_->show_message(RunBanner::Severity::Error, tr("Partial deadlock"),
                          tr("%1 can never run again: %2").arg(ids.join(QStringLiteral(", ")), text));
    banner_->set_sticky(true);  // it stays until dismissed: the run's end adds a line under it
    if (!d.cycle.empty()) selection_.select(d.cycle.front());
  }
}

void MainWindow::on_finished(const RunOutcome& outcome) {
  const gor::RunResult& r = outcome.result;
  trace_footer_ = trace::footer_from(r);
  // A big run's last events may be millions the views have not taken yet: what does not fit
  // in a frame follows between frames, so the window never freezes at the end of a run.
  if (!catch_up_views(std::chrono::milliseconds(4))) catch_up_timer_->start();
  if (controller_.deterministic()) last_schedule_ = std::make_shared<const gor::Schedule>(r.schedule);
  if (player_->active()) {
    // A deterministic run: its end is shown when the cursor gets there (at once if it has).
    played_outcome_ = outcome;
    recording_throttled_ = false;
    player_->end_recording();
    update_run_controls();
    return;
  }
  show_outcome(outcome);
  // The ended run can now be stepped back through and rewound; the scene keeps the engine's
  // final picture until the cursor moves.
  player_->adopt_finished(controller_.procs(), /*show=*/false);
  update_run_controls();
}

void MainWindow::show_outcome(const RunOutcome& outcome) {
  const gor::RunResult& r = outcome.result;
  QStringList lines;
  for (const std::string& l : outcome.outcome.lines) lines << QString::fromStdString(l);
  output_->setPlainText(output_text(outcome, controller_.snapshot().get()));  // the run's end as the CLI prints it
  const QString dump = QString::fromStdString(r.dump);
  end_state_ = QStringLiteral("finished");
  if (r.stopped) {
    banner_->show_message(RunBanner::Severity::Info, tr("Stopped"), tr("The run was stopped; every goroutine was unwound."));
  } else if (r.status == gor::RunStatus::Panic) {
    end_state_ = QStringLiteral("panic");
    banner_->show_message(RunBanner::Severity::Error,
                          (r.fatal ? tr("fatal error: %1") : tr("panic: %1")).arg(QString::fromStdString(r.message)),
                          tr("goroutine %1 panicked; the scene shows that moment (← rewinds).").arg(r.panicking_goid), dump);
    if (r.panicking_goid) selection_.select(r.panicking_goid);
  } else if (r.status == gor::RunStatus::Deadlock) {
    end_state_ = QStringLiteral("deadlock");
    banner_->show_message(RunBanner::Severity::Error, tr("fatal error: %1").arg(QString::fromStdString(r.message)),
                          tr("Every goroutine is blocked; the dump shows where (← rewinds to see it form)."), dump);
  } else {
    const QString mode = controller_.deterministic() ? tr("deterministic, seed %1").arg(controller_.seed())
                                                     : tr("real threads, %1 s").arg(outcome.wall_seconds, 0, 'f', 2);
    QString summary = tr("%1 goroutines, %2 steals, %3 events, engine %4 (%5).")
                          .arg(r.goroutines_created).arg(r.steals).arg(controller_.store().size())
                          .arg(format_engine_time(controller_.store().end_ns()), mode);
    if (!lines.isEmpty()) summary += QStringLiteral("  ") + lines.back();
    banner_->show_message(RunBanner::Severity::Info, tr("Finished"), summary);
  }
  if (const size_t races = controller_.store().count(gor::EventKind::Race);
      races > 0 && (r.stopped || (r.status != gor::RunStatus::Panic && r.status != gor::RunStatus::Deadlock))) {
    catch_up_views(std::chrono::milliseconds::max());  // the race view frames slices of the whole run
    catch_up_timer_->stop();
    const QString found = races == 1 ? tr("a data race") : tr("%1 data races").arg(races);
    check_races(r.stopped ? tr("Stopped after %1.").arg(found) : tr("Finished with %1.").arg(found));
  }
  update_status();
  emit runFinished();
  if (restart_pending_) {
    restart_pending_ = false;
    if (controller_.seed() != 0) toolbar_->set_seed(controller_.seed());  // the same run again
    run_current();
  }
}

QString MainWindow::status_text() const {
  return QStringList{status_state_->text(), status_time_->text(), status_rate_->text(), status_goroutines_->text(),
                     status_procs_->text(), status_speed_->text()}
      .join(QStringLiteral(" | "));
}

void MainWindow::update_status() {
  const bool running = controller_.running();
  status_state_->setText(run_state());
  const auto& snap = player_->active() ? player_->state() : controller_.snapshot();
  const int64_t now = player_->active() ? player_->cursor_ns()
                                        : std::max<int64_t>(snap ? snap->now_ns : 0, controller_.store().end_ns());
  status_time_->setText(player_->active() && !replay_path_.isEmpty() ? tr("replay at %1").arg(format_engine_time(now))
                                                                       : tr("engine %1").arg(format_engine_time(now)));
  const double rate = controller_.events_per_second();
  if (player_->active()) {  // a recorded run: where the cursor is, not a rate
    status_rate_->setText(tr("event %1 of %2").arg(static_cast<qulonglong>(player_->cursor())).arg(static_cast<qulonglong>(controller_.store().size())));
  } else status_rate_->setText(rate >= 1e6 ? tr("%1 M events/s").arg(rate / 1e6, 0, 'f', 2)
                                    : tr("%1 events/s").arg(static_cast<qlonglong>(rate)));
  status_goroutines_->setText(tr("%1 goroutines").arg(snap ? snap->goroutines.size() : 0));
  status_procs_->setText(tr("procs %1").arg(snap && running ? snap->gomaxprocs : toolbar_->procs()));
  // The run in the store (live or a file) is described by its header; before any, the toolbar's choice.
  const bool have_run = running || controller_.store().size() > 0;
  const bool deterministic = have_run ? trace_header_.deterministic : toolbar_->deterministic();
  const QString seed_text = have_run && trace_header_.seed != 0 ? tr(", seed %1").arg(trace_header_.seed) : QString();
  if (deterministic || player_->active()) {
    status_speed_->setText(tr("%1%2 · pace %3")
                               .arg(deterministic ? tr("deterministic") : tr("real threads"), seed_text,
                                    QString::fromStdString(toolbar_->pace().text())));
  } else {
    const double k = toolbar_->dilation();
    status_speed_->setText(tr("real threads%1 · %2").arg(seed_text, k < 1.05 ? tr("real time") : tr("%1× slower").arg(std::lround(k))));
  }
}

bool MainWindow::save_trace(const QString& path, SaveFormat format) {
  auto refuse = [this](const QString& why) {
    banner_->show_message(RunBanner::Severity::Warning, tr("Nothing saved"), why);
    emit traceSaved(false, why);
    return false;
  };
  const TraceStore& store = controller_.store();
  if (store.size() == 0) return refuse(tr("There is no run to save yet: run a sample or open a trace first."));
  if (saver_->saving()) return refuse(tr("A save is still being written; try again when it is done."));
  // A run still going is saved as far as it got (its footer: status ok, the counts so far).
  const trace::TraceFooter footer = trace_footer_ && !controller_.running() ? *trace_footer_ : footer_so_far(store);
  saver_->save(snapshot_trace(store, trace_header_, footer), path, format);
  statusBar()->showMessage(tr("Writing %1…").arg(path));
  return true;
}

void MainWindow::save_dialog(SaveFormat format) {
  const bool json = format == SaveFormat::ChromeJson;
  QString base = replay_path_.isEmpty() ? current_sample_ : QFileInfo(replay_path_).completeBaseName();
  if (base.isEmpty()) base = QStringLiteral("run");
  const QString path = QFileDialog::getSaveFileName(
      this, json ? tr("Export Chrome JSON") : tr("Save trace"), base + (json ? QStringLiteral(".json") : QStringLiteral(".gortrace")),
      json ? tr("Chrome trace JSON (*.json);;All files (*)") : tr("Goroscope traces (*.gortrace);;All files (*)"));
  if (!path.isEmpty()) save_trace(path, format);
}

bool MainWindow::save_screenshot(const QString& path) { return grab().save(path, "PNG"); }

void MainWindow::restore_settings() {
  QSettings s;
  restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
  restoreState(s.value(QStringLiteral("window/state")).toByteArray());
  const QString sample = s.value(QStringLiteral("run/sample")).toString();
  if (!sample.isEmpty() && find_sample(sample.toStdString())) open_sample(sample);
  if (s.contains(QStringLiteral("run/speed"))) toolbar_->set_dilation(s.value(QStringLiteral("run/speed")).toDouble());
  if (s.contains(QStringLiteral("run/procs"))) toolbar_->set_procs(s.value(QStringLiteral("run/procs")).toInt());
  toolbar_->set_seed(s.value(QStringLiteral("run/seed"), 0).toULongLong());
  if (s.contains(QStringLiteral("run/race"))) toolbar_->set_race(s.value(QStringLiteral("run/race")).toBool());
  set_theme(static_cast<Theme>(std::clamp(s.value(QStringLiteral("view/theme"), 0).toInt(), 0, 2)));
}

void MainWindow::save_settings() const {
  QSettings s;
  s.setValue(QStringLiteral("window/geometry"), saveGeometry());
  s.setValue(QStringLiteral("window/state"), saveState());
  s.setValue(QStringLiteral("run/sample"), current_sample_);
  s.setValue(QStringLiteral("run/speed"), toolbar_->dilation());
  s.setValue(QStringLiteral("run/procs"), toolbar_->procs());
  s.setValue(QStringLiteral("run/seed"), static_cast<qulonglong>(toolbar_->seed()));
  s.setValue(QStringLiteral("run/race"), toolbar_->race());
  s.setValue(QStringLiteral("view/theme"), static_cast<int>(theme_));
}

bool MainWindow::open_trace(const QString& path) {
  if (controller_.running()) {
    banner_->show_message(RunBanner::Severity::Warning, tr("A run is going"), tr("Stop it before opening %1.").arg(path));
    emit traceOpened(false);
    return false;
  }
  banner_->show_message(RunBanner::Severity::Info, tr("Opening %1").arg(QFileInfo(path).fileName()), tr("Reading the trace…"));
  loader_->load(path);
  return true;
}

void MainWindow::show_trace(const std::shared_ptr<LoadedTrace>& trace) {
  if (controller_.running()) {
    banner_->show_message(RunBanner::Severity::Warning, tr("A run is going"), tr("The trace was not opened."));
    emit traceOpened(false);
    return;
  }
  catch_up_timer_->stop();
  const trace::TraceFile& f = trace->file;
  replay_path_ = trace->path;
  trace_header_ = f.header;
  trace_footer_ = f.footer;
  scheduler_->clear();
  selection_.select(0);
  table_timer_->stop();
  table_timer_->setInterval(6);
  table_updated_.invalidate();
  table_stale_ = false;
  table_->clear();
  reported_deadlocks_.clear();
  tracker_.clear();
  TraceStore& store = controller_.store();
  store.clear();
  for (const auto& [id, text] : f.strings) store.add_string(id, text);
  const size_t events = f.events.size();
  store.append(std::move(trace->file.events));
  store_generation_ = store.generation();
  events_seen_ = events_tracked_ = store.size();
  timeline_->adopt(std::move(trace->timeline), store);
  timeline_->canvas().set_cursor_enabled(true);
  played_outcome_.reset();
  end_state_ = f.footer.status == gor::RunStatus::Panic ? QStringLiteral("panic")
               : f.footer.status == gor::RunStatus::Deadlock ? QStringLiteral("deadlock") : QStringLiteral("finished");
  // The scheduler as the run ended (on the UI thread: only for traces that rebuild quickly;
  // a bigger one shows its state once the cursor is moved).
  player_->adopt_finished(std::max(1, f.header.procs), /*show=*/store.size() <= 2'000'000);
  scrub_->set_hint(tr("Space plays it from the start; drag the bar or press ← to rewind."));
  charts_->sync(store, /*live=*/false);
  inspector_->set_data(nullptr, store);
  show_bottom_tab(QStringLiteral("timeline"));
  const QString sample = QString::fromStdString(f.header.sample);
  const QString name = QFileInfo(trace->path).fileName();
  output_->setPlainText(tr("Replay of %1\nsample: %2 %3\nprocs %4, seed %5, dilation %6\n%7 events, %8 goroutines, %9 steals\n")
                            .arg(trace->path, sample, QString::fromStdString(f.header.params))
                            .arg(f.header.procs)
                            .arg(static_cast<qulonglong>(f.header.seed))
                            .arg(f.header.dilation)
                            .arg(static_cast<qulonglong>(events))
                            .arg(static_cast<qulonglong>(f.footer.goroutines_created))
                            .arg(static_cast<qulonglong>(f.footer.steals)) +
                        QString::fromStdString(f.footer.dump));
  const QString summary = tr("%1 (%2), %3 events, %4 P, read in %5 s. Space plays it at the pace; ← and → step; drag the bar under the scene (or click the timeline) to see any moment.")
                              .arg(sample, QString::fromStdString(f.header.params))
                              .arg(static_cast<qulonglong>(events))
                              .arg(f.header.procs)
                              .arg(trace->seconds, 0, 'f', 2);
  if (f.footer.status == gor::RunStatus::Panic)
    banner_->show_message(RunBanner::Severity::Error,
                          (f.footer.fatal ? tr("Replay %1 — fatal error: %2") : tr("Replay %1 — panic: %2"))
                              .arg(name, QString::fromStdString(f.footer.message)),
                          summary, QString::fromStdString(f.footer.dump));
  else if (f.footer.status == gor::RunStatus::Deadlock)
    banner_->show_message(RunBanner::Severity::Error, tr("Replay %1 — fatal error: %2").arg(name, QString::fromStdString(f.footer.message)),
                          summary, QString::fromStdString(f.footer.dump));
  else
    banner_->show_message(RunBanner::Severity::Info, tr("Replay %1").arg(name), summary);
  races_.clear();
  race_shown_ = 0;
  if (store.count(gor::EventKind::Race) > 0) check_races(tr("Replay %1:").arg(name));
  // The left panel describes the replayed sample (its parameters are the file's).
  if (!sample.isEmpty() && find_sample(sample.toStdString())) {
    open_sample(sample);
    std::vector<std::pair<std::string, std::string>> params;
    for (const QString& kv : QString::fromStdString(f.header.params).split(QLatin1Char(' '), Qt::SkipEmptyParts))
      if (const int eq = kv.indexOf(QLatin1Char('=')); eq > 0) params.emplace_back(kv.left(eq).toStdString(), kv.mid(eq + 1).toStdString());
    details_->set_parameter_values(params);
  }
  setWindowTitle(tr("Goroscope — %1 (replay)").arg(name));
  toolbar_->set_procs(std::max(1, f.header.procs));
  last_schedule_.reset();
  if (f.schedule) last_schedule_ = std::make_shared<const gor::Schedule>(*f.schedule);
  update_run_controls();
  remember_recent(trace->path);
  update_status();
  emit traceOpened(true);
}

void MainWindow::remember_recent(const QString& path) {
  if (!persist_) return;
  QSettings s;
  QStringList recent = s.value(QStringLiteral("files/recent")).toStringList();
  const QString full = QFileInfo(path).absoluteFilePath();
  recent.removeAll(full);
  recent.prepend(full);
  while (recent.size() > 8) recent.removeLast();
  s.setValue(QStringLiteral("files/recent"), recent);
  rebuild_recent_menu();
}

void MainWindow::rebuild_recent_menu() {
  if (!recent_menu_) return;
  recent_menu_->clear();
  const QStringList recent = persist_ ? QSettings().value(QStringLiteral("files/recent")).toStringList() : QStringList();
  for (const QString& path : recent) {
    QAction* a = recent_menu_->addAction(QFileInfo(path).fileName());
    a->setToolTip(path);
    connect(a, &QAction::triggered, this, [this, path] { open_trace(path); });
  }
  recent_menu_->setEnabled(!recent.isEmpty());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  for (const QUrl& url : e->mimeData()->urls())
    if (url.isLocalFile() && url.toLocalFile().endsWith(QLatin1String(".gortrace"), Qt::CaseInsensitive)) {
      e->acceptProposedAction();
      return;
    }
}

void MainWindow::dropEvent(QDropEvent* e) {
  for (const QUrl& url : e->mimeData()->urls())
    if (url.isLocalFile() && url.toLocalFile().endsWith(QLatin1String(".gortrace"), Qt::CaseInsensitive)) {
      open_trace(url.toLocalFile());
      e->acceptProposedAction();
      return;
    }
}

void MainWindow::closeEvent(QCloseEvent* e) {
  if (persist_) save_settings();
  if (controller_.running()) controller_.stop();
  QMainWindow::closeEvent(e);
}

}  // namespace goroscope::gui
