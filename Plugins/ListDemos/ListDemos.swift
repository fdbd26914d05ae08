import Foundation
import PackagePlugin

/// Writes `Demos.all` for the Models target from the demos its files declare
/// (`static let lstm = Demo(…)`, or a helper ending in `Demo(`), so that adding a demo is writing
/// its declaration: there is no list to keep (docs/architecture.md, "A network"). The work is
/// `scripts/list-demos`, a shell script: a Swift tool would be linked with libFuzzer's `main` by
/// `make fuzz`, which builds every executable with `--sanitize fuzzer`.
@main
struct ListDemos: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let sources = target.sourceFiles(withSuffix: "swift").map(\.url)
        let script = context.package.directoryURL.appending(path: "scripts/list-demos")
        let output = context.pluginWorkDirectoryURL.appending(path: "Demos+all.swift")
        return [
            .buildCommand(
                displayName: "Listing the demos of \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [script.path, output.path] + sources.map(\.path),
                inputFiles: [script] + sources,
                outputFiles: [output]
            )
        ]
    }
}
