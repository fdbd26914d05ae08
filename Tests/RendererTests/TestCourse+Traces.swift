import Foundation
import Trace
import TraceTestSupport
@testable import Renderer

extension TestCourse {
    /// The trace the built site ships as `traces/<id>.js`.
    func siteTrace(_ id: String) throws -> TraceDocument {
        try SiteTraceData.decode(script: try page("traces/\(id).js"))
    }

    /// The trace cache's entries (`.unrolled-cache/traces/*.json`) by file name.
    func cachedTraces() -> [String] {
        let folder = course.appendingPathComponent(".unrolled-cache/traces")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }
}
