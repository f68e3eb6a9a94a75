#include "model/goroutine_table_model.hpp"

#include <algorithm>
#include <deque>
#include <limits>

#include "model/event_text.hpp"
#include "model/snapshot_text.hpp"
#include "model/trace_store.hpp"

namespace goroscope::gui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

GoroutineTableModel::GoroutineTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void GoroutineTableModel::index_objects(const gor::Snapshot& s) {
  objects_.clear();
  auto add = [&](uint64_t id) { objects_[id] = ObjectText{object_name(s, id), object_details(s, id)}; };
  for (const gor::ChannelInfo& c : s.channels) add(c.id);
  for (const gor::MutexInfo& m : s.mutexes) add(m.id);
  for (const gor::SyncObjectInfo& o : s.sync_objects) add(o.id);
  deadlocked_.clear();
  for (const gor::DeadlockInfo& d : s.deadlocks)
    for (uint64_t g : d.cycle) deadlocked_[g] = qs(d.description);
}

QString GoroutineTableModel::object_text(uint64_t id) const {
  if (id == 0) return {};
  auto it = objects_.find(id);
  return it != objects_.end() ? it->second.name : QStringLiteral("object #%1").arg(id);
}

const QString& GoroutineTableModel::site_text(const std::string& site) const {
  auto it = sites_.find(site);
  if (it != sites_.end()) return it->second;
  if (sites_.size() > 4096) sites_.clear();  // sites are few; this only bounds a pathological run
  return sites_.emplace(site, short_site(site)).first->second;
}

bool GoroutineTableModel::unchanged(const Row& r, const gor::GoroutineInfo& g, const TraceStore& store) const {
  const gor::GoroutineInfo& o = r.raw;
  if (o.since_ns != g.since_ns || o.wait_object != g.wait_object || o.p != g.p || o.parent != g.parent ||
      o.state != g.state || o.wait_reason != g.wait_reason || o.label != g.label || o.blocked_at != g.blocked_at ||
      o.created_at != g.created_at)
    return false;
  if (g.wait_object && r.object != object_text(g.wait_object)) return false;
  auto d = deadlocked_.find(g.id);
  if ((d == deadlocked_.end() ? QString() : d->second) != r.deadlock) return false;
  // The trace may name a goroutine (label, creation time) after the snapshot first shows it.
  const GoroutineRecord* rec = store.goroutine(g.id);
  if ((rec ? rec->created_ns : -1) != r.created_ns) return false;
  if (r.label.isEmpty() && rec && !rec->label.empty()) return false;
  return true;
}

const QString& GoroutineTableModel::shared_text(const std::string& s) const {
  auto it = texts_.find(s);
  if (it != texts_.end()) return it->second;
  if (texts_.size() > 16384) texts_.clear();  // states, reasons and sites repeat; unique labels must not pile up
  return texts_.emplace(s, qs(s)).first->second;
}

GoroutineTableModel::Row GoroutineTableModel::make_row(const gor::GoroutineInfo& g, const TraceStore& store,
                                                       const Row* previous) const {
  // Thousands of goroutines share a few states, wait reasons and sites: their rows share one
  // QString each (implicitly shared) instead of allocating per row.
  const gor::GoroutineInfo* was = previous ? &previous->raw : nullptr;
  auto text = [&](const std::string& now, const std::string& before, const QString& kept) -> QString {
    return was && now == before ? kept : shared_text(now);
  };
  Row r;
  r.parent = g.parent;
  r.label = text(g.label, was ? was->label : g.label, was ? previous->label : QString());
  r.state = text(g.state, was ? was->state : g.state, was ? previous->state : QString());
  r.wait_reason = text(g.wait_reason, was ? was->wait_reason : g.wait_reason, was ? previous->wait_reason : QString());
  r.object = object_text(g.wait_object);
  std::string created = g.created_at;
  if (const GoroutineRecord* rec = store.goroutine(g.id)) {
    r.created_ns = rec->created_ns;
    if (r.label.isEmpty()) r.label = qs(rec->label);
    if (created.empty()) created = rec->created_at;
    if (!r.parent) r.parent = rec->parent;
  }
  if (g.id == 1 && !r.parent) created.clear();  // the main goroutine: the engine started it, no line of the program did
  if (was && !g.created_at.empty() && was->created_at == g.created_at) {  // else it may come from the trace
    r.created_at = previous->created_at;
    r.created_short = previous->created_short;
  } else {
    r.created_at = shared_text(created);
    r.created_short = site_text(created);
  }
  if (was && was->blocked_at == g.blocked_at) {
    r.blocked_at = previous->blocked_at;
    r.blocked_short = previous->blocked_short;
  } else {
    r.blocked_at = shared_text(g.blocked_at);
    r.blocked_short = site_text(g.blocked_at);
  }
  if (auto d = deadlocked_.find(g.id); d != deadlocked_.end()) r.deadlock = d->second;
  r.raw = g;
  return r;
}

