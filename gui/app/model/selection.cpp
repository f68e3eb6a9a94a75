// selection.cpp — gives AUTOMOC a source beside selection.hpp, so GoroutineSelection's
// moc code (signals, meta-object) is built into goroscope_gui (CMake globs only *.cpp).
#include "model/selection.hpp"
