#include "model/event_text.hpp"


#include "model/race_edges.hpp"
#include "model/trace_store.hpp"

namespace goroscope::gui {

namespace {

QString goroutine_name(uint64_t g) { return g ? QStringLiteral("G%1").arg(g) : QStringLiteral("scheduler"); }

QString placement_text(uint64_t a1) {
  switch (static_cast<gor::Placement>(a1)) {
    case gor::Placement::Runnext: return QStringLiteral("runnext");
    case gor::Placement::Local: return QStringLiteral("local queue");
    case gor::Placement::Global: return QStringLiteral("global queue");
  }
  return QStringLiteral("queue");
}

QString timer_kind_text(const gor::Event& e) {
  const gor::TimerFields t = gor::timer_fields(e);
  if (t.periodic) return QStringLiteral("ticker");
  switch (t.code) {
    case gor::TimerCode::Timer: return QStringLiteral("timer");
    case gor::TimerCode::Sleep: return QStringLiteral("sleep");
    case gor::TimerCode::After: return QStringLiteral("after()");
    case gor::TimerCode::Context: return QStringLiteral("context deadline");
  }
  return QStringLiteral("timer");
}

}  // namespace

QString format_duration(int64_t ns) {
  const double v = static_cast<double>(ns);
  if (ns < 0) return QStringLiteral("-") + format_duration(-ns);
  if (ns < 1'000) return QStringLiteral("%1 ns").arg(ns);
  if (ns < 1'000'000) return QStringLiteral("%1 us").arg(v / 1e3, 0, 'f', v < 1e4 ? 2 : 1);
  if (ns < 1'000'000'000) return QStringLiteral("%1 ms").arg(v / 1e6, 0, 'f', v < 1e7 ? 3 : 2);
  return QStringLiteral("%1 s").arg(v / 1e9, 0, 'f', 3);
}

QString format_engine_time(int64_t ns) {
  return QStringLiteral("%1 ms").arg(static_cast<double>(ns) / 1e6, 0, 'f', 3);
}

QString describe_event(const gor::Event& e, const TraceStore& store, uint64_t viewer) {
  using K = gor::EventKind;
  const QString p = QStringLiteral("P%1").arg(e.p);
  switch (e.kind) {
    case K::GoCreate:
      if (viewer && viewer != e.g) return QStringLiteral("created %1").arg(goroutine_name(e.g));
      return QStringLiteral("created by %1 at %2").arg(goroutine_name(e.a0), QString::fromStdString(store.string(e.a1)));
    case K::GoStart: return QStringLiteral("start on %1 / M%2").arg(p).arg(e.m);
    case K::GoBlock: {
      QString text = QStringLiteral("block: %1").arg(
          QString::fromStdString(gor::wait_reason_text(gor::block_fields(e).reason)));
      const std::string& site = store.string(e.a2);
      if (!site.empty()) text += QStringLiteral(" at %1").arg(QString::fromStdString(site));
      return text;
    }
    case K::GoYield:
      return e.a0 == 1 ? QStringLiteral("yield to the local queue") : QStringLiteral("yield (Gosched) to the global queue");
    case K::GoPreempted: return QStringLiteral("preempted on %1").arg(p);
    case K::GoUnblock:
      if (viewer && viewer == e.a0 && viewer != e.g)
        return QStringLiteral("woke %1 into %2").arg(goroutine_name(e.g), placement_text(e.a1));
      return QStringLiteral("unblocked by %1 into %2").arg(goroutine_name(e.a0), placement_text(e.a1));
    case K::GoEnd: return QStringLiteral("end");
    case K::Steal: return QStringLiteral("%1 stole %2 from P%3").arg(p).arg(e.a1).arg(e.a0);
    case K::StealMove: return QStringLiteral("stolen from P%1 by %2").arg(e.a0).arg(p);
    case K::ProcIdle: return QStringLiteral("%1 idle").arg(p);
    case K::ProcBusy: return QStringLiteral("%1 acquired by M%2").arg(p).arg(e.m);
    case K::MSpinning: return QStringLiteral("M%1 spinning").arg(e.m);
    case K::MPark: return QStringLiteral("M%1 parked").arg(e.m);
    case K::MWake: return QStringLiteral("M%1 woken").arg(e.m);
    case K::MCreate: return QStringLiteral("M%1 created").arg(e.m);
    case K::SyscallEnter: return QStringLiteral("enter syscall");
    case K::SyscallExit: return e.a0 ? QStringLiteral("leave syscall (kept its P)") : QStringLiteral("leave syscall (P was handed off)");
    case K::Handoff: return QStringLiteral("%1 handed off from a syscall").arg(p);
    case K::PreemptRequest: return QStringLiteral("sysmon asked to yield");
    case K::Gomaxprocs: return QStringLiteral("GOMAXPROCS %1 -> %2").arg(e.a0).arg(e.a1);
    case K::StopTheWorld: return e.a0 ? QStringLiteral("stop the world") : QStringLiteral("start the world");
    case K::TimerFire: return QStringLiteral("%1 fired").arg(timer_kind_text(e));
    case K::ChanSend: return QStringLiteral("send on channel (buffer %1)").arg(e.a1);
    case K::ChanRecv: return QStringLiteral("receive from channel (buffer %1)").arg(e.a1);
    case K::ChanClose: return QStringLiteral("close channel");
    case K::MutexMode: return e.a1 ? QStringLiteral("mutex -> STARVING") : QStringLiteral("mutex -> normal");
    case K::Log: return QString::fromStdString(store.string(e.a0));
    case K::RunEnd: return QStringLiteral("run ended");
    case K::TimerAdd:
      return QStringLiteral("%1 armed for %2").arg(timer_kind_text(e), format_engine_time(gor::timer_fields(e).when));
    case K::TimerStop:
      return e.a1 ? QStringLiteral("timer stopped before it fired") : QStringLiteral("timer stopped (had already fired)");
    case K::Select: {
      const gor::SelectFields s = gor::select_fields(e);
      const QString of = QStringLiteral("select over %1 case%2%3")
                             .arg(s.cases)
                             .arg(s.cases == 1 ? QString() : QStringLiteral("s"))
                             .arg(s.has_default ? QStringLiteral(" with default") : QString());
      if (s.channel == 0) return QStringLiteral("%1: default ran").arg(of);
      return QStringLiteral("%1: case %2 ran").arg(of).arg(s.chosen);
    }
    case K::ContextCancel:
      return e.a1 == 2 ? QStringLiteral("context deadline exceeded") : QStringLiteral("context canceled");
    case K::RegionBegin: return QStringLiteral("region begin: %1").arg(QString::fromStdString(store.string(e.a0)));
    case K::RegionEnd: return QStringLiteral("region end: %1").arg(QString::fromStdString(store.string(e.a0)));
    case K::RaceSync: return QString::fromStdString(describe_race_sync(e));
    case K::RunqFromGlobal: return QStringLiteral("%1 took %2 from the global queue").arg(p).arg(e.a0);
    case K::RunqOverflow: return QStringLiteral("%1's queue full: %2 moved to the global queue").arg(p).arg(e.a0 + 1);
    case K::ChanType: return QStringLiteral("make(chan %1)").arg(QString::fromStdString(store.string(e.a2)));
    case K::RunqToGlobalHead: return QStringLiteral("%1 destroyed: %2 moved to the global queue's head").arg(p).arg(e.a0);
    case K::ObjectValue: return QStringLiteral("value now %1").arg(static_cast<qint64>(e.a1));
    case K::ProcStop: return QStringLiteral("%1 stopped for a stop-the-world").arg(p);
    case K::Race: {  // a1: "file:line in function"; shown as the file's name and line
      QString site = QString::fromStdString(store.string(e.a1));
      site = site.left(site.indexOf(QStringLiteral(" in ")));
      site = site.mid(site.lastIndexOf(QLatin1Char('/')) + 1);
      QString text = QStringLiteral("DATA RACE with %1").arg(goroutine_name(e.a0));
      if (!site.isEmpty()) text += QStringLiteral(" at %1").arg(site);
      return text;
    }
    default: break;
  }
  return QString::fromLatin1(gor::event_kind_name(e.kind)).replace(QLatin1Char('_'), QLatin1Char(' '));
}

}  // namespace goroscope::gui
