// The module's one function is inline in include/CEmberPrefetch.h; SwiftPM needs a source file.
#include "CEmberPrefetch.h"
