// goroutine_table_model_test.cpp — GoroutineTableModel over successive synthetic snapshots:
// incremental row updates (checked by QAbstractItemModelTester), object names, sorting.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QtTest>

#include <QTableView>

#include "model/goroutine_table_model.hpp"
#include "model/selection.hpp"
#include "views/goroutine_table.hpp"
#include "model/trace_store.hpp"
#include "views/goroutine_colors.hpp"

using goroscope::gui::GoroutineSelection;
using goroscope::gui::GoroutineTable;
using goroscope::gui::GoroutineTableModel;
using goroscope::gui::TraceStore;

namespace {

gor::GoroutineInfo g(uint64_t id, const char* state, int64_t since, uint64_t object = 0, const char* reason = "") {
  gor::GoroutineInfo info;
  info.id = id;
  info.parent = id == 1 ? 0 : 1;
  info.state = state;
  info.since_ns = since;
  info.wait_object = object;
  info.wait_reason = reason;
  info.p = std::string(state) == "running" ? 0 : -1;
  info.created_at = "main.cpp:10 in main";
  if (object) info.blocked_at = "main.cpp:20 in worker";
  return info;
}

gor::Snapshot with_objects(int64_t now) {
  gor::Snapshot s;
  s.now_ns = now;
  gor::ChannelInfo jobs;
  jobs.id = 200;
  jobs.name = "jobs";
  jobs.cap = 4;
  s.channels.push_back(jobs);
  gor::ChannelInfo anon;
  anon.id = 201;
  s.channels.push_back(anon);
  gor::MutexInfo mu;
  mu.id = 300;
  mu.name = "mu";
  mu.kind = "Mutex";
  mu.holder = 2;
  s.mutexes.push_back(mu);
  gor::SyncObjectInfo wg;
  wg.id = 100;
  wg.name = "wg";
  wg.kind = "WaitGroup";
  wg.value = 3;
  s.sync_objects.push_back(wg);
  return s;
}

QString cell(const QAbstractItemModel& m, int row, int column, int role = Qt::DisplayRole) {
  return m.data(m.index(row, column), role).toString();
}

QStringList column_texts(const QAbstractItemModel& m, int column) {
  QStringList out;
  for (int r = 0; r < m.rowCount(); ++r) out << cell(m, r, column);
  return out;
}

}  // namespace

class GoroutineTableModelTest : public QObject {
  Q_OBJECT
 private slots:
  void incremental_updates_keep_rows_and_persistent_indexes() {
    GoroutineTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(GoroutineTableModel::SortRole);
    proxy.sort(GoroutineTableModel::Id);
    QAbstractItemModelTester proxy_tester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    TraceStore store;
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    gor::Snapshot s1 = with_objects(5'000'000);
    s1.goroutines = {g(1, "waiting", 1'000'000, 100, "sync.WaitGroup.Wait"), g(2, "running", 2'000'000),
                     g(3, "waiting", 2'000'000, 200, "chan receive"), g(5, "waiting", 4'000'000, 300, "sync.Mutex.Lock")};
    model.set_snapshot(s1, store);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(column_texts(model, GoroutineTableModel::Id), QStringList({"G1", "G2", "G3", "G5"}));
    QCOMPARE(cell(model, 1, GoroutineTableModel::State), QString("running on P0"));
    QCOMPARE(cell(model, 2, GoroutineTableModel::WaitReason), QString("chan receive"));
    QCOMPARE(cell(model, 2, GoroutineTableModel::TimeInState), QString("3.000 ms"));
    QCOMPARE(model.data(model.index(2, GoroutineTableModel::TimeInState), GoroutineTableModel::SortRole).toLongLong(),
             3'000'000LL);
    QCOMPARE(model.row_of(5), 3);
    QCOMPARE(model.goroutine_at(2), uint64_t{3});

    QPersistentModelIndex g5(model.index(3, GoroutineTableModel::State));
    QPersistentModelIndex g3(model.index(2, GoroutineTableModel::State));
    inserted.clear();
    changed.clear();

    // G2 ends; G4, G6 and G7 appear; G3 is woken; time passes.
    gor::Snapshot s2 = with_objects(6'000'000);
    s2.goroutines = {g(1, "waiting", 1'000'000, 100, "sync.WaitGroup.Wait"), g(3, "runnable", 5'500'000),
                     g(4, "runnable", 5'000'000), g(5, "waiting", 4'000'000, 300, "sync.Mutex.Lock"),
                     g(6, "running", 5'900'000), g(7, "waiting", 5'950'000, 201, "chan send")};
    model.set_snapshot(s2, store);
    QCOMPARE(resets.count(), 0);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 1);  // G2's row
    QCOMPARE(inserted.count(), 2);             // {G4} and {G6, G7}
    QCOMPARE(column_texts(model, GoroutineTableModel::Id), QStringList({"G1", "G3", "G4", "G5", "G6", "G7"}));
    QVERIFY(g5.isValid());
    QCOMPARE(g5.row(), model.row_of(5));
    QCOMPARE(g3.row(), model.row_of(3));
    QCOMPARE(g3.data().toString(), QString("runnable"));
    QVERIFY(cell(model, model.row_of(3), GoroutineTableModel::Object).isEmpty());
    QVERIFY(!changed.isEmpty());  // G3's state and every time in state
    QCOMPARE(cell(model, model.row_of(7), GoroutineTableModel::Object), QString("chan #201"));

