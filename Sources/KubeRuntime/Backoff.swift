/// Exponential backoff with full jitter between `initial` and `maximum`, reset after success.
public struct Backoff: Sendable {
    /// The first delay.
    public var initial: Duration
    /// The longest delay.
    public var maximum: Duration
    /// The number of failures since the last reset.
    public private(set) var failures = 0

    /// A backoff (the watcher's default: 800 ms doubling to 30 s, as kube-rs).
    public init(initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before the next attempt (half fixed, half random), counting one more failure.
    public mutating func next() -> Duration {
        let exponent = min(failures, 30)
        failures += 1
        let base = min(initial * (1 << exponent), maximum)
        let jitter = Double.random(in: 0...0.5)
        return base * (0.5 + jitter)
    }

    /// After a success: start again from `initial`.
    public mutating func reset() { failures = 0 }
}
