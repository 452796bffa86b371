#ifndef FULCRUM_ALLOCATION_COUNTER_H
#define FULCRUM_ALLOCATION_COUNTER_H
#include <stdint.h>

/// Heap allocations (malloc, calloc, realloc, aligned allocations) made by the process so far.
uint64_t fulcrum_allocation_count(void);

#endif
