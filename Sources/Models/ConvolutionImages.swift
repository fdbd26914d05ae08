import Engine

/// The `conv` demo's built-in tiny images: 0/1 pixels, one channel, drawn so that a 3×3 edge
/// kernel has something to find (strokes one or two pixels wide, a blank border on most sides).
enum ConvolutionImage: String, ParameterChoice {
    case seven, three, cross, seeded, given

    /// The pixels as rows, for the built-in images; nil for `seeded` and `given`.
    var rows: [[Double]]? {
        switch self {
        case .seven:
            return Self.pixels([
                "........",
                ".######.",
                ".....##.",
                "....##..",
                "...##...",
                "...#....",
                "..##....",
                "..#.....",
            ])
        case .three:
            return Self.pixels([
                "........",
                "..####..",
                ".....##.",
                "...###..",
                ".....##.",
                ".....##.",
                "..####..",
                "........",
            ])
        case .cross:
            return Self.pixels([
                "..#..",
                "..#..",
                "#####",
                "..#..",
                "..#..",
            ])
        case .seeded, .given:
            return nil
        }
    }

    /// `#` is 1, anything else 0.
    private static func pixels(_ picture: [String]) -> [[Double]] {
        picture.map { line in line.map { $0 == "#" ? 1.0 : 0.0 } }
    }
}
