import CZlib
import Foundation
import Trace

/// A trace's data as the site ships it: one script per trace, `traces/<id>.js`, loaded by every
/// page that shows the trace (its chapter and its own page), so the data is written once per site.
///
/// A script, not a `.json` file, because Chromium refuses `fetch` over `file://` and the site must
/// work from disk; a script tag works from anywhere. The script only stores a string,
/// `UnrolledTraceData[id] = "1:<n>:<Z85>"`: the trace's compact layout (`CompactTrace`, exact),
/// deflated (zlib) into n bytes, written in Z85. The viewer (`viewer-data.js`) inflates it with the
/// browser's own `DecompressionStream`. docs/trace-format.md, "Compact layout", has the bytes.
enum TraceScript {
    /// Where the trace's data goes in the site.
    static func path(_ id: String) -> String { "traces/\(id).js" }

    /// The script's text.
    static func text(id: String, trace: TraceDocument) throws -> String {
        let deflated = deflate(try CompactTrace.encode(trace))
        let payload = "\(CompactTrace.version):\(deflated.count):" + Z85.encode(deflated)
        let name = String(decoding: try JSONEncoder().encode(id), as: UTF8.self)
        return "/* The data of the Unrolled trace \(name.replacingOccurrences(of: "*/", with: "* /")), read by <unrolled-trace data-src>: "
            + "compact layout \(CompactTrace.version), deflated, Z85 (docs/trace-format.md, \"Compact layout\"). */\n"
            + "(window.UnrolledTraceData = window.UnrolledTraceData || {})[\(name)] = \"\(payload)\";\n"
    }

    /// zlib's deflate at its default level (a zlib stream, which `DecompressionStream("deflate")`
    /// reads); level 9 saved 1.1 % on the bundled course's traces.
    static func deflate(_ data: Data) -> Data {
        var length = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = data.withUnsafeBytes { source in
            compress2(&out, &length, source.bindMemory(to: Bytef.self).baseAddress, uLong(data.count), Z_DEFAULT_COMPRESSION)
        }
        // compress2 fails only without memory or with a too-small buffer, which compressBound rules out.
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        return Data(out[..<Int(length)])
    }
}