bool GoroutineTableModel::set_snapshot(const gor::Snapshot& snapshot, const TraceStore& store, size_t max_changes) {
  index_objects(snapshot);
  // Snapshots list goroutines by id; be safe if one does not.
  std::vector<const gor::GoroutineInfo*> fresh;
  fresh.reserve(snapshot.goroutines.size());
  for (const gor::GoroutineInfo& g : snapshot.goroutines) fresh.push_back(&g);
  const auto by_id = [](const gor::GoroutineInfo* a, const gor::GoroutineInfo* b) { return a->id < b->id; };
  if (!std::is_sorted(fresh.begin(), fresh.end(), by_id)) std::stable_sort(fresh.begin(), fresh.end(), by_id);
  fresh.erase(std::unique(fresh.begin(), fresh.end(), [](auto* a, auto* b) { return a->id == b->id; }), fresh.end());
  // At most max_changes rows come or go (lowest ids first); the rest next time: rows of
  // goroutines that are gone stay as they were until then.
  bool complete = true;
  std::deque<gor::GoroutineInfo> held;  // gone goroutines kept one more time (stable addresses)
  if (max_changes < fresh.size() + rows_.size()) {
    std::vector<const gor::GoroutineInfo*> kept;
    kept.reserve(fresh.size());
    size_t changes = 0, i = 0, j = 0;
    constexpr uint64_t kNone = std::numeric_limits<uint64_t>::max();
    while (i < rows_.size() || j < fresh.size()) {
      const uint64_t old_id = i < rows_.size() ? rows_[i].raw.id : kNone;
      const uint64_t new_id = j < fresh.size() ? fresh[j]->id : kNone;
      if (old_id < new_id) {  // gone
        if (changes < max_changes) {
          ++changes;
        } else {
          held.push_back(rows_[i].raw);
          kept.push_back(&held.back());
          complete = false;
        }
        ++i;
      } else if (new_id < old_id) {  // new
        if (changes < max_changes) {
          ++changes;
          kept.push_back(fresh[j]);
        } else {
          complete = false;
        }
        ++j;
      } else {
        kept.push_back(fresh[j]);
        ++i;
        ++j;
      }
    }
    fresh.swap(kept);
  }
  constexpr uint64_t kEnd = std::numeric_limits<uint64_t>::max();
  if (count_runs(fresh) > kMaxRuns) {
    relayout_rows(fresh, store);
    update_clock(snapshot.now_ns);
    return complete;
  }
  std::vector<int> changed;
  size_t i = 0, j = 0;
  while (i < rows_.size() || j < fresh.size()) {
    const uint64_t old_id = i < rows_.size() ? rows_[i].raw.id : kEnd;
    const uint64_t new_id = j < fresh.size() ? fresh[j]->id : kEnd;
    if (old_id < new_id) {  // a run of goroutines that are gone
      size_t k = i;
      while (k < rows_.size() && rows_[k].raw.id < new_id) ++k;
      beginRemoveRows({}, static_cast<int>(i), static_cast<int>(k) - 1);
      rows_.erase(rows_.begin() + static_cast<std::ptrdiff_t>(i), rows_.begin() + static_cast<std::ptrdiff_t>(k));
      endRemoveRows();
    } else if (new_id < old_id) {  // a run of new goroutines
      size_t m = j;
      while (m < fresh.size() && fresh[m]->id < old_id) ++m;
      std::vector<Row> added;
      added.reserve(m - j);
      for (size_t n = j; n < m; ++n) added.push_back(make_row(*fresh[n], store));
      beginInsertRows({}, static_cast<int>(i), static_cast<int>(i + added.size()) - 1);
      rows_.insert(rows_.begin() + static_cast<std::ptrdiff_t>(i), std::make_move_iterator(added.begin()),
                   std::make_move_iterator(added.end()));
      endInsertRows();
      i += m - j;
      j = m;
    } else {
      if (!unchanged(rows_[i], *fresh[j], store)) {
        rows_[i] = make_row(*fresh[j], store, &rows_[i]);
        changed.push_back(static_cast<int>(i));
      }
      ++i;
      ++j;
    }
  }
  emit_changed_runs(changed);
  update_clock(snapshot.now_ns);
  return complete;
}

