// Typesets every math span of a site with Debian's KaTeX under Node, as the reader's browser
// would, and reports the ones KaTeX refuses: `unrolled build` runs it once per build (MathCheck.swift).
//
//   node check-math.js <katex.min.js> <viewer-kit.js>   < spans   > problems.json
//
// The spans come as lines, each a JSON array [[tex, display], …], checked as each line arrives (the
// build sends a page's math as soon as the page is parsed, while it parses the others); the
// index of a span counts across lines. problems.json is [[index, message], …], written when the
// input ends. The options are the browser's own: viewer-kit.js runs here in a bare context and its
// katexOptions() is used, so the limits, the refused definitions and the compatibility macros
// cannot drift between the two.
'use strict';
const fs = require('fs');
const vm = require('vm');

const [katexPath, kitPath] = process.argv.slice(2);
const katex = require(katexPath);
const context = { window: { katex } };
vm.createContext(context);
vm.runInContext('var window = this.window;\n' + fs.readFileSync(kitPath, 'utf8'), context, { filename: kitPath });
const kit = context.window.Unrolled.viewerKit;

const problems = [];
let index = 0;
function check(line) {
  if (!line.trim()) return;
  for (const [tex, display] of JSON.parse(line)) {
    try {
      katex.renderToString(tex, Object.assign({}, kit.katexOptions(display, 'html'), { throwOnError: true }));
    } catch (error) {
      problems.push([index, String(error && error.message || error)]);
    }
    index += 1;
  }
}

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop();
  lines.forEach(check);
});
process.stdin.on('end', () => {
  check(pending);
  process.stdout.write(JSON.stringify(problems));
});
