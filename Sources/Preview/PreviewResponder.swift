import Foundation
import Hummingbird
import Renderer

/// The preview's HTTP routes: the reload script and channel under `/__unrolled/`, and the site's
/// files from the last good build (HTML pages with the reload script added). A path that would
/// leave the site is refused (400); a path the site does not have is a 404 page that reloads with
/// the site. Pages are never cached; their styles, scripts and traces are revalidated (`ETag`).
struct PreviewResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let state: PreviewState

    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .get || request.method == .head else {
            return message(.methodNotAllowed, "Method not allowed", "The preview serves files: GET only.", generation: nil)
        }
        switch RequestPath(request.uri.path) {
        case .reloadScript:
            return file(Data(ReloadScript.source.utf8), type: contentType(of: "reload.js"))
        case .events:
            let since = request.uri.queryParameters.get("since", as: Int.self)
            let events = state.listen(since: since).map { ByteBuffer(string: $0) }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                body: ResponseBody(asyncSequence: events))
        case .refused(let reason):
            return message(.badRequest, "Refused", "This path is not part of the site: \(reason).", generation: nil)
        case .site(let path):
            let (site, generation) = state.current
            guard let site else {
                return message(.serviceUnavailable, "No site yet", "The course has not built yet; the page reloads when it does.", generation: generation)
            }
            guard let resource = site.resource(at: path) else {
                return message(.notFound, "Not found", "The site has no file \(path).", generation: generation)
            }
            let type = contentType(of: path)
            if type.hasPrefix("text/html") {
                guard let data = bytes(of: resource) else { return message(.notFound, "Not found", "The site has no file \(path).", generation: generation) }
                return file(ReloadScript.inject(into: data, generation: generation), type: type)
            }
            // Anything but a page is revalidated rather than fetched again: a reload after an edit
            // asks for the page and gets `304 Not Modified` for its styles, scripts and traces.
            let version = site.version(of: resource, at: path)
            if let version, request.headers[.ifNoneMatch] == version {
                return Response(status: .notModified, headers: [.eTag: version, .cacheControl: "no-cache"])
            }
            guard let data = bytes(of: resource) else { return message(.notFound, "Not found", "The site has no file \(path).", generation: generation) }
            var response = file(data, type: type)
            if let version {
                response.headers[.eTag] = version
                response.headers[.cacheControl] = "no-cache"
            }
            return response
        }
    }

    private func bytes(of resource: PreviewSite.Resource) -> Data? {
        switch resource {
        case .data(let data): data
        case .file(let url): FileManager.default.contents(atPath: url.path)
        }
    }

    private func file(_ data: Data, type: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: type, .cacheControl: "no-store"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A small page of its own (404, 400 …); with the reload script when `generation` is given.
    private func message(_ status: HTTPResponse.Status, _ title: String, _ text: String, generation: Int?) -> Response {
        let page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escaped(title)) · unrolled serve</title></head>
            <body><h1>\(escaped(title))</h1><p>\(escaped(text))</p><p><a href="/">The course's index</a></p></body></html>

            """
        let data = Data(page.utf8)
        return file(generation.map { ReloadScript.inject(into: data, generation: $0) } ?? data, type: contentType(of: "page.html"), status: status)
    }

    private func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
