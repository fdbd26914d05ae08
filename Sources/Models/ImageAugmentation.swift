import Engine
import Trace

/// Data augmentation of a batch of images x (N×C×H×W): transformations that change the pixels
/// but not what the image shows, applied as recorded ops on the batch before the network reads
/// it. Each one switched on runs in this order:
///
///     flip:   x_f = x + f ⊙ (flip_W(x) − x)     f_n ∈ {0, 1} per image (N×1×1×1): a left–right mirror
///                                                 of the images with f_n = 1, the others unchanged
///     shift:  x_s[n, c, i, j] = x_f[n, c, i − Δy, j − Δx], 0 where that falls outside the image
///             (for each axis a zero `pad` of |Δ| on one side, then a `slice` back to the size)
///     noise:  x̃ = x_s + ε                         ε uniform in [−a, a) per pixel (N×C×H×W)
///
/// The last output is x̃, tagged `image` {stage: augmented}; the others are named x_f and x_s.
/// x needs no gradient, so none of these ops has a backward step.
///
/// Draws (`draw(labels:…)`), per batch, in this order: N coins `nextInt(below: 2)` (flip), then
/// Δy = `nextInt(below: 2s + 1)` − s and Δx likewise (shift by at most s pixels), then N·C·H·W
/// values `uniform(−a, a)` row-major (noise). A flip that would change an image's class (the
/// caller's `mirrors` says which classes survive a mirror) is not applied: its coin is drawn and
/// its f_n is 0, so the number of draws never depends on the labels.
struct ImageAugmentation: Sendable {
    var flip = false
    /// s, the largest shift in pixels along each axis (0: no shift).
    var shift = 0
    /// a, the noise amplitude (0: no noise).
    var noise = 0.0

    var isEnabled: Bool { flip || shift > 0 || noise > 0 }

    /// One batch's random choices: the flip mask f (N×1×1×1), the offset (Δy, Δx), the noise ε.
    struct Draw {
        let flips: Tensor?
        let offset: (dy: Int, dx: Int)?
        let noise: Tensor?
    }

    /// The choices for a batch of `labels.count` images of `shape` C×H×W, in the documented order.
    func draw(labels: [Int], shape: [Int], mirrors: (Int) -> Bool, using random: inout SeededGenerator) -> Draw {
        let n = labels.count
        var flips: Tensor?
        if flip {
            let coins = labels.map { label in Double(random.nextInt(below: 2)) * (mirrors(label) ? 1 : 0) }
            flips = Tensor(shape: [n, 1, 1, 1], scalars: coins)
        }
        var offset: (Int, Int)?
        if shift > 0 {
            let dy = random.nextInt(below: 2 * shift + 1) - shift
            offset = (dy, random.nextInt(below: 2 * shift + 1) - shift)
        }
        let pixels = n * shape.reduce(1, *)
        let epsilon = noise > 0 ? Tensor(shape: [n] + shape, scalars: (0..<pixels).map { _ in random.uniform(-noise, noise) }) : nil
        return Draw(flips: flips, offset: offset, noise: epsilon)
    }

    /// x̃: the batch x with `draw`'s choices applied, each a recorded step on x's tape.
    func callAsFunction(_ x: Var, _ draw: Draw) -> Var {
        let tape = x.tape
        var out = x
        if let flips = draw.flips {
            let f = tape.constant(flips, name: "f")
            out = (out + f * (Engine.flip(out, axes: [3]) - out)).named("x_f")
        }
        if let offset = draw.offset {
            out = Self.shifted(Self.shifted(out, by: offset.dy, axis: 2), by: offset.dx, axis: 3).named("x_s")
        }
        if let noise = draw.noise {
            out = out + tape.constant(noise, name: "ε", tex: "\\varepsilon")
        }
        return out.named("x_aug", tex: "\\tilde{x}").tagged("image", ["stage": "augmented"])
    }

    /// x moved by `offset` positions along `axis` (towards higher indices when positive), zeros
    /// filling the positions it leaves: a zero pad of |offset| on the side it moves away from,
    /// then the slice of the original length that ends up under the image.
    static func shifted(_ x: Var, by offset: Int, axis: Int) -> Var {
        let size = x.shape[axis]
        let padded = pad(x, axis: axis, before: max(offset, 0), after: max(-offset, 0))
        return slice(padded, axis: axis, max(-offset, 0)..<max(-offset, 0) + size)
    }
}

/// Which of a demo's augmentations run: any combination of `flip`, `shift` and `noise`, or none.
enum Augmentations: String, ParameterChoice {
    case none, flip, shift, noise
    case flipShift = "flip+shift", flipNoise = "flip+noise", shiftNoise = "shift+noise"
    case all = "flip+shift+noise"

    func includes(_ augmentation: String) -> Bool { rawValue.split(separator: "+").contains { $0 == augmentation } }
}
