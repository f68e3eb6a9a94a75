// goroscope — the desktop app. `goroscope --help` lists the options.
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QStyleFactory>
#include <QTimer>

#include <cstdio>

#include "views/explore_view.hpp"
#include "views/run_banner.hpp"
#include "window/app_options.hpp"
#include "views/sample_details.hpp"
#include "window/main_window.hpp"
#include "window/run_toolbar.hpp"
#include "run/pace.hpp"

using namespace goroscope::gui;

int main(int argc, char** argv) {
  // Without a display and without QT_QPA_PLATFORM, Qt would abort: fall back to offscreen.
  if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
      qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  Q_INIT_RESOURCE(goroscope);  // resources/goroscope.qrc lives in the goroscope_gui static library
  QApplication::setOrganizationName(QStringLiteral("Goroscope"));
  QApplication::setApplicationName(QStringLiteral("goroscope"));
  QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
  // The desktop entry installed as share/applications/goroscope.desktop: Wayland compositors
  // and taskbars match the window to it (its name and icon).
  QGuiApplication::setDesktopFileName(QStringLiteral("goroscope"));
  QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));

  QString error, help;
  const std::optional<AppOptions> options = parse_app_options(QApplication::arguments(), &error, &help);
  if (!options) {
    if (!help.isEmpty()) {
      std::fputs(help.toLocal8Bit().constData(), stdout);
      return 0;
    }
    std::fprintf(stderr, "goroscope: %s\n", error.toLocal8Bit().constData());
    return 64;
  }

  MainWindow window(/*persist_settings=*/options->screenshot.isEmpty());
  if (options->theme == "light") window.set_theme(MainWindow::Theme::Light);
  if (options->theme == "dark") window.set_theme(MainWindow::Theme::Dark);
  if (!options->size.isEmpty()) {
    const QStringList wh = options->size.split(QLatin1Char('x'));
    window.resize(wh[0].toInt(), wh[1].toInt());
  } else if (!window.isMaximized() && window.width() < 1200) {
    window.resize(1600, 1000);
  }
  if (!options->sample.isEmpty()) window.open_sample(options->sample);
  if (!options->tab.isEmpty()) window.show_bottom_tab(options->tab);
  if (options->procs) window.toolbar().set_procs(*options->procs);
  if (options->seed) window.toolbar().set_seed(*options->seed);
  if (options->speed) window.toolbar().set_dilation(*options->speed);
  if (options->race) window.toolbar().set_race(*options->race);
  if (options->deterministic) window.toolbar().set_deterministic(*options->deterministic);
  if (options->pace) window.toolbar().set_pace(*Pace::parse(*options->pace, nullptr));
  if (options->paused) window.toolbar().set_start_paused(true);
  window.show();

  if (options->show_race) {  // before the screenshot's handlers: the picture shows the race
    auto show = [&window] { window.show_race(0); };
    QObject::connect(&window, &MainWindow::runFinished, &window, show);
    QObject::connect(&window, &MainWindow::traceOpened, &window, show);
  }
  int status = 0;
  auto take_screenshot = [&] {
    // The run's state beside the picture (F.png -> F.json), for headless checks.
    QString json_path = options->screenshot;
    if (json_path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive)) json_path.chop(4);
    json_path += QStringLiteral(".json");
    QFile json(json_path);
    if (!json.open(QIODevice::WriteOnly | QIODevice::Truncate) || json.write(window.state_json()) < 0) {
      std::fprintf(stderr, "goroscope: cannot write %s\n", json_path.toLocal8Bit().constData());
      status = 73;
    }
    json.close();
    if (!window.save_screenshot(options->screenshot)) {
      std::fprintf(stderr, "goroscope: cannot write %s\n", options->screenshot.toLocal8Bit().constData());
      status = 73;
    } else {
      std::printf("goroscope: saved %s\n", QDir::toNativeSeparators(options->screenshot).toLocal8Bit().constData());
    }
    if (options->quit) QApplication::exit(status);
  };
  // --rewind-to: once the run (or the opened file) has ended, show it at that engine time.
  auto rewind_then_screenshot = [&] {
    if (options->rewind_to_ns && !window.rewind_to(*options->rewind_to_ns))
      std::fprintf(stderr, "goroscope: nothing to rewind\n");
    QTimer::singleShot(400, &window, take_screenshot);
  };
  if (!options->trace_file.isEmpty()) {
    window.open_trace(options->trace_file);
    if (!options->screenshot.isEmpty() && options->screenshot_after_ms < 0)
      QObject::connect(&window, &MainWindow::traceOpened, &window, [&] { QTimer::singleShot(0, &window, rewind_then_screenshot); });
  }
  std::vector<std::pair<std::string, std::string>> params;
  for (const QString& p : options->params) {
    const int eq = p.indexOf(QLatin1Char('='));
    params.emplace_back(p.left(eq).toStdString(), p.mid(eq + 1).toStdString());
  }
  // The form shows what the run uses (a value the sample rejects stays out of the form, and
  // run_current() below says why).
  if (!params.empty() && options->trace_file.isEmpty()) window.details().set_parameter_values(params);
  if (options->run && options->trace_file.isEmpty()) {
    if (!window.run_current(params)) {
      std::fprintf(stderr, "goroscope: %s\n", window.banner().title().toLocal8Bit().constData());
      if (options->quit) return 64;
    }
  }
  if (options->explore && options->trace_file.isEmpty()) {
    window.show_bottom_tab(QStringLiteral("explore"));
    window.explore_view().set_sample(window.current_sample(), window.details().parameter_values());
    window.explore_view().start();
    if (!options->screenshot.isEmpty() && options->screenshot_after_ms < 0)
      QObject::connect(&window.explore_view(), &ExploreView::finished, &window,
                       [&] { QTimer::singleShot(400, &window, take_screenshot); });
  }
  if (!options->screenshot.isEmpty()) {
    if (options->screenshot_after_ms >= 0 && !options->rewind_to_ns)
      QTimer::singleShot(options->screenshot_after_ms, &window, take_screenshot);
    else
      QObject::connect(&window, &MainWindow::runFinished, &window, rewind_then_screenshot);
    if (!options->run && !options->explore && options->trace_file.isEmpty() && options->screenshot_after_ms < 0)
      QTimer::singleShot(500, &window, take_screenshot);
  }
  const int code = QApplication::exec();
  return status ? status : code;
}
