import Engine

/// A small labelled image set drawn from the seed: `size`×`size` one-channel images of up to four
/// shapes, each at a random place, with noise.
///
/// Class 0 is a horizontal bar (1×5 ones), 1 a vertical bar (5×1), 2 a diagonal (5 ones from top
/// left to bottom right), 3 a square outline (4×4, its 12 border cells). Sample j has class
/// j mod K (the classes take turns, so every class has ⌊m/K⌋ or ⌈m/K⌉ samples). Draws per sample,
/// in order: the row offset `nextInt(below: size − height + 1)`, the column offset likewise, then
/// the noise, uniform in [−noise, noise), one per pixel in row-major order, added to the shape's
/// 0s and 1s.
public struct ShapeImages: Sendable {
    /// The shapes' names, by class.
    public static let classNames = ["horizontal bar", "vertical bar", "diagonal", "square outline"]

    public let size: Int
    /// m images of size×size, row-major, one after another.
    public let pixels: [Double]
    /// Each image's class, 0..<K.
    public let labels: [Int]
    public let classes: Int

    public var count: Int { labels.count }

    public init(samples: Int, classes: Int, size: Int = 8, noise: Double, using random: inout SeededGenerator) {
        precondition((1...4).contains(classes) && size >= 5, "ShapeImages: 1–4 classes, images at least 5×5")
        (self.size, self.classes) = (size, classes)
        var pixels: [Double] = []
        var labels: [Int] = []
        for j in 0..<samples {
            let label = j % classes
            let cells = Self.cells(of: label)
            let height = cells.map(\.0).max()! + 1, width = cells.map(\.1).max()! + 1
            let top = random.nextInt(below: size - height + 1)
            let left = random.nextInt(below: size - width + 1)
            var image = [Double](repeating: 0, count: size * size)
            for (r, c) in cells { image[(top + r) * size + left + c] = 1 }
            for i in image.indices { image[i] += random.uniform(-noise, noise) }
            pixels += image
            labels.append(label)
        }
        (self.pixels, self.labels) = (pixels, labels)
    }

    /// The cells (row, column) a shape sets to 1, relative to its top-left corner.
    static func cells(of label: Int) -> [(Int, Int)] {
        switch label {
        case 0: (0..<5).map { (0, $0) }
        case 1: (0..<5).map { ($0, 0) }
        case 2: (0..<5).map { ($0, $0) }
        default: (0..<4).flatMap { r in (0..<4).filter { c in r == 0 || r == 3 || c == 0 || c == 3 }.map { c in (r, c) } }
        }
    }

    /// Whether a left–right mirror of a shape is a shape of the same class: true for the bars and
    /// the square, false for the diagonal, whose mirror runs from top right to bottom left.
    static func survivesMirror(_ label: Int) -> Bool {
        let cells = cells(of: label)
        let width = cells.map(\.1).max()! + 1
        return Set(cells.map { [$0.0, width - 1 - $0.1] }) == Set(cells.map { [$0.0, $0.1] })
    }

    /// The images `range` as one batch, n×1×size×size.
    public func images(_ range: Range<Int>) -> Tensor {
        let plane = size * size
        return Tensor(shape: [range.count, 1, size, size], scalars: Array(pixels[range.lowerBound * plane..<range.upperBound * plane]))
    }

    /// Their one-hot targets, n×K (a row per image).
    public func targets(_ range: Range<Int>) -> Tensor {
        var scalars = [Double](repeating: 0, count: range.count * classes)
        for (row, j) in range.enumerated() { scalars[row * classes + labels[j]] = 1 }
        return Tensor(shape: [range.count, classes], scalars: scalars)
    }
}
