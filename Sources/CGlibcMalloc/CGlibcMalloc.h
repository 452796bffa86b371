// glibc's allocator controls (mallopt, malloc_trim), which Swift's Glibc module leaves out.
// fulcrumd uses them to keep freed memory from staying resident (FulcrumDaemon/Runtime/FreedMemory.swift).
#include <malloc.h>
