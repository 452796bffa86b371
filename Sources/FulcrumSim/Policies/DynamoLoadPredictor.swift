/// The load predictors of Dynamo's SLA planner (`planner/utils/load_predictor.py`): one per
/// series (requests per interval, mean ISL, mean OSL), fed one point per adjustment interval.
///
/// Dynamo ships `constant`, `arima` (pmdarima `auto_arima`, its configured default), `kalman`
/// and `prophet`. `constant` and `kalman` are reproduced exactly; `auto_arima` and Prophet are
/// not (see docs/baselines.md), and `constant` is what ARIMA itself returns until it has five
/// points, for a constant series, and whenever its fit fails.
public enum DynamoLoadPredictorKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Next value = last observed value.
    case constant
    /// Local-linear-trend Kalman filter (level + trend), Dynamo's defaults q_level = 1,
    /// q_trend = 0.1, r = 10.
    case kalman
}

struct DynamoLoadPredictor: Sendable {
    let kind: DynamoLoadPredictorKind
    private(set) var buffer: [Double] = []
    /// Leading zeros (the idle period after deployment) are skipped until a non-zero value.
    private var seenNonZero = false

    // Kalman state: x = [level, trend], P (2×2), cached one-step forecast.
    private var level = 0.0
    private var trend = 0.0
    private var p: [[Double]] = [[1000, 0], [0, 1000]]
    private var initialized = false
    private var cachedForecast: Double?
    private let qLevel = 1.0
    private let qTrend = 0.1
    private let r = 10.0

    init(kind: DynamoLoadPredictorKind) {
        self.kind = kind
    }

    mutating func add(_ raw: Double) {
        let value = raw.isNaN ? 0 : raw
        if value == 0 && !seenNonZero { return }
        if value != 0 { seenNonZero = true }
        buffer.append(value)
        guard kind == .kalman else { return }
        if !initialized {
            level = value
            trend = 0
            initialized = true
        } else {
            if cachedForecast == nil { kalmanPredict() }
            kalmanUpdate(value)
        }
        cachedForecast = nil
    }

    mutating func predictNext() -> Double {
        switch kind {
        case .constant:
            return buffer.last ?? 0
        case .kalman:
            guard initialized else { return buffer.last ?? 0 }
            if let cachedForecast { return cachedForecast }
            kalmanPredict()
            cachedForecast = level
            return level
        }
    }

    private mutating func kalmanPredict() {
        // x = F x with F = [[1, 1], [0, 1]]; P = F P Fᵀ + Q.
        level += trend
        let p00 = p[0][0] + p[0][1] + p[1][0] + p[1][1] + qLevel
        let p01 = p[0][1] + p[1][1]
        let p10 = p[1][0] + p[1][1]
        let p11 = p[1][1] + qTrend
        p = [[p00, p01], [p10, p11]]
    }

    private mutating func kalmanUpdate(_ z: Double) {
        // H = [1, 0]; Joseph-form covariance update, as filterpy does.
        let innovation = z - level
        let s = p[0][0] + r
        let k0 = p[0][0] / s
        let k1 = p[1][0] / s
        level += k0 * innovation
        trend += k1 * innovation
        // A = I - K H = [[1 - k0, 0], [-k1, 1]]; P = A P Aᵀ + K r Kᵀ.
        let a = [[1 - k0, 0.0], [-k1, 1.0]]
        var ap = [[0.0, 0.0], [0.0, 0.0]]
        for i in 0..<2 {
            for j in 0..<2 {
                ap[i][j] = a[i][0] * p[0][j] + a[i][1] * p[1][j]
            }
        }
        var next = [[0.0, 0.0], [0.0, 0.0]]
        let k = [k0, k1]
        for i in 0..<2 {
            for j in 0..<2 {
                next[i][j] = ap[i][0] * a[j][0] + ap[i][1] * a[j][1] + k[i] * r * k[j]
            }
        }
        p = next
    }
}
