import Foundation

/// The site's assets (the templates' `assets/`, KaTeX, the marker) copied on a thread of their
/// own while the build reads, runs and renders the course: they depend on nothing the course
/// says, and copying them is mostly the file system's time (about a tenth of a rebuild with
/// nothing changed, 60 files), which a core the build leaves idle can spend.
enum AssetCopy {
    /// Starts copying into `staging` (`WrittenSite.copyAssets`); its value is the copy's warnings.
    static func start(_ options: SiteOptions, into staging: StagingFolder) -> Background<[Diagnostic]> {
        // Made here, before the pages' linked files may go there too, so the two never race to make it.
        try? FileManager.default.createDirectory(at: staging.url.appendingPathComponent("assets"), withIntermediateDirectories: true)
        return Background { () throws(Diagnostic) in try WrittenSite.copyAssets(options, into: staging) }
    }
}
