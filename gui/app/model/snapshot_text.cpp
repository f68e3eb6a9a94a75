#include "model/snapshot_text.hpp"

#include <QRegularExpression>
#include <QStringList>

#include <algorithm>

namespace goroscope::gui {

namespace {

template <class Info>
const Info* find_by_id(const std::vector<Info>& items, uint64_t id) {
  // Snapshots list objects by id; fall back to a scan if one ever is not sorted.
  auto it = std::lower_bound(items.begin(), items.end(), id, [](const Info& i, uint64_t v) { return i.id < v; });
  if (it != items.end() && it->id == id) return &*it;
  auto any = std::find_if(items.begin(), items.end(), [id](const Info& i) { return i.id == id; });
  return any == items.end() ? nullptr : &*any;
}

QString named(const QString& kind, const std::string& name, uint64_t id) {
  if (name.empty()) return QStringLiteral("%1 #%2").arg(kind).arg(id);
  return QStringLiteral("%1 %2").arg(kind, QString::fromStdString(name));
}

QString waiting_count(size_t n, const char* what) {
  return QStringLiteral("%1 %2%3 waiting").arg(n).arg(QLatin1String(what)).arg(n == 1 ? "" : "s");
}

// strip_nested() drops what is inside (...), <...> and [...] (keeping "()" so functions still
// read as calls), and turns GCC's "<lambda(...)>" into "lambda".
QString strip_nested(const QString& f) {
  QString out;
  int paren = 0, angle = 0, square = 0;
  for (int i = 0; i < f.size(); ++i) {
    const QChar c = f[i];
    if (c == QLatin1Char('[')) { ++square; continue; }
    if (c == QLatin1Char(']')) { square = std::max(0, square - 1); continue; }
    if (square) continue;
    if (c == QLatin1Char('<') && angle == 0 && paren == 0 && f.mid(i, 8) == QLatin1String("<lambda(")) {
      out += QStringLiteral("lambda");
      ++angle;
      continue;
    }
    if (c == QLatin1Char('<') && paren == 0) { ++angle; continue; }
    if (c == QLatin1Char('>') && paren == 0) { angle = std::max(0, angle - 1); continue; }
    if (angle) continue;
    if (c == QLatin1Char('(')) { if (paren++ == 0) out += QStringLiteral("()"); continue; }
    if (c == QLatin1Char(')')) { paren = std::max(0, paren - 1); continue; }
    if (paren) continue;
    out += c;
  }
  return out.trimmed();
}

}  // namespace

// short_type() is a demangled type without namespace qualifiers
// ("goroscope::samples::(anonymous namespace)::Result" -> "Result", "std::string" -> "string").
QString short_type(const std::string& type) {
  static const QRegularExpression qualifier(QStringLiteral("(\\(anonymous namespace\\)|\\{anonymous\\}|[A-Za-z_][A-Za-z_0-9]*)::"));
  return QString::fromStdString(type).remove(qualifier);
}

QString short_site(const std::string& site) {
  QString text = QString::fromStdString(site);
  QString location = text, function;
  const int in = text.indexOf(QLatin1String(" in "));
  if (in >= 0) {
    location = text.left(in);
    function = text.mid(in + 4);
  }
  // The engine's sites are already in Go's words ("samples/x.cpp:12 in main.f"): kept whole.
  // Older traces hold absolute paths and C++ signatures: those are shortened below.
  const bool go_words = !location.startsWith(QLatin1Char('/')) && !function.contains(QLatin1String("::")) &&
                        !function.contains(QLatin1Char('(')) && !function.contains(QLatin1Char(' '));
  if (go_words) return text;
  location = location.mid(location.lastIndexOf(QLatin1Char('/')) + 1);
  if (function.isEmpty()) return location;
  function = strip_nested(function);
  function = function.mid(function.lastIndexOf(QLatin1Char(' ')) + 1);  // drop a return type
  QStringList parts = function.split(QStringLiteral("::"), Qt::SkipEmptyParts);
  // Keep the innermost function name and what follows it (lambdas inside it).
  int first = 0;
  for (int i = 0; i < parts.size(); ++i)
    if (parts[i].endsWith(QLatin1String("()")) && !parts[i].startsWith(QLatin1String("lambda"))) first = i;
  if (first == 0 && parts.size() > 2) first = static_cast<int>(parts.size()) - 2;
  function = parts.mid(first).join(QStringLiteral("::"));
  return QStringLiteral("%1 in %2").arg(location, function);
}

const gor::GoroutineInfo* find_goroutine(const gor::Snapshot& s, uint64_t g) {
  return find_by_id(s.goroutines, g);
}

QString object_name(const gor::Snapshot& s, uint64_t id) {
  if (id == 0) return {};
  if (const auto* c = find_by_id(s.channels, id)) return named(QStringLiteral("chan"), c->name, id);
  if (const auto* m = find_by_id(s.mutexes, id))
    return named(m->kind == "RWMutex" ? QStringLiteral("RWMutex") : QStringLiteral("mutex"), m->name, id);
  if (const auto* o = find_by_id(s.sync_objects, id))
    return named(o->kind.empty() ? QStringLiteral("object") : QString::fromStdString(o->kind), o->name, id);
  return QStringLiteral("object #%1").arg(id);
}

QString object_details(const gor::Snapshot& s, uint64_t id) {
  if (id == 0) return {};
  QStringList parts;
  if (const auto* c = find_by_id(s.channels, id)) {
    if (!c->elem_type.empty()) parts << QStringLiteral("chan %1").arg(short_type(c->elem_type));
    parts << (c->cap == 0 ? QStringLiteral("unbuffered") : QStringLiteral("buffer %1/%2").arg(c->len).arg(c->cap));
    if (c->closed) parts << QStringLiteral("closed");
    if (!c->sendq.empty()) parts << waiting_count(c->sendq.size(), "sender");
    if (!c->recvq.empty()) parts << waiting_count(c->recvq.size(), "receiver");
  } else if (const auto* m = find_by_id(s.mutexes, id)) {
    parts << (m->holder ? QStringLiteral("held by G%1").arg(m->holder) : QStringLiteral("unlocked"));
    if (m->readers > 0) parts << QStringLiteral("%1 reader%2").arg(m->readers).arg(m->readers == 1 ? "" : "s");
    if (!m->waiters.empty()) parts << QStringLiteral("%1 waiting").arg(m->waiters.size());
    if (m->starving) parts << QStringLiteral("starving");
  } else if (const auto* o = find_by_id(s.sync_objects, id)) {
    if (o->kind == "WaitGroup") parts << QStringLiteral("counter %1").arg(o->value);
    else if (o->kind == "Semaphore") parts << QStringLiteral("%1/%2 held").arg(o->value).arg(o->capacity);
    else if (o->kind == "Once") parts << (o->value ? QStringLiteral("done") : QStringLiteral("running"));
    if (!o->waiters.empty()) parts << QStringLiteral("%1 waiting").arg(o->waiters.size());
  } else {
    return {};
  }
  return parts.join(QStringLiteral(", "));
}

}  // namespace goroscope::gui
