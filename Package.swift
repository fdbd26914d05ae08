// swift-tools-version: 6.1
import PackageDescription

// The engine, the trace and the models are compiled with optimization in debug builds too: the
// tests (Swift and the Python/browser ones, through the debug `unrolled`) compute every demo's
// trace, and unoptimized they spent four fifths of `make test`'s Swift time on arithmetic (a
// demo's training 5–20× slower). The rest of the debug build is as usual. To step through the
// engine in a debugger, build with UNROLLED_UNOPTIMIZED=1 (a rebuild of these modules). Unsafe
// flags keep this package from being a versioned dependency of another; it is an application.
let optimizedInDebug: [SwiftSetting] =
    Context.environment["UNROLLED_UNOPTIMIZED"] == nil ? [.unsafeFlags(["-O"], .when(configuration: .debug))] : []

let package = Package(
    name: "Unrolled",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "unrolled", targets: ["unrolled"]),
        .library(name: "Trace", targets: ["Trace"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Equations", targets: ["Equations"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "Renderer", targets: ["Renderer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // course.yml, front matter and directive bodies (YAML with line numbers for errors).
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // The site's page templates.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // `unrolled serve`: HTTP, server-sent events, a clean stop on Ctrl-C (docs/architecture.md says why
        // Hummingbird). Its traits off: no swift-configuration. Logging and ServiceLifecycle come with it.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // The trace document: the contract between engine, viewer and other tools. Depends on nothing.
        .target(name: "Trace", swiftSettings: optimizedInDebug),
        // Tensors, the recording tape, ops with their gradient rules, SGD.
        .target(name: "Engine", dependencies: ["Trace", "CEngine"], swiftSettings: optimizedInDebug),
        // The engine's C: the matrix product's kernel, in C so that it can take AVX where the CPU has it
        // (Swift cannot pick a function's instruction set at run time), its fixed summation order giving
        // the same bits on every path and machine (matrix_product.c says how).
        .target(name: "CEngine", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
        // An instructor's own computation: declarations and equations read, checked and recorded.
        .target(name: "Equations", dependencies: ["Engine", "Trace"]),
        // Networks built on the engine and the registry of named demos.
        .target(name: "Models", dependencies: ["Engine", "Equations", "Trace"], swiftSettings: optimizedInDebug, plugins: ["ListDemos"]),
        // Writes `Demos.all` from the demos Models declares: adding a demo is declaring it.
        .plugin(name: "ListDemos", capability: .buildTool()),
        // libcmark-gfm and its extensions, found through pkg-config (Debian packages named below).
        .systemLibrary(
            name: "CCmarkGFM",
            path: "Sources/CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        // zlib's deflate: a trace's data in the site is compressed as browsers inflate it natively.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // renameat2(RENAME_EXCHANGE), which Swift's Glibc module does not expose: a site is put in
        // place by one atomic exchange of folders.
        .target(name: "CAtomicRename"),
        // Markdown notes to HTML: the cmark-gfm wrapper, math, heading ids.
        .target(
            name: "Renderer",
            dependencies: [
                "CAtomicRename", "CCmarkGFM", "CZlib", "Engine", "Equations", "Models", "Trace",
                .product(name: "Yams", package: "Yams"), .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // `unrolled serve`: the course watched (inotify), rebuilt in memory, served, its pages reloaded.
        .target(
            name: "Preview",
            dependencies: [
                "Renderer", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The command line: parses, calls the libraries, reports.
        .executableTarget(
            name: "unrolled",
            dependencies: [
                "Engine", "Equations", "Models", "Trace", "Renderer", "Preview",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Debian's mimalloc (libmimalloc-dev) in place of glibc's malloc for the whole program:
            // a site build allocates and frees millions of small blocks (cmark-gfm's nodes and
            // buffers, Swift's strings), and glibc's malloc and free were a sixth of its
            // instructions (4.23 G → 3.75 G on the 200-page bench, callgrind). The engine gains too:
            // freed tensors' memory is reused where glibc gave large blocks back to the kernel and
            // faulted them in again every iteration (docs/engine-speed.md). Linked by name, it
            // comes before the C library, so every malloc of the process is its.
            linkerSettings: [.linkedLibrary("mimalloc")]
        ),
        // `make bench`: timings of the engine beside numpy, not a test.
        // With the executable's malloc (mimalloc, see `unrolled`), so that it times the engine as the CLI runs it.
        .executableTarget(
            name: "unrolled-bench", dependencies: ["Models", "Engine"], path: "Benchmarks/unrolled-bench",
            linkerSettings: [.linkedLibrary("mimalloc")]),

        .testTarget(name: "TraceTests", dependencies: ["Trace"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "CEngine", "Trace"], exclude: ["prng_reference.py"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Engine", "Trace"]),
        // The equations language; also through the directive (Renderer) that reports its problems.
        .testTarget(name: "EquationsTests", dependencies: ["Equations", "Models", "Engine", "Trace", "Renderer"]),
        // Reads a site's or an embed's trace data back (Z85, zlib, the compact layout) for the tests.
        .target(name: "TraceTestSupport", dependencies: ["Trace", "CZlib"], path: "Tests/Support"),
        .testTarget(name: "RendererTests", dependencies: [
            "Renderer", "Models", "Engine", "Trace", "TraceTestSupport", .product(name: "Mustache", package: "swift-mustache"),
        ]),
        .testTarget(name: "unrolledTests", dependencies: ["unrolled", "Trace", "TraceTestSupport"]),
        .testTarget(name: "PreviewTests", dependencies: ["Preview", "Renderer"]),
    ]
)

// `make fuzz` only (UNROLLED_FUZZ set, its own build folder): one libFuzzer executable per input
// kind, in Tests/Fuzz/<kind>/. They reach internal parsers with `@testable import`; see docs/fuzzing.md.
if Context.environment["UNROLLED_FUZZ"] != nil {
    for kind in ["math", "markdown", "directive", "front-matter", "course-config", "trace", "demo-parameter", "equations"] {
        let dependencies: [Target.Dependency] =
            switch kind {
            case "demo-parameter": ["Models"]
            case "trace": ["Engine", "Trace"]
            case "equations": ["Equations", "Engine"]
            default: ["Renderer", "Trace"]
            }
        package.targets.append(.executableTarget(name: "fuzz-\(kind)", dependencies: dependencies, path: "Tests/Fuzz/\(kind)"))
    }
}
