// sample_widgets_test.cpp — SampleGallery (topics, search, signals) and SampleDetails (one
// editor per parameter, values SampleParams::parse accepts, restore, Defaults).
#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTextBrowser>
#include <QTreeView>
#include <QtTest>

#include <goroscope/registry.hpp>

#include "views/sample_details.hpp"
#include "views/sample_gallery.hpp"

using goroscope::gui::SampleDetails;
using goroscope::gui::SampleGallery;

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

const goroscope::Sample& sample_with_params() {
  for (const goroscope::Sample& s : goroscope::all_samples())
    if (s.info.params.size() >= 2) return s;
  qFatal("no sample with two parameters");
}

}  // namespace

class SampleWidgetsTest : public QObject {
  Q_OBJECT
 private slots:
  void gallery_lists_every_sample_grouped_by_topic() {
    SampleGallery gallery;
    auto* tree = gallery.findChild<QTreeView*>(QStringLiteral("sampleTree"));
    QVERIFY(tree);
    const QAbstractItemModel* m = tree->model();
    // Topics in order of first appearance, samples in registry order under their topic.
    QStringList topics;
    std::map<QString, QStringList> by_topic;
    for (const goroscope::Sample& s : goroscope::all_samples()) {
      if (!topics.contains(qs(s.info.topic))) topics << qs(s.info.topic);
      by_topic[qs(s.info.topic)] << qs(s.info.id);
    }
    QCOMPARE(m->rowCount(), topics.size());
    QStringList expected_order;
    for (int t = 0; t < m->rowCount(); ++t) {
      const QModelIndex group = m->index(t, 0);
      QCOMPARE(group.data().toString(), topics[t]);
      QVERIFY(tree->isExpanded(group));
      QStringList ids;
      for (int r = 0; r < m->rowCount(group); ++r) {
        const QModelIndex item = m->index(r, 0, group);
        const QString id = item.data(SampleGallery::IdRole).toString();
        const goroscope::Sample* s = goroscope::find_sample(id.toStdString());
        QVERIFY2(s, qPrintable(id));
        QCOMPARE(item.data().toString(), qs(s->info.title));
        // The summary, then how long the story plays at the pace it opens with.
        QVERIFY(item.data(Qt::ToolTipRole).toString().startsWith(qs(s->info.summary)));
        QVERIFY2(item.data(Qt::ToolTipRole).toString().contains(QStringLiteral("\nPlays ")), qPrintable(id));
        ids << id;
      }
      QCOMPARE(ids, by_topic[topics[t]]);
      expected_order += ids;
    }
    QCOMPARE(gallery.visible_samples(), expected_order);
    QCOMPARE(static_cast<size_t>(expected_order.size()), goroscope::all_samples().size());
  }

  void search_keeps_only_matching_samples() {
    SampleGallery gallery;
    gallery.set_search_text(QStringLiteral("MUTEX"));
    const QStringList shown = gallery.visible_samples();
    QVERIFY(!shown.isEmpty());
    QVERIFY(shown.contains(QStringLiteral("mutex-starvation")));
    QVERIFY(shown.size() < static_cast<int>(goroscope::all_samples().size()));
    for (const goroscope::Sample& s : goroscope::all_samples()) {
      const bool matches = qs(s.info.title + ' ' + s.info.id + ' ' + s.info.topic + ' ' + s.info.summary)
                               .contains(QStringLiteral("mutex"), Qt::CaseInsensitive);
      QCOMPARE(shown.contains(qs(s.info.id)), matches);
    }
    // A topic name finds every sample of that topic.
    gallery.set_search_text(QStringLiteral("channels"));
    for (const goroscope::Sample& s : goroscope::all_samples())
      if (s.info.topic == "Channels") QVERIFY2(gallery.visible_samples().contains(qs(s.info.id)), s.info.id.c_str());
    gallery.set_search_text(QStringLiteral("no sample is called this"));
    QVERIFY(gallery.visible_samples().isEmpty());
    gallery.set_search_text(QString());
    QCOMPARE(static_cast<size_t>(gallery.visible_samples().size()), goroscope::all_samples().size());
  }

