import Engine
import Trace

/// One normalization layer over an N×C×H×W tensor x. The four modes differ only in the axes the
/// mean and variance are taken over (the values that share one μ and one σ²):
///
///     batch     μ_c   = mean over n, h, w of x[n,c,h,w]          (one per channel)
///     layer     μ_n   = mean over c, h, w                         (one per sample)
///     instance  μ_nc  = mean over h, w                            (one per sample and channel)
///     group     μ_ng  = mean over the C/G channels of group g and h, w (x viewed as N×G×(C/G)×H×W)
///
///     σ² = mean of (x − μ)² over the same axes   (biased: divided by their count n)
///     x̂  = (x − μ) / √(σ² + ε)
///     y  = γ x̂ + β
///
/// γ and β are learnable: one per channel (C×1×1) for batch, instance and group normalization,
/// one per normalized element (C×H×W) for layer normalization, as PyTorch's `BatchNorm2d`,
/// `InstanceNorm2d(affine: true)`, `GroupNorm` and `LayerNorm([C, H, W])` keep them.
/// Batch normalization's evaluation uses running statistics instead (`evaluate`).
struct Normalization {
    enum Mode: String, ParameterChoice { case batch, layer, instance, group }

    let mode: Mode
    /// G, for group normalization (it divides C).
    let groups: Int

    /// What one normalization computed.
    struct Output {
        let mean: Var
        let variance: Var
        let normalized: Var
        let y: Var
    }

    /// The axes μ and σ² reduce: of x, or of its N×G×(C/G)×H×W view for group normalization.
    var axes: [Int] {
        switch mode {
        case .batch: [0, 2, 3]
        case .layer: [1, 2, 3]
        case .instance: [2, 3]
        case .group: [2, 3, 4]
        }
    }

    /// n, the number of values that share one statistic, for an N×C×H×W input.
    func count(_ shape: [Int]) -> Int {
        let (N, C, H, W) = (shape[0], shape[1], shape[2], shape[3])
        switch mode {
        case .batch: return N * H * W
        case .layer: return C * H * W
        case .instance: return H * W
        case .group: return C / groups * H * W
        }
    }

    /// γ's and β's shape for an N×C×H×W input: per channel, or per normalized element (layer).
    func affineShape(_ shape: [Int]) -> [Int] { mode == .layer ? Array(shape[1...]) : [shape[1], 1, 1] }

    /// The training forward: statistics of this batch, normalize, scale and shift, in one scope
    /// of kind `normalization` with a scope per stage.
    func callAsFunction(_ x: Var, gamma: Var, beta: Var, epsilon: Var) -> Output {
        let tape = x.tape
        let shape = x.shape
        let kind = ScopeKind.normalization(mode.rawValue, groups: mode == .group ? groups : nil, phase: mode == .batch ? "train" : nil)
        return tape.scope("\(mode.rawValue) normalization", kind: kind,
                          equation: "\\hat{x} = \\frac{x - \\mu}{\\sqrt{\\sigma^2 + \\varepsilon}}, \\quad y = \\gamma \\hat{x} + \\beta") {
            // Group normalization reduces over part of the channel axis: view the channels as G groups.
            let grouped = mode == .group ? reshape(x, [shape[0], groups, shape[1] / groups, shape[2], shape[3]]) : x
            let statistics = "\(meanEquation), \\quad \\sigma^2 = \\frac{1}{n} \\sum (x - \\mu)^2, \\quad n = \(count(shape))"
            let (mu, centered, variance) = tape.scope("statistics", equation: statistics) {
                let mu = mean(grouped, axes: axes, keepdims: true).named("mu", tex: "\\mu").tagged("mean")
                let centered = (grouped - mu).named("x - mu", tex: "x - \\mu")
                let variance = mean(square(centered), axes: axes, keepdims: true).named("var", tex: "\\sigma^2").tagged("variance")
                return (mu, centered, variance)
            }
            let normalized = tape.scope("normalize", equation: "\\hat{x} = \\frac{x - \\mu}{\\sqrt{\\sigma^2 + \\varepsilon}}") {
                let xhat = centered / sqrt(variance + epsilon).named("sd", tex: "\\sqrt{\\sigma^2 + \\varepsilon}")
                return (mode == .group ? reshape(xhat, shape) : xhat).named("xhat", tex: "\\hat{x}").tagged("normalized")
            }
            let y = tape.scope("scale and shift", equation: "y = \\gamma \\hat{x} + \\beta") {
                (gamma * normalized + beta).named("y").tagged("output")
            }
            return Output(mean: mu, variance: variance, normalized: normalized, y: y)
        }
    }

