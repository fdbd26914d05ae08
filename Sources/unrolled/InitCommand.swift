import ArgumentParser
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Start a new course: a folder with course.yml, two notes, a picture and a publishing recipe.",
        discussion: """
            Writes a starter course into DIR (default: the current folder): course.yml (title, author, description, chapter order), two \
            short notes in notes/ with math, a picture, live traces and prose that quotes them, a \
            .gitignore for what a build writes (_site/, .unrolled-cache/), a README.md that tells how to \
            publish the site, and .github/workflows/pages.yml, which publishes it on GitHub Pages. It \
            builds as it is, under --strict too. The files are those of the templates' starter/ folder \
            (Templates/starter in the sources), copied as they are.

            DIR must be new or empty (a folder holding only .git counts as empty). With --force, a \
            folder that is not empty gets only the starter's files it lacks: no file is ever \
            overwritten. The files are put together in a hidden folder first and moved in place at \
            the end, so a failure leaves DIR as it was.

            Examples:
              unrolled init my-course       # then: unrolled serve my-course
              unrolled init                 # into the current folder
              unrolled init . --force       # add what is missing, keep what is there
            """
    )

    @Argument(help: ArgumentHelp("The course folder: a new folder, or an empty one.", valueName: "dir"))
    var directory: String = "."

    @Flag(help: "Write into a folder that is not empty: only the starter's files it lacks, never over a file.")
    var force = false

    func run() throws {
        let plan: StarterPlan
        let starter: StarterCourse
        do {
            starter = try StarterCourse.locate()
            plan = try StarterPlan(starter: starter, course: URL(fileURLWithPath: directory), force: force)
        } catch InitFailure.refused(let message) {
            throw usageFailure(message)
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        guard !plan.writes.isEmpty else {
            print("\(plan.course.path) already holds every file of the starter course; nothing was written.")
            return
        }
        // For the tests of a failed init: the named step (`stage FILE`, `move ROOT`) fails.
        let failing = ProcessInfo.processInfo.environment["UNROLLED_TEST_FAIL_BEFORE"]
        do {
            try plan.write(from: starter) { step in
                if step == failing { throw CocoaError(.fileWriteUnknown) }
            }
        } catch {
            printError("error: \(error); \(plan.course.path) was left as it was")
            throw ExitCode.failure
        }
        report(plan)
    }

    /// What was written, what was kept, and the commands that come next, with the folder as it was typed.
    private func report(_ plan: StarterPlan) {
        print(plan.kept.isEmpty ? "wrote a starter course into \(plan.course.path):" : "added the starter course's missing files to \(plan.course.path):")
        for file in plan.writes { print("  \(file)") }
        if !plan.kept.isEmpty {
            print("kept, as they were:")
            for file in plan.kept { print("  \(file)") }
        }
        let folder = shellQuoted(directory)
        let typed = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let site = typed == "." ? "_site/" : typed + "/_site/"
        let commands = [
            ("unrolled serve \(folder)", "a live preview: builds, serves, reloads as you edit"),
            ("unrolled build \(folder) --strict", "the site, into \(site) (it opens from disk too)"),
        ]
        let width = commands.map(\.0.count).max() ?? 0
        print("next:")
        for (command, what) in commands {
            print("  " + command.padding(toLength: width, withPad: " ", startingAt: 0) + "   # " + what)
        }
        print("\(typed == "." ? "" : typed + "/")README.md tells how to publish it on GitHub Pages or any static host.")
    }
}

/// `text` as a shell reads it back: as it is when it holds only characters no shell treats
/// specially, else in single quotes.
func shellQuoted(_ text: String) -> String {
    let plain = text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./+:,=@%".unicodeScalars.contains($0) }
    return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
