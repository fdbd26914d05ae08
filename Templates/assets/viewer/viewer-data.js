/* A trace's data from its shared script. A site writes each trace once, as traces/<id>.js, which
   sets UnrolledTraceData[id] = "1:<n>:<Z85>": the trace's compact layout (docs/trace-format.md,
   "Compact layout"), deflated into n bytes, written in Z85 (ZeroMQ RFC 32). A script, because the site must work from file://, where Chromium
   refuses fetch; the browser's own DecompressionStream inflates it.

   U.loadTrace(src, id) → a Promise of the trace, the same object JSON.parse gives for the trace's
   JSON, except that NaN and ±Infinity arrive as numbers rather than as their strings. */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';

  var loading = {};
  var has = function (o, k) { return !!o && Object.prototype.hasOwnProperty.call(o, k); };

  /** The encoded string for trace `id`, from the script at `src` (added to the page once). */
  function encoded(src, id) {
    if (has(window.UnrolledTraceData, id)) return Promise.resolve(window.UnrolledTraceData[id]);
    if (!loading[src]) {
      loading[src] = new Promise(function (resolve, reject) {
        var script = document.createElement('script');
        script.src = src;
        script.onload = function () {
          if (has(window.UnrolledTraceData, id)) resolve(window.UnrolledTraceData[id]);
          else reject(new Error(src + ' holds no data for the trace "' + id + '"'));
        };
        script.onerror = function () { reject(new Error('cannot load the trace data ' + src + ' (is it beside the page?)')); };
        document.head.appendChild(script);
      });
    }
    return loading[src];
  }

  var Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
  var DIGIT = new Int8Array(128).fill(-1);
  for (var d = 0; d < 85; d++) DIGIT[Z85.charCodeAt(d)] = d;

  /** Z85 text → its first n bytes (four bytes per five characters, big-endian base 85). */
  function z85(text, n) {
    if (text.length % 5 || n > text.length / 5 * 4) throw new Error('trace data: Z85 text of ' + text.length + ' characters cannot hold ' + n + ' bytes');
    var bytes = new Uint8Array(text.length / 5 * 4);
    for (var i = 0, o = 0; i < text.length; i += 5, o += 4) {
      var value = 0;
      for (var k = 0; k < 5; k++) {
        var c = text.charCodeAt(i + k), digit = c < 128 ? DIGIT[c] : -1;
        if (digit < 0) throw new Error('trace data: "' + text[i + k] + '" is not a Z85 character');
        value = value * 85 + digit;
      }
      bytes[o] = value >>> 24 & 255; bytes[o + 1] = value >>> 16 & 255; bytes[o + 2] = value >>> 8 & 255; bytes[o + 3] = value & 255;
    }
    return bytes.subarray(0, n);
  }

  /** "1:<n>:<Z85>" → the trace object. */
  function decode(text) {
    var parts = /^(\d+):(\d+):/.exec(text);
    if (!parts || parts[1] !== '1') throw new Error('trace data in layout "' + text.slice(0, 8) + '…"; this viewer reads layout 1');
    if (typeof DecompressionStream !== 'function') throw new Error('this browser cannot inflate trace data (no DecompressionStream); use a current browser');
    var bytes = z85(text.slice(parts[0].length), Number(parts[2]));
    var inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Response(inflated).arrayBuffer().then(unpack);
  }

  /** The compact layout: [UInt32 n][n bytes of JSON][8·m bytes: m doubles, byte-shuffled]. */
  function unpack(buffer) {
    var view = new DataView(buffer);
    var length = view.getUint32(0, true);
    var trace = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
    var m = (buffer.byteLength - 4 - length) / 8;
    var shuffled = new Uint8Array(buffer, 4 + length);
    // Byte k of number i was stored at k·m + i (bytes of like significance together).
    var bytes = new Uint8Array(8 * m);
    for (var k = 0; k < 8; k++) {
      var from = k * m;
      for (var j = 0; j < m; j++) bytes[8 * j + k] = shuffled[from + j];
    }
    var numbers = new DataView(bytes.buffer);
    function take(slice, where) {
      var offset = slice[0], count = slice[1];
      if (!(offset >= 0 && count >= 0 && offset + count <= m)) throw new Error('trace data: ' + where + ' is not a slice of the numbers');
      var out = new Array(count);
      for (var i = 0; i < count; i++) out[i] = numbers.getFloat64(8 * (offset + i), true);
      return out;
    }
    (trace.tensors || []).forEach(function (t, i) { t.data = take(t.data, 'tensors[' + i + '].data'); });
    (trace.history || []).forEach(function (entry, i) {
      Object.keys(entry.tensors || {}).forEach(function (key) {
        entry.tensors[key].data = take(entry.tensors[key].data, 'history[' + i + '].tensors.' + key + '.data');
      });
    });
    return trace;
  }

  U.loadTrace = function (src, id) {
    return encoded(src, id).then(decode);
  };
})(window.Unrolled);
