@testable import Renderer

/// libFuzzer target: the text of a `course.yml` (`CourseConfig.parse`). Besides not crashing or
/// hanging: every problem stays one short line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCourseConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for diagnostic in CourseConfig.parse(text).1 {
        precondition(diagnostic.description.count < 1_000 && !diagnostic.description.contains("\n"), "\(diagnostic.description.prefix(2_000))")
    }
    return 0
}