void GoroutineTableModel::update_clock(int64_t now_ns) {
  if (now_ns != now_ns_) {
    now_ns_ = now_ns;
    if (!rows_.empty()) emit dataChanged(index(0, TimeInState), index(rowCount() - 1, TimeInState));
  }
}

size_t GoroutineTableModel::count_runs(const std::vector<const gor::GoroutineInfo*>& fresh) const {
  // Runs of rows that go and runs that come, as the incremental path would signal them.
  size_t runs = 0, i = 0, j = 0;
  int last = 0;  // 1: in a removal run, 2: in an insertion run
  while (i < rows_.size() || j < fresh.size()) {
    const bool gone = j == fresh.size() || (i < rows_.size() && rows_[i].raw.id < fresh[j]->id);
    const bool come = !gone && (i == rows_.size() || fresh[j]->id < rows_[i].raw.id);
    const int now = gone ? 1 : come ? 2 : 0;
    if (now && now != last) ++runs;
    last = now;
    if (gone) ++i;
    else if (come) ++j;
    else ++i, ++j;
  }
  return runs;
}

void GoroutineTableModel::relayout_rows(const std::vector<const gor::GoroutineInfo*>& fresh, const TraceStore& store) {
  // Thousands of goroutines born and ended between two snapshots, scattered among the rest:
  // one signal per run would make a sorting proxy and the view renumber every row once per
  // run. One layout change instead: kept rows move (their persistent indexes follow them),
  // ended ones' persistent indexes become invalid, and the proxy re-sorts once.
  std::vector<Row> next;
  next.reserve(fresh.size());
  std::vector<int> new_row(rows_.size(), -1);
  std::vector<int> changed;
  size_t i = 0;
  for (const gor::GoroutineInfo* g : fresh) {
    while (i < rows_.size() && rows_[i].raw.id < g->id) ++i;
    if (i < rows_.size() && rows_[i].raw.id == g->id) {
      new_row[i] = static_cast<int>(next.size());
      if (unchanged(rows_[i], *g, store)) {
        next.push_back(std::move(rows_[i]));
      } else {
        changed.push_back(static_cast<int>(next.size()));
        next.push_back(make_row(*g, store, &rows_[i]));
      }
      ++i;
    } else {
      next.push_back(make_row(*g, store));
    }
  }
  emit layoutAboutToBeChanged();
  const QModelIndexList from = persistentIndexList();
  QModelIndexList to;
  to.reserve(from.size());
  for (const QModelIndex& p : from) {
    const int r = p.row() >= 0 && p.row() < static_cast<int>(new_row.size()) ? new_row[static_cast<size_t>(p.row())] : -1;
    to.push_back(r >= 0 ? createIndex(r, p.column()) : QModelIndex());
  }
  changePersistentIndexList(from, to);
  rows_ = std::move(next);
  emit layoutChanged();
  emit_changed_runs(changed);  // kept rows whose goroutine changed (the new ones came with the layout)
}

void GoroutineTableModel::emit_changed_runs(const std::vector<int>& rows) {
  // A row's id never changes, so the Id column is left out: a proxy sorted by id (the
  // default) then keeps its order instead of re-sorting the changed rows.
  if (rows.empty()) return;
  size_t runs = 1;
  for (size_t a = 1; a < rows.size(); ++a) runs += rows[a] != rows[a - 1] + 1;
  if (runs > kMaxRuns) {  // thousands of scattered changes: one signal over their span
    emit dataChanged(index(rows.front(), Label), index(rows.back(), ColumnCount - 1));
    return;
  }
  for (size_t a = 0; a < rows.size();) {
    size_t b = a;
    while (b + 1 < rows.size() && rows[b + 1] == rows[b] + 1) ++b;
    emit dataChanged(index(rows[a], Label), index(rows[b], ColumnCount - 1));
    a = b + 1;
  }
}

void GoroutineTableModel::clear() {
  beginResetModel();
  rows_.clear();
  objects_.clear();
  deadlocked_.clear();
  now_ns_ = 0;
  endResetModel();
}

