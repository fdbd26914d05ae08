import CEngine

/// Keeps the memory of freed tensors in the process for the next ones, where the C library would
/// hand it back to the kernel.
///
/// Every training iteration allocates and frees the same large tensors (a 256×256 weight's
/// gradient is 512 KB). glibc serves blocks from 128 KB up with fresh `mmap`s, and trims the heap's
/// top once 128 KB lie free there, so each iteration paid the kernel to map and zero those pages
/// again: a quarter of the time of a [8, 256, 256, 4] MLP's iteration (`make bench`, perf: page
/// faults and `clear_page`). With blocks up to 32 MB (glibc's ceiling for this setting) taken from
/// the heap and up to 256 MB of free heap kept, the pages are faulted in once. The process may then
/// hold that much more memory than it uses: bounded, and a run is short.
enum MemoryReuse {
    /// Set once, before the first tape allocates (`Tape.init` reads it).
    static let configured: Bool = {
        unrolled_keep_freed_memory()
        return true
    }()
}
