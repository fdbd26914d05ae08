// The C API of cmark-gfm and its core extensions (table, strikethrough, autolink,
// tasklist, tagfilter), for Sources/Renderer/Markdown.swift and nothing else.
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
