// selection.cpp — gives GoroutineSelection (a header-only QObject) a home for its moc code.
#include "model/selection.hpp"
