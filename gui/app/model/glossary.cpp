// glossary.cpp — the scheduler's jargon explained (see glossary.hpp).
#include "model/glossary.hpp"

#include <QRegularExpression>

namespace goroscope::gui {

const std::vector<GlossaryEntry>& glossary() {
  static const std::vector<GlossaryEntry> entries = {
      // The parts.
      {QStringLiteral("g"), QStringLiteral("G (goroutine)"),
       QStringLiteral("A goroutine: a function running concurrently with its own small stack. Go multiplexes many Gs "
                      "onto a few threads. The main goroutine (G1) runs main(); when it returns, the program ends, "
                      "whatever the other goroutines are doing.")},
      {QStringLiteral("m"), QStringLiteral("M (machine)"),
       QStringLiteral("An operating-system thread. An M needs a P to run Go code; an M blocked in a system call keeps "
                      "its goroutine but can give its P away, so a program can have more Ms than Ps.")},
      {QStringLiteral("p"), QStringLiteral("P (processor)"),
       QStringLiteral("A scheduling context: the right to run Go code. There are GOMAXPROCS Ps. Each has a runnext slot "
                      "and a local run queue; an M runs the goroutines of the P it holds.")},
      {QStringLiteral("gomaxprocs"), QStringLiteral("GOMAXPROCS"),
       QStringLiteral("How many Ps there are: at most that many goroutines run at the same instant. Changing it stops "
                      "the world, adds or removes Ps, and moves the goroutines of removed Ps to the global queue.")},
      {QStringLiteral("runnext"), QStringLiteral("runnext"),
       QStringLiteral("One slot per P, ahead of its local queue. A goroutine made runnable by the running one (a \"go\" "
                      "statement, a channel operation or an unlock that wakes a waiter) goes there and runs next on "
                      "the same P, taking over the rest of the time slice: a sender and its receiver ping-pong without "
                      "waiting behind the queue. The goroutine it displaces moves to the tail of the local queue.")},
      {QStringLiteral("local-queue"), QStringLiteral("local run queue"),
       QStringLiteral("Each P's own queue of runnable goroutines (256 slots). Its P runs them in order after runnext, "
                      "without a lock. When it is full, half of it moves to the global queue; when it is empty, the P "
                      "looks in the global queue, then steals.")},
      {QStringLiteral("global-queue"), QStringLiteral("global run queue"),
       QStringLiteral("One queue shared by every P, behind a lock. It holds goroutines that yielded (runtime.Gosched), "
                      "were preempted, came back from a system call without a P, or overflowed a local queue. Every "
                      "61st scheduling round a P takes from it first, so it is never starved.")},
      {QStringLiteral("steal"), QStringLiteral("steal (work stealing)"),
       QStringLiteral("A P with nothing to run picks other Ps in random order and takes half of one's local queue "
                      "(up to 4 rounds; in the last it may also take a victim's runnext). Stealing spreads a burst of "
                      "new goroutines over every P.")},
      {QStringLiteral("spinning"), QStringLiteral("spinning M"),
       QStringLiteral("An M with a P but nothing to run, looking for work (the queues, stealing, the network) before "
                      "sleeping. At most half of the busy Ps' worth of Ms spin at once; while one spins, a newly "
                      "runnable goroutine does not wake another thread.")},
      {QStringLiteral("idle-m"), QStringLiteral("idle (parked) M"),
       QStringLiteral("A thread asleep without a P, kept for reuse. It is woken (\"M woken\") when work appears and a "
                      "P is free; a new thread is created only when no idle one is left.")},
      {QStringLiteral("idle-p"), QStringLiteral("idle P"),
       QStringLiteral("A P with no goroutine to run and no M: it waits on the idle list until work appears and an M "
                      "takes it (\"P acquired by M\").")},
      {QStringLiteral("stopped-p"), QStringLiteral("stopped P"),
       QStringLiteral("A P halted by a stop-the-world (GOMAXPROCS changing) or left over after GOMAXPROCS shrank. "
                      "It runs nothing until the world starts again; when a run ends, every P and M shows as stopped.")},
      {QStringLiteral("stop-the-world"), QStringLiteral("stop the world"),
       QStringLiteral("Every P stops at its next scheduling point so the runtime can change something global (here: "
                      "GOMAXPROCS). Start the world lets them all run again.")},
      {QStringLiteral("syscall"), QStringLiteral("system call"),
       QStringLiteral("A goroutine blocked in the operating system (file, network, sleep of a C library). Its M blocks "
                      "with it; the goroutine stays on that M, not in any queue.")},
      {QStringLiteral("handoff"), QStringLiteral("handoff (syscall)"),
       QStringLiteral("While an M sits in a blocking system call, its P is handed to another M (sysmon takes it after "
                      "a sysmon tick, from 20 us, when there is other work) so the other goroutines keep running. On "
                      "return the goroutine takes a free P if there is one (\"kept its P\"), else it goes to the global "
                      "queue and its M goes to sleep.")},
      {QStringLiteral("sysmon"), QStringLiteral("sysmon"),
       QStringLiteral("The runtime's monitor thread, running without a P: it preempts goroutines that ran too long, "
                      "takes Ps from Ms stuck in system calls, and wakes sleeping timers.")},
      {QStringLiteral("preemption"), QStringLiteral("preemption"),
       QStringLiteral("A goroutine that has run for 10 ms without blocking is interrupted so others get the CPU: sysmon "
                      "asks it to yield (since Go 1.14 also with a signal, so even a tight loop stops). The preempted "
                      "goroutine goes to the global queue. Here preemption takes effect at the next engine call.")},
      {QStringLiteral("gosched"), QStringLiteral("yield (runtime.Gosched)"),
       QStringLiteral("The goroutine gives up its P voluntarily and goes to the global queue; it runs again later.")},
      // What happens to a goroutine.
      {QStringLiteral("runnable"), QStringLiteral("runnable"),
       QStringLiteral("Ready to run, waiting for a P: in some P's runnext slot or local queue, or in the global queue.")},
      {QStringLiteral("blocked"), QStringLiteral("blocked (waiting)"),
       QStringLiteral("Parked until something wakes it: a channel operation, a lock, a WaitGroup, a timer or a select. "
                      "It is in no run queue; the wait reason (\"chan receive\", \"sync.Mutex.Lock\") says why, as Go's "
                      "goroutine dump does.")},
      {QStringLiteral("woke"), QStringLiteral("woke / unblocked"),
       QStringLiteral("A blocked goroutine made runnable by another (\"woke G6 into runnext\") or by a timer or the "
                      "scheduler. Woken by a running goroutine it goes to that P's runnext; else to a local or the "
                      "global queue.")},
      {QStringLiteral("deadlock"), QStringLiteral("deadlock"),
       QStringLiteral("Every goroutine is blocked and no timer can wake one: Go stops with \"fatal error: all goroutines "
                      "are asleep - deadlock!\". A partial deadlock is a cycle of goroutines waiting for each other "
                      "while the rest of the program goes on; Go does not report it.")},
      // Synchronisation.
      {QStringLiteral("channel"), QStringLiteral("channel buffer"),
       QStringLiteral("A buffered channel holds up to cap values: a send blocks only when it is full, a receive only "
                      "when it is empty. An unbuffered channel has none: a send waits for a receiver and hands the "
                      "value over directly. \"buffer 3\" is how many values it holds after the operation.")},
      {QStringLiteral("select"), QStringLiteral("select"),
       QStringLiteral("Waits on several channel operations and runs one that is ready. When several are ready it picks "
                      "one at random (each is equally likely), whatever their order in the source; a default case runs "
                      "when none is.")},
      {QStringLiteral("starvation"), QStringLiteral("mutex starvation mode"),
       QStringLiteral("sync.Mutex has two modes. Normal: a woken waiter competes with goroutines that just arrived, "
                      "which usually win since they are already running. When a waiter has waited more than 1 ms the "
                      "mutex switches to starvation mode: Unlock hands it straight to the waiter at the front of the "
                      "queue and newcomers queue at the tail. It switches back when a waiter gets it after less than "
                      "1 ms or is the last one.")},
      {QStringLiteral("timer"), QStringLiteral("timer"),
       QStringLiteral("time.Sleep, time.After, a Timer, a Ticker or a context deadline: armed for an instant, it fires "
                      "then and wakes the goroutine waiting for it (or sends on its channel).")},
      {QStringLiteral("context"), QStringLiteral("context cancellation"),
       QStringLiteral("Cancelling a context closes its Done channel and cancels every context derived from it, down the "
                      "tree; goroutines selecting on Done wake up.")},
      {QStringLiteral("race"), QStringLiteral("data race"),
       QStringLiteral("Two goroutines access the same variable, at least one writes, and nothing orders the accesses "
                      "(no channel, lock, WaitGroup or \"go\" statement between them). The race detector reports it as "
                      "Go's -race does.")},
      {QStringLiteral("object-destroy"), QStringLiteral("object destroyed"),
       QStringLiteral("A channel, mutex or other synchronisation object the run watched is gone (its last reference was "
                      "dropped): it leaves the scene.")},
  };
  return entries;
}

const GlossaryEntry* glossary_entry(const QString& id) {
  for (const GlossaryEntry& e : glossary())
    if (e.id == id) return &e;
  return nullptr;
}

QString glossary_tooltip(const QString& id) {
  const GlossaryEntry* e = glossary_entry(id);
  if (e == nullptr) return {};
  return QStringLiteral("<p style=\"white-space:normal;\"><b>%1</b>: %2</p>").arg(e->term.toHtmlEscaped(), e->text.toHtmlEscaped());
}

QString glossary_id_for_event(const gor::Event& e) {
  using K = gor::EventKind;
  switch (e.kind) {
    case K::GoCreate: return QStringLiteral("g");
    case K::GoStart: return QStringLiteral("p");
    case K::GoBlock: return QStringLiteral("blocked");
    case K::GoYield: return QStringLiteral("gosched");
    case K::GoPreempted:
    case K::PreemptRequest: return QStringLiteral("preemption");
    case K::GoUnblock: {
      const auto placement = static_cast<gor::Placement>(e.a1);
      return placement == gor::Placement::Runnext ? QStringLiteral("runnext")
             : placement == gor::Placement::Global ? QStringLiteral("global-queue")
                                                   : QStringLiteral("woke");
    }
    case K::GoEnd: return QStringLiteral("g");
    case K::Steal:
    case K::StealMove: return QStringLiteral("steal");
    case K::ProcIdle:
    case K::ProcBusy: return QStringLiteral("idle-p");
    case K::MSpinning: return QStringLiteral("spinning");
    case K::MPark:
    case K::MWake:
    case K::MCreate: return QStringLiteral("idle-m");
    case K::SyscallEnter: return QStringLiteral("syscall");
    case K::SyscallExit:
    case K::Handoff: return QStringLiteral("handoff");
    case K::Gomaxprocs: return QStringLiteral("gomaxprocs");
    case K::RunqFromGlobal:
    case K::RunqOverflow:
    case K::RunqToGlobalHead: return QStringLiteral("global-queue");
    case K::StopTheWorld: return QStringLiteral("stop-the-world");
    case K::ProcStop: return QStringLiteral("stopped-p");
    case K::ObjectValue: return QStringLiteral("blocked");  // a WaitGroup's counter, a Semaphore's units
    case K::TimerFire:
    case K::TimerAdd:
    case K::TimerStop: return QStringLiteral("timer");
    case K::ChanSend:
    case K::ChanRecv:
    case K::ChanClose:
    case K::ChanType: return QStringLiteral("channel");
    case K::MutexMode:
    case K::MutexAcquire:
    case K::MutexRelease: return QStringLiteral("starvation");
    case K::Select: return QStringLiteral("select");
    case K::ContextCancel: return QStringLiteral("context");
    case K::Race:
    case K::RaceSync: return QStringLiteral("race");
    case K::PartialDeadlock: return QStringLiteral("deadlock");
    case K::ObjectDestroy: return QStringLiteral("object-destroy");
    default: return {};
  }
}

QString glossary_id_for_scene_text(const QString& text) {
  const QString t = text.trimmed();
  static const QRegularExpression queue(QStringLiteral("^(local )?queue( \\d+)?$"));
  static const QRegularExpression stole(QStringLiteral("^stole \\d+ from P\\d+$"));
  if (t == QLatin1String("runnext")) return QStringLiteral("runnext");
  if (queue.match(t).hasMatch()) return QStringLiteral("local-queue");
  if (t.startsWith(QLatin1String("Global run queue"), Qt::CaseInsensitive)) return QStringLiteral("global-queue");
  if (stole.match(t).hasMatch()) return QStringLiteral("steal");
  if (t.endsWith(QLatin1String("spinning"))) return QStringLiteral("spinning");
  if (t == QLatin1String("stopped") || t.endsWith(QLatin1String(" stopped"))) return QStringLiteral("stopped-p");
  if (t == QLatin1String("idle")) return QStringLiteral("idle-p");
  if (t.startsWith(QLatin1String("Threads (Ms)"))) return QStringLiteral("m");
  if (t.endsWith(QLatin1String(" parked")) || t.endsWith(QLatin1String(" idle"))) return QStringLiteral("idle-m");
  if (t.contains(QLatin1String("syscall"))) return QStringLiteral("handoff");
  if (t == QLatin1String("STARVING") || t == QLatin1String("NORMAL") || t.startsWith(QLatin1String("front waiter")))
    return QStringLiteral("starvation");
  return {};
}

}  // namespace goroscope::gui
