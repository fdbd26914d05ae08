/// How large a trace from elsewhere may be before Unrolled refuses to read it.
///
/// A trace is shown in a browser and every step of it is replayed when it is read, so past some
/// size it is a mistake or an attack, not a figure. The limits are checked before anything is
/// replayed, with an error that names them.
public struct TraceLimits: Equatable, Sendable {
    /// The most bytes of JSON.
    public var bytes: Int
    /// The most values in all: every tensor's data and every history snapshot's.
    public var values: Int
    /// The most arithmetic operations replaying every step may take (`Op.work`, summed): a
    /// convolution or a matrix product of two large recorded tensors costs far more than its size.
    public var operations: Double

    public init(bytes: Int, values: Int, operations: Double = 0x1p34) {
        self.bytes = bytes
        self.values = values
        self.operations = operations
    }

    /// 256 MiB of JSON and 2²⁴ = 16,777,216 values (128 MiB as doubles; every step's output shape is
    /// checked against its recorded tensor before any replay, so replay allocates no more). The bundled course's largest trace (`gradient-flow`, 40 SGD
    /// iterations) has 1.3 MB and 61,384 values: about 200 and 270 times less. A demo run far beyond
    /// what a reader can step through still fits (an LSTM over 50 steps with 32 hidden units: 17 MB,
    /// 742,044 values). 2³⁴ operations is some seconds of replay; the course's traces need well under 2²⁸.
    public static let standard = TraceLimits(bytes: 256 << 20, values: 1 << 24)
}
