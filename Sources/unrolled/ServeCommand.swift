import ArgumentParser
import Foundation
import Preview
import Renderer
import Synchronization

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Preview a course: build it, serve it on localhost, rebuild and reload as you edit.",
        discussion: """
            Builds the course in memory (nothing is written but the trace cache), serves it at \
            http://HOST:PORT/ and watches the course folder and the templates folder. Saving a note \
            renders that page again (all pages when its title or headings changed; a changed \
            directive runs again, other traces come from memory or the trace cache) and every open \
            page reloads where the reader was. A build error shows over the page, with each \
            problem's file:line, and in the terminal; the last good pages are still served until \
            it is fixed. Ctrl-C stops the server.

            The reload script is added to the pages served, never to a site that `unrolled build` \
            writes. Publish with `unrolled build`.

            Examples:
              unrolled serve                      # Site/ at http://127.0.0.1:3000/
              unrolled serve my-course --port 0 --open
              unrolled serve my-course --host 0.0.0.0 --strict
            """
    )

    @Argument(help: "The course folder.")
    var course: String = "Site"

    @Option(help: ArgumentHelp("The port to listen on; 0 picks any free port (the address is printed).", valueName: "n"))
    var port: Int = 3000

    @Option(help: ArgumentHelp(
        "The address to listen on.",
        discussion: "127.0.0.1 serves this machine only; 0.0.0.0 serves the network (the preview has no access control)."))
    var host: String = "127.0.0.1"

    @Flag(help: "Open the site in the default browser (xdg-open) once it is served.")
    var open = false

    /// `--strict` (warnings show over the page too) and `--templates` (watched too), as for `build`.
    @OptionGroup var siteArguments: SiteArguments

    func validate() throws {
        guard (0...65535).contains(port) else {
            throw ValidationError("--port \(port) is not a port; give 1 to 65535, or 0 for any free port")
        }
    }

    func run() throws {
        let courseURL = URL(fileURLWithPath: course)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: courseURL.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw usageFailure("no course folder at \(courseURL.path) (give the folder that holds course.yml or notes/)")
        }
        var site = SiteOptions(course: courseURL)
        try siteArguments.apply(to: &site)
        site.progress = { _ in }
        site.demoProgress = ProgressLine.handler()
        var options = PreviewOptions(site: site)
        options.host = host
        options.port = port
        options.report = { line in
            ProgressLine.clear()
            printError(line)
        }
        let open = open
        options.ready = { address in
            printError("serving \(courseURL.path) at \(address) (Ctrl-C stops)")
            if open { openInBrowser(address) }
        }
        printError("building \(course)")
        let failure = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        // The command line's `run` is synchronous: the server runs in a task, this thread waits.
        Task {
            do {
                try await Preview.serve(options)
            } catch {
                failure.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) {
            printError("error: cannot serve at \(host):\(port): \(error) (another server on that port? choose another with --port, or --port 0 for any free one)")
            throw ExitCode.failure
        }
        printError("stopped")
    }
}

/// Opens `address` in the desktop's browser; says so when it cannot.
private func openInBrowser(_ address: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["xdg-open", address]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
        try process.run()
    } catch {
        printError("note: cannot open a browser (xdg-open: \(error)); open \(address) yourself")
    }
}
