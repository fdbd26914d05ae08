// Typesets every math span of a site with Debian's KaTeX under Node, as the reader's browser
// would, and reports the ones KaTeX refuses: `unrolled build` runs it once per build (MathCheck.swift).
//
//   node check-math.js <katex.min.js> <viewer-kit.js>   < spans.json   > problems.json
//
// spans.json is [[tex, display], …]; problems.json is [[index, message], …]. The options are the
// browser's own: viewer-kit.js runs here in a bare context and its katexOptions() is used, so the
// limits, the refused definitions and the compatibility macros cannot drift between the two.
'use strict';
const fs = require('fs');
const vm = require('vm');

const [katexPath, kitPath] = process.argv.slice(2);
const katex = require(katexPath);
const context = { window: { katex } };
vm.createContext(context);
vm.runInContext('var window = this.window;\n' + fs.readFileSync(kitPath, 'utf8'), context, { filename: kitPath });
const kit = context.window.Unrolled.viewerKit;

const spans = JSON.parse(fs.readFileSync(0, 'utf8'));
const problems = [];
spans.forEach(([tex, display], index) => {
  try {
    katex.renderToString(tex, Object.assign({}, kit.katexOptions(display, 'html'), { throwOnError: true }));
  } catch (error) {
    problems.push([index, String(error && error.message || error)]);
  }
});
process.stdout.write(JSON.stringify(problems));
