import Engine
import Trace

/// The `segmentation` demo's synthetic task: N grey S×S images, each a bright square on noise,
/// and the class of every pixel: 0 background, 1 object (the square), and with K = 3 classes,
/// 2 for the square's edge (its pixels with a 4-neighbour outside it), so that the inside of a
/// square and its border differ only by where they are, not by their brightness.
///
/// Draws, image after image: the square's side a = 3 + nextInt(below: S/2 − 1) (3 … S/2 + 1), its
/// top row, then its left column, each nextInt(below: S − a + 1); then the S² pixels row-major,
/// each 1[inside] + uniform[−0.8, 0.8). Background and object brightness overlap (−0.8…0.8 against
/// 0.2…1.8), so a pixel alone is often ambiguous and its neighbourhood decides.
public struct SegmentationTask: Sendable {
    public let samples: Int
    public let size: Int
    public let classes: Int
    /// N×1×S×S.
    public let images: Tensor
    /// The class of every pixel, N·S·S of them, row-major.
    public let labels: [Int]

    /// Half the width of the noise added to every pixel.
    static let noise = 0.8

    public init(samples: Int, size: Int, classes: Int, using random: inout SeededGenerator) {
        precondition(size >= 6 && classes >= 2 && classes <= 3, "SegmentationTask: size ≥ 6, 2 or 3 classes")
        (self.samples, self.size, self.classes) = (samples, size, classes)
        var pixels: [Double] = []
        var labels: [Int] = []
        for _ in 0..<samples {
            let side = 3 + random.nextInt(below: size / 2 - 1)
            let top = random.nextInt(below: size - side + 1)
            let left = random.nextInt(below: size - side + 1)
            let rows = top..<(top + side), columns = left..<(left + side)
            for i in 0..<size {
                for j in 0..<size {
                    let inside = rows.contains(i) && columns.contains(j)
                    pixels.append((inside ? 1 : 0) + random.uniform(-Self.noise, Self.noise))
                    let border = i == rows.first || i == rows.last || j == columns.first || j == columns.last
                    labels.append(!inside ? 0 : classes == 3 && border ? 2 : 1)
                }
            }
        }
        images = Tensor(shape: [samples, 1, size, size], scalars: pixels)
        self.labels = labels
    }

    /// One-hot targets, N×K×S×S: T[n, k, i, j] = 1 where pixel (i, j) of image n has class k.
    public var targets: Tensor {
        let area = size * size
        var scalars = [Double](repeating: 0, count: samples * classes * area)
        for (index, label) in labels.enumerated() {
            let (n, pixel) = index.quotientAndRemainder(dividingBy: area)
            scalars[(n * classes + label) * area + pixel] = 1
        }
        return Tensor(shape: [samples, classes, size, size], scalars: scalars)
    }

    /// The fraction of pixels whose highest score (N×K×S×S; the first of equal ones) is their class.
    public func pixelAccuracy(_ scores: Tensor) -> Double {
        let area = size * size
        var correct = 0
        for (index, label) in labels.enumerated() {
            let (n, pixel) = index.quotientAndRemainder(dividingBy: area)
            let score = { (k: Int) in scores.scalars[(n * classes + k) * area + pixel] }
            let predicted = (1..<classes).reduce(0) { best, k in score(k) > score(best) ? k : best }
            if predicted == label { correct += 1 }
        }
        return Double(correct) / Double(labels.count)
    }

    /// The accuracy of calling every pixel background: the baseline a segmenter must beat.
    public var backgroundFraction: Double { Double(labels.count { $0 == 0 }) / Double(labels.count) }
}