  void selection_emits_sample_chosen_and_activation() {
    SampleGallery gallery;
    QSignalSpy chosen(&gallery, &SampleGallery::sampleChosen);
    QSignalSpy activated(&gallery, &SampleGallery::sampleActivated);
    QCOMPARE(gallery.selected_sample(), QString());
    gallery.select_sample(QStringLiteral("deadlock"));
    QCOMPARE(gallery.selected_sample(), QStringLiteral("deadlock"));
    QCOMPARE(chosen.count(), 1);
    QCOMPARE(chosen.at(0).at(0).toString(), QStringLiteral("deadlock"));
    gallery.select_sample(QStringLiteral("deadlock"));  // no change, no signal
    gallery.select_sample(QStringLiteral("no-such-sample"));
    QCOMPARE(chosen.count(), 1);
    QCOMPARE(gallery.selected_sample(), QStringLiteral("deadlock"));

    // A sample hidden by the search: selecting it clears the search.
    gallery.set_search_text(QStringLiteral("mutex"));
    gallery.select_sample(QStringLiteral("worker-pool"));
    QCOMPARE(gallery.selected_sample(), QStringLiteral("worker-pool"));
    QCOMPARE(static_cast<size_t>(gallery.visible_samples().size()), goroscope::all_samples().size());

    // The user clicks a sample, then presses Enter on it.
    gallery.show();
    QVERIFY(QTest::qWaitForWindowExposed(&gallery));
    auto* tree = gallery.findChild<QTreeView*>(QStringLiteral("sampleTree"));
    const QModelIndex group = tree->model()->index(0, 0);
    const QModelIndex second = tree->model()->index(1, 0, group);
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, tree->visualRect(second).center());
    const QString id = second.data(SampleGallery::IdRole).toString();
    QCOMPARE(gallery.selected_sample(), id);
    QCOMPARE(chosen.last().at(0).toString(), id);
    tree->setFocus();
    QTest::keyClick(tree, Qt::Key_Return);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).toString(), id);
    // Topic rows are not samples: clicking one chooses nothing.
    const int before = chosen.count();
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, tree->visualRect(group).center());
    QCOMPARE(chosen.count(), before);
  }

  void filtering_never_changes_the_chosen_sample() {
    // Issue 19: typing "st" switched the sample to another one, and "steal" left About
    // describing a sample the list no longer showed.
    SampleGallery gallery;
    gallery.show();
    QVERIFY(QTest::qWaitForWindowExposed(&gallery));
    gallery.select_sample(QStringLiteral("mutex-starvation"));
    QSignalSpy chosen(&gallery, &SampleGallery::sampleChosen);
    auto* search = gallery.findChild<QLineEdit*>(QStringLiteral("sampleSearch"));
    QVERIFY(search);
    search->setFocus();
    for (const QChar c : QStringLiteral("steal")) {
      QTest::keyClick(search, c.toLatin1());
      QCOMPARE(chosen.count(), 0);
      QCOMPARE(gallery.chosen_sample(), QStringLiteral("mutex-starvation"));
      // Selected while the search shows it, unselected (not another sample) while it hides it.
      const bool shown = gallery.visible_samples().contains(QStringLiteral("mutex-starvation"));
      QCOMPARE(gallery.selected_sample(), shown ? QStringLiteral("mutex-starvation") : QString());
    }
    QVERIFY(!gallery.visible_samples().contains(QStringLiteral("mutex-starvation")));
    QVERIFY(gallery.visible_samples().contains(QStringLiteral("work-stealing")));
    // Clearing the search shows the chosen sample selected again, still without a signal.
    search->clear();
    QCOMPARE(chosen.count(), 0);
    QCOMPARE(gallery.selected_sample(), QStringLiteral("mutex-starvation"));
    // The user picking a match is a choice.
    gallery.set_search_text(QStringLiteral("steal"));
    QTest::keyClick(search, Qt::Key_Return);
    QCOMPARE(chosen.count(), 1);
    QCOMPARE(chosen.at(0).at(0).toString(), gallery.visible_samples().first());
    QCOMPARE(gallery.chosen_sample(), gallery.visible_samples().first());
  }

  void details_builds_one_editor_per_parameter() {
    SampleDetails details;
    for (const goroscope::Sample& s : goroscope::all_samples()) {
      details.show_sample(s);
      QCOMPARE(details.sample_id(), qs(s.info.id));
      QVERIFY(!details.findChild<QTextBrowser*>()->toPlainText().isEmpty());
      const auto values = details.parameter_values();
      QCOMPARE(values.size(), s.info.params.size());
      goroscope::SampleParams parsed(s.info);
      for (size_t i = 0; i < s.info.params.size(); ++i) {
        const goroscope::SampleParam& p = s.info.params[i];
        QCOMPARE(values[i].first, p.key);
        try {
          parsed.parse(values[i].first, values[i].second);
        } catch (const std::exception& e) {
          QFAIL(e.what());
        }
        QWidget* editor = details.findChild<QWidget*>(QStringLiteral("param-%1").arg(qs(p.key)));
        QVERIFY2(editor, p.key.c_str());
        QVERIFY(!editor->toolTip().isEmpty());
        switch (p.kind) {
          case goroscope::SampleParam::Kind::Int: {
            auto* spin = qobject_cast<QSpinBox*>(editor);
            QVERIFY(spin);
            QCOMPARE(spin->minimum(), p.min);
            QCOMPARE(spin->maximum(), p.max);
            QCOMPARE(parsed.get_int(p.key), p.def);
            break;
          }
          case goroscope::SampleParam::Kind::Bool:
            QVERIFY(qobject_cast<QCheckBox*>(editor));
            QCOMPARE(parsed.get_bool(p.key), p.def != 0);
            break;
          case goroscope::SampleParam::Kind::Choice:
            QCOMPARE(qobject_cast<QComboBox*>(editor)->count(), static_cast<int>(p.choices.size()));
            QCOMPARE(parsed.get_choice(p.key), p.choices[static_cast<size_t>(p.def)]);
            break;
        }
      }
      // Non-default values round-trip too: set every parameter to its max / opposite / last choice.
      std::vector<std::pair<std::string, std::string>> changed;
      for (const goroscope::SampleParam& p : s.info.params) {
        switch (p.kind) {
          case goroscope::SampleParam::Kind::Int: changed.emplace_back(p.key, std::to_string(p.max)); break;
          case goroscope::SampleParam::Kind::Bool: changed.emplace_back(p.key, p.def ? "false" : "true"); break;
          case goroscope::SampleParam::Kind::Choice: changed.emplace_back(p.key, p.choices.back()); break;
        }
      }
      details.set_parameter_values(changed);
      QCOMPARE(details.parameter_values(), changed);
      goroscope::SampleParams again(s.info);
      for (const auto& [key, text] : details.parameter_values()) again.parse(key, text);
    }
  }

  void set_parameter_values_restores_and_defaults_resets() {
    const goroscope::Sample& sample = sample_with_params();
    SampleDetails details;
    details.show_sample(sample);
    details.resize(500, 700);
    details.show();
    QVERIFY(QTest::qWaitForWindowExposed(&details));
    QSignalSpy changed(&details, &SampleDetails::parametersChanged);
    const auto defaults = details.parameter_values();
    auto* defaults_button = details.findChild<QPushButton*>(QStringLiteral("parameterDefaults"));
    QVERIFY(defaults_button);
    QVERIFY(!defaults_button->isEnabled());

    // Find an Int parameter whose range allows another value.
    const goroscope::SampleParam* int_param = nullptr;
    for (const auto& p : sample.info.params)
      if (p.kind == goroscope::SampleParam::Kind::Int && p.max > p.def) int_param = &p;
    QVERIFY(int_param);
    const std::string wanted = std::to_string(int_param->def + 1);
    details.set_parameter_values({{int_param->key, wanted},
                                  {"no-such-key", "3"},
                                  {sample.info.params.front().key == int_param->key ? "x" : sample.info.params.front().key,
                                   "not a value"}});
    QCOMPARE(changed.count(), 1);
    for (const auto& [key, text] : details.parameter_values()) {
      if (key == int_param->key) QCOMPARE(text, wanted);
      else QCOMPARE(text, std::find_if(defaults.begin(), defaults.end(), [&](const auto& kv) { return kv.first == key; })->second);
    }
    QVERIFY(defaults_button->isEnabled());
    // Out of range is ignored.
    details.set_parameter_values({{int_param->key, std::to_string(int_param->max + 1)}});
    QCOMPARE(changed.count(), 1);

    // The user edits a spin box: one signal.
    auto* spin = details.findChild<QSpinBox*>(QStringLiteral("param-%1").arg(qs(int_param->key)));
    spin->setValue(static_cast<int>(int_param->max));
    QCOMPARE(changed.count(), 2);

    QTest::mouseClick(defaults_button, Qt::LeftButton);
    QCOMPARE(details.parameter_values(), defaults);
    QCOMPARE(changed.count(), 3);
    QVERIFY(!defaults_button->isEnabled());

    // A new sample starts from its defaults and emits nothing.
    details.set_parameter_values({{int_param->key, wanted}});
    const int before = changed.count();
    details.show_sample(sample);
    QCOMPARE(details.parameter_values(), defaults);
    QCOMPARE(changed.count(), before);
  }
};

QTEST_MAIN(SampleWidgetsTest)
#include "sample_widgets_test.moc"
