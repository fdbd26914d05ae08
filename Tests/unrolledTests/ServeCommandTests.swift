import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `unrolled serve`'s errors before it serves: each names the option and the fix.
@Suite("serve command")
struct ServeCommandTests {
    @Test("a port that is not one is a usage error naming --port")
    func badPort() throws {
        let result = try CLI.run(["serve", "--port", "70000"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("--port 70000 is not a port; give 1 to 65535, or 0 for any free port"))
    }

    @Test("a missing course folder is a usage error naming it")
    func noCourse() throws {
        let result = try CLI.run(["serve", "/nonexistent-unrolled-course"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("no course folder at /nonexistent-unrolled-course"))
    }

    @Test("a port another server holds fails with exit 1 and says to choose another --port")
    func portInUse() throws {
        // A socket of this process listening on a port the kernel picks.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(holder, raw, length) == 0, listen(holder, 1) == 0, getsockname(holder, raw, &length) == 0 else {
                    throw CocoaError(.fileWriteUnknown)
                }
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let course = FileManager.default.temporaryDirectory.appendingPathComponent("unrolled-serve-port-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: course) }
        try FileManager.default.createDirectory(at: course.appendingPathComponent("notes"), withIntermediateDirectories: true)
        try Data("# A\n\nText.\n".utf8).write(to: course.appendingPathComponent("notes/a.md"))
        let result = try CLI.run(["serve", course.path, "--port", String(port)], timeout: 300)
        #expect(result.status == 1)
        #expect(result.standardError.contains("cannot serve at 127.0.0.1:\(port)"))
        #expect(result.standardError.contains("choose another with --port, or --port 0 for any free one"))
    }
}
