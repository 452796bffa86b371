import FulcrumCore

/// Counts role flips: GPUs moved from one role to the other.
///
/// Definition: an applied `start` of role R on node N at tick k is a flip when an applied
/// `drain` of a worker of the other role on the same node happened at tick k or k − 1 and
/// has not already been paired with an earlier start. A flip is usually spread over two ticks
/// because the drained worker holds its GPUs until it is empty. Each drain pairs with at most
/// one start, so two starts after one drain count once.
public enum RoleFlipCounter {
    public static func count(_ actions: [ActionRecord]) -> Int {
        struct Drain {
            var tick: Int
            var role: Role
            var node: String
            var paired = false
        }
        var drains: [Drain] = []
        var flips = 0
        for record in actions where record.outcome == .applied {
            guard let role = record.role, let node = record.node else { continue }
            switch record.action {
            case .drain:
                drains.append(Drain(tick: record.tick, role: role, node: node))
            case .start:
                if let match = drains.firstIndex(where: {
                    !$0.paired && $0.role == role.other && $0.node == node && record.tick - $0.tick <= 1
                }) {
                    drains[match].paired = true
                    flips += 1
                }
            case .cancelDrain:
                continue
            }
        }
        return flips
    }
}
