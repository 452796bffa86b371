import CGlibcMalloc
import Glibc

/// Keeps memory the daemon has freed from staying resident.
///
/// glibc's allocator keeps freed memory for reuse: it gives pages back to the kernel only from
/// the top of a heap, and it opens an arena per thread that allocates (up to 8 per core). A
/// scrape round allocates a few megabytes on whichever threads run it and frees them, and what
/// it freed between live blocks stayed resident in every arena: at 1,000 workers the daemon's
/// anonymous memory was twice its live heap (docs/performance.md). No Swift package manages
/// this; it is two glibc calls.
package enum FreedMemory {
    /// Arenas the daemon's threads share when `MALLOC_ARENA_MAX` is not set. The daemon's
    /// threads (NIO's event loops, the concurrency pool) allocate little per second, so
    /// contention on fewer arenas costs nothing measurable, and fewer arenas hold less free memory.
    package static let defaultArenaLimit: Int32 = 1

    /// Limits malloc's arenas, unless the operator chose with `MALLOC_ARENA_MAX` (glibc reads it
    /// at start-up, and it wins). Call it before any other thread starts: a thread keeps the arena
    /// its first allocation gave it.
    package static func limitArenas(to limit: Int32 = defaultArenaLimit) {
        guard getenv("MALLOC_ARENA_MAX") == nil else { return }
        _ = mallopt(M_ARENA_MAX, limit)
    }

    /// Gives every whole free page inside the heaps back to the kernel (`malloc_trim(0)`);
    /// returns whether any were. It walks the free lists, a fraction of a millisecond for the
    /// daemon's heap, so the scrape service calls it after every round.
    @discardableResult
    package static func returnToSystem() -> Bool {
        malloc_trim(0) == 1
    }
}