    /// Batch normalization in evaluation: the running statistics stand in for the batch's, so
    /// each sample's output no longer depends on the others in its batch.
    static func evaluate(_ x: Var, runningMean: Var, runningVariance: Var, gamma: Var, beta: Var, epsilon: Var) -> (normalized: Var, y: Var) {
        let tape = x.tape
        return tape.scope("batch normalization (evaluation)", kind: .normalization("batch", phase: "eval"),
                          equation: "\\hat{x} = \\frac{x - \\mu_{\\mathrm{run}}}{\\sqrt{\\sigma^2_{\\mathrm{run}} + \\varepsilon}}, \\quad y = \\gamma \\hat{x} + \\beta") {
            let normalized = tape.scope("normalize") {
                ((x - runningMean) / sqrt(runningVariance + epsilon)).named("xhat_eval", tex: "\\hat{x}^{\\mathrm{eval}}").tagged("normalized")
            }
            let y = tape.scope("scale and shift") { (gamma * normalized + beta).named("y_eval", tex: "y^{\\mathrm{eval}}").tagged("output") }
            return (normalized, y)
        }
    }

    /// Training batch normalization also moves the running statistics toward the batch's:
    /// r ← (1 − m) r + m s, the variance's statistic being the *unbiased* batch variance
    /// n/(n − 1) · σ², as PyTorch keeps it (n = N·H·W > 1, which the demo checks).
    static func updateRunning(mean runningMean: Var, variance runningVariance: Var, with batch: Output, count n: Int, momentum: Double) -> (mean: Var, variance: Var) {
        let tape = batch.mean.tape
        return tape.scope("running statistics", equation: "r \\leftarrow (1 - m)\\, r + m\\, s, \\quad s_{\\sigma^2} = \\tfrac{n}{n - 1} \\sigma^2 = \\tfrac{\(n)}{\(n - 1)} \\sigma^2") {
            let unbiased = (Double(n) / Double(n - 1) * batch.variance).named("var_unbiased", tex: "\\tfrac{n}{n-1} \\sigma^2")
            let mean = tape.runningAverage(runningMean, batch.mean, momentum: momentum).tagged("running_mean")
            let variance = tape.runningAverage(runningVariance, unbiased, momentum: momentum).tagged("running_variance")
            return (mean, variance)
        }
    }

    /// The mean's equation for this mode, with the axes written out.
    private var meanEquation: String {
        switch mode {
        case .batch: "\\mu_c = \\frac{1}{NHW} \\sum_{n,h,w} x_{nchw}"
        case .layer: "\\mu_n = \\frac{1}{CHW} \\sum_{c,h,w} x_{nchw}"
        case .instance: "\\mu_{nc} = \\frac{1}{HW} \\sum_{h,w} x_{nchw}"
        case .group: "\\mu_{ng} = \\frac{G}{CHW} \\sum_{c \\in g,\\, h,w} x_{nchw}, \\quad G = \(groups)"
        }
    }

    /// L = ½ Σ (y − t)²: ∂L/∂y = y − t differs from element to element, so the gradient through
    /// μ and σ² is not trivial (a plain Σ y would make ∂L/∂x̂ constant per statistic, and the
    /// normalization's gradient would vanish).
    static func loss(_ y: Var, target: Var) -> Var {
        y.tape.scope("loss", kind: .loss, equation: "L = \\tfrac{1}{2} \\sum (y - t)^2") {
            (0.5 * sum(square(y - target))).named("L")
        }
    }
}