    // Same snapshot again: nothing changes, nothing is signalled.
    inserted.clear();
    removed.clear();
    changed.clear();
    model.set_snapshot(s2, store);
    QCOMPARE(inserted.count() + removed.count() + changed.count(), 0);

    // Everything ends.
    gor::Snapshot s3 = with_objects(7'000'000);
    model.set_snapshot(s3, store);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(resets.count(), 0);
    QCOMPARE(model.row_of(1), -1);
    QCOMPARE(model.goroutine_at(0), uint64_t{0});

    model.set_snapshot(s1, store);
    QCOMPARE(model.rowCount(), 4);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(resets.count(), 1);
  }

  void scattered_births_and_ends_take_one_layout_change() {
    GoroutineTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(GoroutineTableModel::SortRole);
    proxy.setDynamicSortFilter(true);
    proxy.sort(GoroutineTableModel::Id, Qt::DescendingOrder);
    QAbstractItemModelTester proxy_tester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    TraceStore store;
    gor::Snapshot s = with_objects(5'000'000);
    for (uint64_t id = 2; id <= 400; id += 2) s.goroutines.push_back(g(id, "waiting", 1'000'000, 200, "chan receive"));
    model.set_snapshot(s, store);
    QCOMPARE(model.rowCount(), 200);
    QPersistentModelIndex kept(model.index(model.row_of(8), GoroutineTableModel::State));
    QPersistentModelIndex gone(model.index(model.row_of(6), GoroutineTableModel::State));
    QPersistentModelIndex kept_in_proxy(proxy.mapFromSource(model.index(model.row_of(10), 0)));

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy layouts(&model, &QAbstractItemModel::layoutChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    // Every third goroutine ended, odd ids were born between the rest, G8 woke up.
    s.now_ns = 6'000'000;
    s.goroutines.clear();
    for (uint64_t id = 1; id <= 400; ++id) {
      if (id % 2 == 0 && id % 3 == 0) continue;
      s.goroutines.push_back(id == 8 ? g(id, "runnable", 5'500'000) : g(id, "waiting", 1'000'000, 200, "chan receive"));
    }
    model.set_snapshot(s, store);
    QCOMPARE(resets.count(), 0);
    QCOMPARE(layouts.count(), 1);
    QCOMPARE(inserted.count() + removed.count(), 0);
    QCOMPARE(model.rowCount(), static_cast<int>(s.goroutines.size()));
    for (int r = 0; r < model.rowCount(); ++r) QCOMPARE(model.goroutine_at(r), s.goroutines[static_cast<size_t>(r)].id);
    QVERIFY(kept.isValid());
    QCOMPARE(kept.row(), model.row_of(8));
    QCOMPARE(kept.data().toString(), QString("runnable"));
    QVERIFY(!gone.isValid());
    QVERIFY(kept_in_proxy.isValid());
    QCOMPARE(kept_in_proxy.data().toString(), QString("G10"));
    QCOMPARE(proxy.rowCount(), model.rowCount());
    QCOMPARE(cell(proxy, 0, GoroutineTableModel::Id), QString("G400"));
    QCOMPARE(cell(proxy, proxy.rowCount() - 1, GoroutineTableModel::Id), QString("G1"));
    QCOMPARE(cell(model, model.row_of(7), GoroutineTableModel::Object), QString("chan jobs"));
    QCOMPARE(cell(model, model.row_of(8), GoroutineTableModel::TimeInState), QString("500.0 us"));
  }

  void crowds_of_goroutines_come_and_go_over_several_calls() {
    GoroutineTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    TraceStore store;
    gor::Snapshot s = with_objects(1000);
    for (uint64_t id = 1; id <= 2500; ++id) s.goroutines.push_back(g(id, "runnable", 0));
    QVERIFY(!model.set_snapshot(s, store, 1000));
    QCOMPARE(model.rowCount(), 1000);
    QCOMPARE(model.goroutine_at(999), uint64_t(1000));  // the lowest ids first
    s.goroutines[0].state = "running";  // known rows still update while the rest waits
    QVERIFY(!model.set_snapshot(s, store, 1000));
    QCOMPARE(model.rowCount(), 2000);
    QCOMPARE(model.data(model.index(0, GoroutineTableModel::State)).toString().startsWith(QStringLiteral("running")), true);
    QVERIFY(model.set_snapshot(s, store, 1000));
    QCOMPARE(model.rowCount(), 2500);
    QVERIFY(model.set_snapshot(s, store, 0));  // nothing new: complete even with no room
    s.goroutines.erase(s.goroutines.begin() + 10, s.goroutines.end());  // 2,490 end at once
    QVERIFY(!model.set_snapshot(s, store, 2000));
    QCOMPARE(model.rowCount(), 500);  // the lowest 2,000 ended ones went first
    QCOMPARE(model.goroutine_at(9), uint64_t(10));
    QCOMPARE(model.goroutine_at(10), uint64_t(2011));  // still shown as they were
    QVERIFY(model.set_snapshot(s, store, 2000));
    QCOMPARE(model.rowCount(), 10);
  }

  void resolves_object_names() {
    GoroutineTableModel model;
    TraceStore store;
    gor::Snapshot s = with_objects(1'000);
    s.goroutines = {g(1, "waiting", 0, 100, "sync.WaitGroup.Wait"), g(2, "waiting", 0, 200, "chan receive"),
                    g(3, "waiting", 0, 300, "sync.Mutex.Lock"), g(4, "waiting", 0, 999, "select"),
                    g(8, "runnable", 0)};
    model.set_snapshot(s, store);
    QCOMPARE(column_texts(model, GoroutineTableModel::Object),
             QStringList({"WaitGroup wg", "chan jobs", "mutex mu", "object #999", ""}));
    const QString tip = cell(model, 2, GoroutineTableModel::Id, Qt::ToolTipRole);
    QVERIFY2(tip.contains("mutex mu: held by G2"), qPrintable(tip));
    QVERIFY2(tip.contains("sync.Mutex.Lock"), qPrintable(tip));
    QVERIFY2(!model.data(model.index(0, GoroutineTableModel::Id), Qt::DecorationRole).isValid(),
             "the model knows no colours: the table view adds them");
  }

  void label_and_creation_time_come_from_the_store() {
    GoroutineTableModel model;
    TraceStore store;
    store.add_string(1, "main.cpp:10 in main");
    store.add_string(2, "worker 1");
    gor::Event create;
    create.kind = gor::EventKind::GoCreate;
    create.ts = 1'500'000;
    create.g = 4;
    create.a0 = 1;
    create.a1 = 1;
    create.a2 = 2;
    store.append({create});
    gor::Snapshot s = with_objects(2'000'000);
    s.goroutines = {g(1, "running", 0), g(4, "runnable", 1'500'000)};
    model.set_snapshot(s, store);
    QCOMPARE(cell(model, 1, GoroutineTableModel::Label), QString("worker 1"));
    QVERIFY(cell(model, 1, GoroutineTableModel::Id, Qt::ToolTipRole).contains("created at 1.500 ms by G1"));
  }

  void sorts_by_raw_values_through_a_proxy() {
    GoroutineTableModel model;
    TraceStore store;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(GoroutineTableModel::SortRole);
    proxy.setDynamicSortFilter(true);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    gor::Snapshot s = with_objects(100'000'000);
    // Ids whose text sorts differently from their number; times in state 1 us, 90 ms, 2 ms.
    s.goroutines = {g(2, "runnable", 99'999'000), g(10, "runnable", 10'000'000), g(100, "runnable", 98'000'000)};
    model.set_snapshot(s, store);

    proxy.sort(GoroutineTableModel::Id, Qt::AscendingOrder);
    QCOMPARE(column_texts(proxy, GoroutineTableModel::Id), QStringList({"G2", "G10", "G100"}));
    proxy.sort(GoroutineTableModel::TimeInState, Qt::DescendingOrder);
    QCOMPARE(column_texts(proxy, GoroutineTableModel::Id), QStringList({"G10", "G100", "G2"}));

    // Dynamic sorting follows the next frame: G2 now waited longest.
    s.now_ns = 200'000'000;
    s.goroutines = {g(2, "waiting", 1'000, 200, "chan receive"), g(10, "runnable", 10'000'000),
                    g(100, "runnable", 98'000'000), g(50, "running", 199'000'000)};
    model.set_snapshot(s, store);
    QCOMPARE(column_texts(proxy, GoroutineTableModel::Id), QStringList({"G2", "G10", "G100", "G50"}));
    proxy.sort(GoroutineTableModel::Id, Qt::DescendingOrder);
    QCOMPARE(column_texts(proxy, GoroutineTableModel::Id), QStringList({"G100", "G50", "G10", "G2"}));
  }

  void table_widget_filters_and_follows_the_shared_selection() {
    GoroutineSelection selection;
    GoroutineTable table(selection);
    table.resize(900, 400);
    table.show();
    QVERIFY(QTest::qWaitForWindowExposed(&table));
    TraceStore store;
    gor::Snapshot s = with_objects(5'000'000);
    for (uint64_t id = 1; id <= 40; ++id)
      s.goroutines.push_back(id % 4 == 0 ? g(id, "running", 0) : g(id, "waiting", 0, id % 2 ? 200 : 300, "chan receive"));
    table.set_snapshot(s, store);
    QTableView* view = table.view();
    QCOMPARE(view->model()->rowCount(), 40);
    // The view gives each goroutine's id cell the colour it has in every view.
    const QModelIndex id_cell = view->model()->index(0, GoroutineTableModel::Id);
    QCOMPARE(id_cell.data(Qt::DecorationRole).value<QColor>(),
             goroscope::gui::goroutine_color(id_cell.data(GoroutineTableModel::GoroutineRole).toULongLong()));
    QVERIFY(!view->model()->index(0, GoroutineTableModel::Label).data(Qt::DecorationRole).isValid());
    QSignalSpy changed(&selection, &GoroutineSelection::changed);

    // A click on a row selects its goroutine, once.
    const QModelIndex row7 = view->model()->index(6, GoroutineTableModel::Label);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(row7).center());
    QCOMPARE(selection.selected(), uint64_t{7});
    QCOMPARE(changed.count(), 1);

    // Selected elsewhere: the row is selected and scrolled to, without echoing back.
    selection.select(38);
    QCOMPARE(changed.count(), 2);
    QModelIndexList rows = view->selectionModel()->selectedRows();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().data(GoroutineTableModel::GoroutineRole).toULongLong(), 38ULL);
    QVERIFY(view->viewport()->rect().intersects(view->visualRect(rows.first())));

    // The next frame keeps the selection although rows come and go before it.
    s.goroutines.erase(s.goroutines.begin(), s.goroutines.begin() + 5);
    s.now_ns += 1'000'000;
    table.set_snapshot(s, store);
    rows = view->selectionModel()->selectedRows();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().data(GoroutineTableModel::GoroutineRole).toULongLong(), 38ULL);
    QCOMPARE(changed.count(), 2);

    // Filters: state and text (any column, case-insensitive).
    table.set_state_filter(QStringLiteral("running"));
    QCOMPARE(view->model()->rowCount(), 9);  // 8, 12, ..., 40
    table.set_filter_text(QStringLiteral("G1"));
    QCOMPARE(view->model()->rowCount(), 2);  // G12 and G16
    table.set_state_filter(QStringLiteral("All"));
    table.set_filter_text(QStringLiteral("MUTEX MU"));
    for (int r = 0; r < view->model()->rowCount(); ++r)
      QCOMPARE(view->model()->index(r, GoroutineTableModel::Object).data().toString(), QStringLiteral("mutex mu"));
    QCOMPARE(view->model()->rowCount(), 9);  // even ids not divisible by 4, from 6 to 38
    table.set_filter_text(QString());
    QCOMPARE(view->model()->rowCount(), 35);
    QCOMPARE(selection.selected(), uint64_t{38});

    // Selecting a goroutine the table does not have clears the table's selection only.
    selection.select(999);
    QVERIFY(view->selectionModel()->selectedRows().isEmpty());
    QCOMPARE(selection.selected(), uint64_t{999});
  }
};

QTEST_MAIN(GoroutineTableModelTest)
#include "goroutine_table_model_test.moc"
