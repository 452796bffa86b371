import Foundation

/// Keeps code and data fulcrumd never needs from being read in at all.
///
/// The daemon links Foundation and with it ICU (34 MB of tables in the binary). Whatever a call
/// touches stays resident for the life of the process, and two start-up calls reached ICU
/// although fulcrumd formats no local time and matches no regular expression: the YAML reader
/// (see `DaemonConfiguration.readDocument`) and the HTTP date cache of the metrics server, which
/// builds a Gregorian calendar in the process's time zone, looked up through ICU's time-zone
/// resources. Measured at 1,000 workers, with the reader's change: 50 / 52 → 47 / 49 MB
/// (docs/performance.md).
package enum ResidentCode {
    /// Foundation's default time zone becomes UTC before anything asks for a calendar. HTTP
    /// dates are GMT by definition; log lines get their time from journald or the C library,
    /// which still follow `TZ` and /etc/localtime.
    package static func avoidTimeZoneDatabase() {
        if let utc = TimeZone(secondsFromGMT: 0) { NSTimeZone.default = utc }
    }
}
