#ifndef SLUICE_CMALLOC_H
#define SLUICE_CMALLOC_H

/// Caps glibc's malloc arenas (mallopt M_ARENA_MAX); call first thing in main. No-op elsewhere.
void sl_limit_malloc_arenas(int arenas);

/// Returns freed heap pages to the system (glibc malloc_trim); no-op elsewhere.
void sl_release_free_memory(void);

/// 1 when the two calls above do something here (glibc), 0 when they are no-ops.
int sl_malloc_tuning_available(void);

#endif
