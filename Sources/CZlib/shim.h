// zlib's deflate, for Sources/Renderer/TraceScript.swift: a trace's compact bytes compressed in the
// format browsers inflate natively (`DecompressionStream("deflate")`).
#include <zlib.h>