uint64_t GoroutineTableModel::goroutine_at(int row) const {
  return row >= 0 && row < rowCount() ? rows_[static_cast<size_t>(row)].raw.id : 0;
}

int GoroutineTableModel::row_of(uint64_t g) const {
  auto it = std::lower_bound(rows_.begin(), rows_.end(), g, [](const Row& r, uint64_t v) { return r.raw.id < v; });
  return it != rows_.end() && it->raw.id == g ? static_cast<int>(it - rows_.begin()) : -1;
}

int64_t GoroutineTableModel::time_in_state_ns(int row) const {
  return row >= 0 && row < rowCount() ? std::max<int64_t>(0, now_ns_ - rows_[static_cast<size_t>(row)].raw.since_ns) : 0;
}

int GoroutineTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int GoroutineTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString GoroutineTableModel::display(const Row& r, int column) const {
  switch (column) {
    case Id: return QStringLiteral("G%1").arg(r.raw.id);
    case Label: return r.label;
    case State: return r.state == QLatin1String("running") && r.raw.p >= 0 ? QStringLiteral("running on P%1").arg(r.raw.p) : r.state;
    case WaitReason: return r.wait_reason;
    case Object: return r.object;
    case TimeInState: return format_duration(std::max<int64_t>(0, now_ns_ - r.raw.since_ns));
    case CreatedAt: return r.created_short;
    case BlockedAt: return r.blocked_short;
    default: return {};
  }
}

QVariant GoroutineTableModel::sort_value(const Row& r, int column) const {
  switch (column) {
    case Id: return QVariant::fromValue<qulonglong>(r.raw.id);
    case TimeInState: return QVariant::fromValue<qlonglong>(std::max<int64_t>(0, now_ns_ - r.raw.since_ns));
    default: return display(r, column);
  }
}

QString GoroutineTableModel::tooltip(const Row& r) const {
  QStringList lines;
  lines << (r.label.isEmpty() ? QStringLiteral("G%1").arg(r.raw.id) : QStringLiteral("G%1 · %2").arg(r.raw.id).arg(r.label));
  QString state = display(r, State);
  if (!r.wait_reason.isEmpty()) state += QStringLiteral(" (%1)").arg(r.wait_reason);
  if (!r.object.isEmpty()) state += QStringLiteral(" on %1").arg(r.object);
  state += QStringLiteral(" for %1").arg(display(r, TimeInState));
  lines << state;
  if (auto o = objects_.find(r.raw.wait_object); o != objects_.end() && !o->second.details.isEmpty())
    lines << QStringLiteral("%1: %2").arg(r.object, o->second.details);
  QString created = r.raw.id == 1 && !r.parent ? QStringLiteral("main goroutine, created") : QStringLiteral("created");
  if (r.created_ns >= 0) created += QStringLiteral(" at %1").arg(format_engine_time(r.created_ns));
  if (r.parent) created += QStringLiteral(" by G%1").arg(r.parent);
  if (!r.created_at.isEmpty()) created += QStringLiteral(" in %1").arg(r.created_at);
  lines << created;
  if (!r.blocked_at.isEmpty()) lines << QStringLiteral("blocked at %1").arg(r.blocked_at);
  if (!r.deadlock.isEmpty()) lines << QStringLiteral("deadlocked: %1").arg(r.deadlock);
  return lines.join(QLatin1Char('\n'));
}

QVariant GoroutineTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const Row& r = rows_[static_cast<size_t>(index.row())];
  switch (role) {
    case Qt::DisplayRole: return display(r, index.column());
    case SortRole: return sort_value(r, index.column());
    case StateRole: return r.state;
    case GoroutineRole: return QVariant::fromValue<qulonglong>(r.raw.id);
    case Qt::ToolTipRole: return tooltip(r);
    case Qt::TextAlignmentRole:
      if (index.column() == TimeInState) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
      return {};
    default: return {};
  }
}

QVariant GoroutineTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
  switch (section) {
    case Id: return QStringLiteral("ID");
    case Label: return QStringLiteral("Label");
    case State: return QStringLiteral("State");
    case WaitReason: return QStringLiteral("Wait reason");
    case Object: return QStringLiteral("Object");
    case TimeInState: return QStringLiteral("Time in state");
    case CreatedAt: return QStringLiteral("Created at");
    case BlockedAt: return QStringLiteral("Blocked at");
    default: return {};
  }
}

}  // namespace goroscope::gui
