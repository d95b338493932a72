// glibc's malloc tuning, which Swift's Glibc module does not expose (malloc.h).
#include "cmalloc.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void sl_limit_malloc_arenas(int arenas) {
#if defined(__GLIBC__)
    mallopt(M_ARENA_MAX, arenas);
#else
    (void)arenas;
#endif
}

void sl_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
