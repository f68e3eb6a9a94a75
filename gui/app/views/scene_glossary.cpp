// scene_glossary.cpp — the glossary word under a point of the scene (see scene_glossary.hpp).
#include "views/scene_glossary.hpp"

#include "model/glossary.hpp"

namespace goroscope::gui {

namespace {

// panel_term() explains a panel by its kind when its words name no entry of their own.
QString panel_term(const ScenePanel& panel) {
  switch (panel.kind) {
    case ScenePanel::Kind::Global: return QStringLiteral("global-queue");
    case ScenePanel::Kind::Processor: return QStringLiteral("p");
    case ScenePanel::Kind::Mutex: return QStringLiteral("starvation");
    case ScenePanel::Kind::Channel: return QStringLiteral("channel");
    case ScenePanel::Kind::Contexts: return QStringLiteral("context");
    case ScenePanel::Kind::Waits: return QStringLiteral("blocked");
    case ScenePanel::Kind::Machines: return QStringLiteral("m");
  }
  return {};
}

}  // namespace

QString scene_glossary_id_at(const SchedulerLayout& layout, QPointF pos) {
  for (const SceneText& t : layout.texts)
    if (t.rect.contains(pos)) return glossary_id_for_scene_text(t.text);
  for (const SceneMachine& m : layout.machines)
    if (m.rect.contains(pos)) {
      const QString id = glossary_id_for_scene_text(m.text);
      return id.isEmpty() ? QStringLiteral("m") : id;
    }
  for (const ScenePanel& panel : layout.panels) {
    const QRectF row = panel.title_rect();
    if (!row.contains(pos)) continue;
    // The badge and the status sit on the right of the title row, the title on the left.
    if (pos.x() > row.center().x()) {
      for (const QString& words : {panel.badge, panel.status})
        if (const QString id = glossary_id_for_scene_text(words); !id.isEmpty()) return id;
    }
    const QString id = glossary_id_for_scene_text(panel.title);
    return id.isEmpty() ? panel_term(panel) : id;
  }
  return {};
}

}  // namespace goroscope::gui
