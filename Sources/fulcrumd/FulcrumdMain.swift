import FulcrumDaemon

@main
enum FulcrumdMain {
    static func main() async {
        // First, on the main thread: a thread gets its malloc arena on its first allocation and
        // keeps it, so the limit must be set before the concurrency pool's threads start.
        FreedMemory.limitArenas()
        ResidentCode.avoidTimeZoneDatabase()
        await FulcrumdCommand.main()
    }
}
