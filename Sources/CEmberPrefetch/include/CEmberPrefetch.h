#ifndef CEMBERPREFETCH_H
#define CEMBERPREFETCH_H

/// Asks the CPU to start loading the cache line at `p` for a read soon (no fault, no wait).
static inline void ember_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
