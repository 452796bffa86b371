import Foundation
import FulcrumStrictDecoding
import Testing

@Suite("Strict key decoding")
struct StrictKeyDecodingTests {
    struct Point: Decodable, Equatable {
        var x: Int
        var y: Int?

        enum CodingKeys: String, CodingKey, CaseIterable { case x, y }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases, context: "a point")
            let container = try decoder.container(keyedBy: CodingKeys.self)
            x = try container.decode(Int.self, forKey: .x)
            y = try container.decodeIfPresent(Int.self, forKey: .y)
        }
    }

    @Test func knownKeysDecode() throws {
        #expect(try JSONDecoder().decode(Point.self, from: Data(#"{"x": 1}"#.utf8)) == Point(x: 1, y: nil))
        #expect(try JSONDecoder().decode(Point.self, from: Data(#"{"x": 1, "y": 2}"#.utf8)).y == 2)
    }

    @Test func aMisspeltKeyIsNamedWithWhatIsAllowed() throws {
        do {
            _ = try JSONDecoder().decode(Point.self, from: Data(#"{"x": 1, "z": 2}"#.utf8))
            Issue.record("an unknown key was accepted")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription == "is not a known key for a point; expected one of x, y")
            #expect(context.codingPath.map(\.stringValue) == ["z"])
        }
    }
}

extension StrictKeyDecodingTests.Point {
    init(x: Int, y: Int?) {
        self.x = x
        self.y = y
    }
}
