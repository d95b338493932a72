// glibc's malloc tuning, which Swift's Glibc module does not expose (malloc.h).
#include "cmalloc.h"
// Any libc header first: it is what defines __GLIBC__ for the test below.
#include <stdlib.h>
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

int sl_malloc_tuning_available(void) {
#if defined(__GLIBC__)
    return 1;
#else
    return 0;
#endif
}
