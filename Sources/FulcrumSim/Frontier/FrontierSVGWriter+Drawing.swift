import Foundation

/// Keeps point labels from overprinting each other: a label that would overlap one already
/// placed moves down a line at a time (`stacking`), or is left out.
struct LabelPlacer {
    private var boxes: [(x0: Double, y0: Double, x1: Double, y1: Double)] = []

    mutating func place(x: Double, y: Double, _ label: String, size: Double, stacking: Bool) -> (x: Double, y: Double)? {
        let width = Double(label.count) * size * 0.6
        // A label that would run past the plot goes to the left of its marker instead.
        let x = x + width > FrontierSVGWriter.width - FrontierSVGWriter.right - 2 ? x - width - 22 : x
        var top = y - size
        for _ in 0..<(stacking ? 12 : 1) {
            let box = (x0: x, y0: top, x1: x + width, y1: top + size + 2)
            if !boxes.contains(where: { $0.x0 < box.x1 && box.x0 < $0.x1 && $0.y0 < box.y1 && box.y0 < $0.y1 }) {
                boxes.append(box)
                return (x, top + size)
            }
            top += size + 3
        }
        return nil
    }
}

/// SVG primitives for `FrontierSVGWriter`; all text is XML-escaped.
extension FrontierSVGWriter {
    static func marker(_ shape: Shape, x: Double, y: Double, size: Double, color: String) -> String {
        let stroke = "stroke=\"white\" stroke-width=\"1\""
        switch shape {
        case .square:
            return "<rect x=\"\(f(x - size))\" y=\"\(f(y - size))\" width=\"\(f(2 * size))\" height=\"\(f(2 * size))\" fill=\"\(color)\" \(stroke)/>\n"
        case .circle:
            return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(size))\" fill=\"\(color)\" \(stroke)/>\n"
        case .triangle:
            return polygon([(x, y - size * 1.2), (x + size * 1.1, y + size * 0.8), (x - size * 1.1, y + size * 0.8)], color: color, stroke: stroke)
        case .diamond:
            return polygon([(x, y - size * 1.3), (x + size, y), (x, y + size * 1.3), (x - size, y)], color: color, stroke: stroke)
        case .cross:
            return line(x - size, y - size, x + size, y + size, color: color, width: 2.5)
                + line(x - size, y + size, x + size, y - size, color: color, width: 2.5)
        case .star:
            let corners = (0..<10).map { index -> (Double, Double) in
                let radius = index.isMultiple(of: 2) ? size : size * 0.45
                let angle = Double(index) * Double.pi / 5 - Double.pi / 2
                return (x + radius * cos(angle), y + radius * sin(angle))
            }
            return polygon(corners, color: color, stroke: "stroke=\"#0b3a5e\" stroke-width=\"1.5\"")
        }
    }

    static func polygon(_ corners: [(Double, Double)], color: String, stroke: String) -> String {
        let points = corners.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        return "<polygon points=\"\(points)\" fill=\"\(color)\" \(stroke)/>\n"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: String, width: Double = 1, dashed: Bool = false) -> String {
        "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(color)\" stroke-width=\"\(f(width))\""
            + (dashed ? " stroke-dasharray=\"6,4\"" : "") + "/>\n"
    }

    static func text(
        x: Double, y: Double, _ content: String, size: Double = 11, weight: String? = nil, anchor: String = "start", color: String? = nil
    ) -> String {
        let weightAttribute = weight.map { " font-weight=\"\($0)\"" } ?? ""
        let fill = color.map { " fill=\"\($0)\"" } ?? ""
        return "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(f(size))\" text-anchor=\"\(anchor)\"\(weightAttribute)\(fill)>"
            + "\(TimelineSVGWriter.escape(content))</text>\n"
    }

    /// `0.8`, `99`, `99.5`: numbers as short as they read.
    static func trim(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%g", value)
    }

    static func f(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
