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

    /// The script's text, around the trace's `payload`.
    static func text(id: String, payload: String) -> String {
        // A JSON string is a JavaScript string; encoding a String cannot fail.
        let name = String(decoding: (try? JSONEncoder().encode(id)) ?? Data("\"\"".utf8), as: UTF8.self)
        return "/* The data of the Unrolled trace \(name.replacingOccurrences(of: "*/", with: "* /")), read by <unrolled-trace data-src>: "
            + "compact layout \(CompactTrace.version), deflated, Z85 (docs/trace-format.md, \"Compact layout\"). */\n"
            + "(window.UnrolledTraceData = window.UnrolledTraceData || {})[\(name)] = \"\(payload)\";\n"
    }

    /// `1:<n>:<Z85>`: the trace in its compact layout, deflated into n bytes, in Z85. The trace
    /// cache keeps it, so a build that changed nothing encodes nothing.
    static func payload(_ trace: TraceDocument) throws -> String {
        let deflated = deflate(try CompactTrace.encode(trace))
        return "\(CompactTrace.version):\(deflated.count):" + Z85.encode(deflated)
    }

    /// The trace a payload holds: what `payload` was given.
    static func trace(fromPayload payload: String) throws -> TraceDocument {
        let parts = payload.split(separator: ":", maxSplits: 2)
        guard parts.count == 3, parts[0] == "\(CompactTrace.version)", let count = Int(parts[1]),
            let bytes = Z85.decode(parts[2]), count <= bytes.count
        else { throw TraceError("not a trace payload of layout \(CompactTrace.version) (1:<n>:<Z85>)", at: []) }
        return try CompactTrace.decode(try inflate(Data(bytes.prefix(count))))
    }

    /// zlib's inflate, into a buffer doubled until the bytes fit (deflate rarely gains 4×).
    static func inflate(_ data: Data) throws -> Data {
        var capacity = max(1 << 16, 4 * data.count)
        while true {
            var length = uLongf(capacity)
            var status: Int32 = Z_OK
            // Not zero-filled first: zlib writes every byte it reports.
            let out = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, written in
                status = data.withUnsafeBytes { uncompress(buffer.baseAddress, &length, $0.bindMemory(to: Bytef.self).baseAddress, uLong(data.count)) }
                written = status == Z_OK ? Int(length) : 0
            }
            if status == Z_BUF_ERROR, capacity < 1 << 31 {
                capacity *= 2
                continue
            }
            guard status == Z_OK else { throw TraceError("the trace payload does not inflate (zlib status \(status))", at: []) }
            return Data(out)
        }
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
