import Foundation
import Testing
@testable import FulcrumDaemon

@Suite("Freed memory goes back to the kernel")
struct FreedMemoryTests {
    private let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// The fraction of the whole pages inside `blocks` that are resident (mincore), so the check
    /// looks at this test's memory only, not at what tests running beside it allocate.
    private func residentFraction(of blocks: [UnsafeMutableRawPointer], blockSize: Int) -> Double {
        var resident = 0, pages = 0
        for block in blocks {
            let start = (Int(bitPattern: block) + 2 * pageSize - 1) / pageSize * pageSize  // past the chunk header
            let end = (Int(bitPattern: block) + blockSize) / pageSize * pageSize
            guard end > start, let address = UnsafeMutableRawPointer(bitPattern: start) else { continue }
            var vector = [UInt8](repeating: 0, count: (end - start) / pageSize)
            guard mincore(address, end - start, &vector) == 0 else { continue }
            resident += vector.filter { $0 & 1 == 1 }.count
            pages += vector.count
        }
        return pages == 0 ? 0 : Double(resident) / Double(pages)
    }

    @Test("freed blocks between live ones leave the resident set once returned")
    func returnsFreedPages() {
        // 512 blocks of 64 KB come from the heap (below malloc's mmap threshold). Every other one
        // stays allocated, so each freed block lies between live ones: free() itself cannot give
        // it back (only the top of a heap goes back on free).
        let blockSize = 64 << 10
        let blocks = (0..<512).map { _ in UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16) }
        for block in blocks { block.initializeMemory(as: UInt8.self, repeating: 0xA5, count: blockSize) }
        let (freed, kept) = (stride(from: 0, to: blocks.count, by: 2).map { blocks[$0] }, stride(from: 1, to: blocks.count, by: 2).map { blocks[$0] })
        defer { for block in kept { block.deallocate() } }
        // Measured while they are live: a scrape service in a test beside this one may return
        // them as soon as they are freed.
        let whileLive = residentFraction(of: freed, blockSize: blockSize)
        for block in freed { block.deallocate() }

        FreedMemory.returnToSystem()
        // Tests running beside this one may reuse some of the freed pages at once; most stay out.
        let afterReturn = residentFraction(of: freed, blockSize: blockSize)
        #expect(whileLive > 0.99, "\(Int(whileLive * 100)) % of the pages resident while live")
        #expect(afterReturn < 0.25, "\(Int(afterReturn * 100)) % of the freed pages still resident")
    }
}
