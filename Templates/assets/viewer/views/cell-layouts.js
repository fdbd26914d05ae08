/* Unrolled viewer: the geometry of the LSTM and GRU cell diagrams (views/cell.js), a file of its
   own: for each cell a wide drawing (780 units, the values written along the wires) and a narrow one
   for a phone (340 units: the same gates, operations and wires, pulled together so that every text,
   13 units or more, is drawn at 11 px or more down to a 308 px panel, a 360 px phone's; the wires
   carry their symbols, and the view lists their values under the drawing). Both use the same wire and node ids, so a test or a reader finds
   the same things in either. Adds cellLayouts to U.viewKit; loaded before cell.js (file-name order).

   A node: id, the cell_part it lights with, kind gate (a box: label and subscript) or op (a circle),
   its centre (a gate's box is `gate` wide and high, 52 × 40 unless the layout says). A wire: id, the tensor it carries by its tags (`query`, plus t and the direction; `prev`
   reads t−1, or t+1 going backward; `plain`: shared by both directions), its path, where its label
   goes (`label`, `anchor`), how many characters of values fit there (`budget`, wide only), and for
   the narrow drawing its symbol's subscript (`sub`) and its place in the list of values (`order`). */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';

  var LSTM_WIDE = {
    width: 780, height: 400,
    box: [110, 40, 560, 300],
    nodes: [
      { id: 'forget', text: 'forget gate', part: 'forget_gate', kind: 'gate', label: 'σ', sub: 'f', x: 240, y: 220 },
      { id: 'input', text: 'input gate', part: 'input_gate', kind: 'gate', label: 'σ', sub: 'i', x: 320, y: 220 },
      { id: 'candidate', text: 'candidate', part: 'candidate', kind: 'gate', label: 'tanh', sub: 'c̃', x: 460, y: 220 },
      { id: 'output', text: 'output gate', part: 'output_gate', kind: 'gate', label: 'σ', sub: 'o', x: 540, y: 220 },
      { id: 'mulF', text: 'cell state', part: 'cell_state', kind: 'op', label: '⊙', x: 240, y: 90 },
      { id: 'mulI', text: 'cell state', part: 'cell_state', kind: 'op', label: '⊙', x: 460, y: 150 },
      { id: 'add', text: 'cell state', part: 'cell_state', kind: 'op', label: '+', x: 460, y: 90 },
      { id: 'tanhC', text: 'hidden state', part: 'hidden_state', kind: 'op', label: 'tanh', x: 610, y: 150 },
      { id: 'mulO', text: 'hidden state', part: 'hidden_state', kind: 'op', label: '⊙', x: 610, y: 220 }
    ],
    // Wire paths as point lists; `label` is where its values are written, `budget` how
    // many characters of values fit there.
    wires: [
      { id: 'cprev', query: { quantity: 'cell_state' }, prev: true, name: 'c', points: [[30, 90], [228, 90]], label: [40, 78], anchor: 'start', budget: 22 },
      { id: 'cmid', query: null, points: [[252, 90], [448, 90]] },
      { id: 'c', query: { quantity: 'cell_state' }, name: 'c', points: [[472, 90], [750, 90]], label: [745, 78], anchor: 'end', budget: 26 },
      { id: 'hprev', query: { quantity: 'hidden_state' }, prev: true, name: 'h', points: [[30, 340], [170, 340]], label: [40, 358], anchor: 'start', budget: 16 },
      { id: 'x', query: { quantity: 'input' }, plain: true, name: 'x', points: [[170, 395], [170, 340]], label: [178, 390], anchor: 'start', budget: 30 },
      { id: 'hx', query: { quantity: 'stacked_input' }, name: '[h;x]', points: [[170, 340], [540, 340]], label: [290, 358], anchor: 'start', budget: 40 },
      { id: 'busF', query: null, points: [[240, 340], [240, 240]] },
      { id: 'busI', query: null, points: [[320, 340], [320, 240]] },
      { id: 'busC', query: null, points: [[460, 340], [460, 240]] },
      { id: 'busO', query: null, points: [[540, 340], [540, 240]] },
      { id: 'f', query: { quantity: 'gate', gate: 'forget' }, name: 'f', points: [[240, 200], [240, 102]], label: [234, 165], anchor: 'end', budget: 18 },
      { id: 'i', query: { quantity: 'gate', gate: 'input' }, name: 'i', points: [[320, 200], [320, 150], [448, 150]], label: [326, 185], anchor: 'start', budget: 16 },
      { id: 'ctilde', query: { quantity: 'candidate' }, name: 'c̃', points: [[460, 200], [460, 162]], label: [466, 185], anchor: 'start', budget: 16 },
      { id: 'ic', query: null, points: [[460, 138], [460, 102]] },
      { id: 'cdown', query: null, points: [[610, 90], [610, 133]] },
      { id: 'o', query: { quantity: 'gate', gate: 'output' }, name: 'o', points: [[566, 220], [598, 220]], label: [548, 262], anchor: 'start', budget: 22 },
      { id: 'tanhc', query: null, points: [[610, 167], [610, 208]] },
      { id: 'h', query: { quantity: 'hidden_state' }, name: 'h', points: [[610, 232], [610, 300], [750, 300]], label: [745, 318], anchor: 'end', budget: 22 }
    ],
    // Peephole connections: c_{t−1} into the forget and input gates, c_t into the output gate.
    peepholes: [
      { id: 'peepF', text: 'forget gate', part: 'forget_gate', points: [[200, 90], [200, 220], [214, 220]] },
      { id: 'peepI', text: 'input gate', part: 'input_gate', points: [[200, 220], [200, 262], [302, 262], [302, 240]] },
      { id: 'peepO', text: 'output gate', part: 'output_gate', points: [[580, 90], [580, 205], [566, 205]] }
    ]
  };

  var GRU_WIDE = {
    width: 780, height: 400,
    box: [110, 40, 560, 300],
    nodes: [
      { id: 'reset', text: 'reset gate', part: 'reset_gate', kind: 'gate', label: 'σ', sub: 'r', x: 210, y: 250 },
      { id: 'update', text: 'update gate', part: 'update_gate', kind: 'gate', label: 'σ', sub: 'z', x: 350, y: 250 },
      { id: 'candidate', text: 'candidate', part: 'candidate', kind: 'gate', label: 'tanh', sub: 'h̃', x: 560, y: 250 },
      { id: 'mulR', text: 'candidate', part: 'candidate', kind: 'op', label: '⊙', x: 210, y: 160 },
      { id: 'mulZ', text: 'hidden state', part: 'hidden_state', kind: 'op', label: '⊙', x: 350, y: 90 },
      { id: 'oneMinus', text: 'hidden state', part: 'hidden_state', kind: 'op', label: '1−', x: 450, y: 160 },
      { id: 'mulH', text: 'hidden state', part: 'hidden_state', kind: 'op', label: '⊙', x: 560, y: 160 },
      { id: 'add', text: 'hidden state', part: 'hidden_state', kind: 'op', label: '+', x: 560, y: 90 }
    ],
    wires: [
      { id: 'hprev', query: { quantity: 'hidden_state' }, prev: true, name: 'h', points: [[30, 90], [338, 90]], label: [40, 78], anchor: 'start', budget: 22 },
      { id: 'hdrop', query: null, points: [[150, 90], [150, 350], [170, 350]] },
      { id: 'rdrop', query: null, points: [[210, 90], [210, 148]] },
      { id: 'x', query: { quantity: 'input' }, plain: true, name: 'x', points: [[170, 395], [170, 350]], label: [178, 390], anchor: 'start', budget: 30 },
      { id: 'hx', query: { quantity: 'stacked_input' }, name: '[h;x]', points: [[170, 350], [600, 350], [600, 270], [586, 270]], label: [250, 368], anchor: 'start', budget: 40 },
      { id: 'busR', query: null, points: [[210, 350], [210, 272]] },
      { id: 'busZ', query: null, points: [[350, 350], [350, 272]] },
      { id: 'r', query: { quantity: 'gate', gate: 'reset' }, name: 'r', points: [[210, 228], [210, 172]], label: [216, 200], anchor: 'start', budget: 12 },
      { id: 'rh', query: null, points: [[222, 160], [270, 160], [270, 300], [540, 300], [540, 272]] },
      { id: 'z', query: { quantity: 'gate', gate: 'update' }, name: 'z', points: [[350, 228], [350, 102]], label: [356, 200], anchor: 'start', budget: 16 },
      { id: 'zbranch', query: null, points: [[350, 160], [436, 160]] },
      { id: 'omz', query: null, points: [[464, 160], [548, 160]] },
      { id: 'htilde', query: { quantity: 'candidate' }, name: 'h̃', points: [[560, 228], [560, 172]], label: [566, 205], anchor: 'start', budget: 22 },
      { id: 'hmid', query: null, points: [[362, 90], [548, 90]] },
      { id: 'up', query: null, points: [[560, 148], [560, 102]] },
      { id: 'h', query: { quantity: 'hidden_state' }, name: 'h', points: [[572, 90], [750, 90]], label: [745, 78], anchor: 'end', budget: 22 }
    ],
    peepholes: []
  };


  // The narrow LSTM: the wide one's topology in 340 units (gate boxes 48 wide, 54–56 apart), y from
  // 40–395 to 26–306. At 338 px (a 390 px phone) a unit is 0.99 px, at 308 px (360) 0.91.
  var LSTM_NARROW = {
    width: 340, height: 312, narrow: true, gate: [48, 40],
    box: [40, 26, 280, 250],
    nodes: [
      { id: 'forget', text: 'forget gate', part: 'forget_gate', kind: 'gate', label: 'σ', sub: 'f', x: 84, y: 190 },
      { id: 'input', text: 'input gate', part: 'input_gate', kind: 'gate', label: 'σ', sub: 'i', x: 140, y: 190 },
      { id: 'candidate', text: 'candidate', part: 'candidate', kind: 'gate', label: 'tanh', sub: 'c̃', x: 196, y: 190 },
      { id: 'output', text: 'output gate', part: 'output_gate', kind: 'gate', label: 'σ', sub: 'o', x: 250, y: 190 },
      { id: 'mulF', text: 'cell state', part: 'cell_state', kind: 'op', label: '⊙', x: 84, y: 62 },
      { id: 'mulI', text: 'cell state', part: 'cell_state', kind: 'op', label: '⊙', x: 196, y: 118 },
      { id: 'add', text: 'cell state', part: 'cell_state', kind: 'op', label: '+', x: 196, y: 62 },
      { id: 'tanhC', text: 'hidden state', part: 'hidden_state', kind: 'op', label: 'tanh', x: 300, y: 122 },
      { id: 'mulO', text: 'hidden state', part: 'hidden_state', kind: 'op', label: '⊙', x: 300, y: 190 }
    ],
    wires: [
      { id: 'cprev', query: { quantity: 'cell_state' }, prev: true, name: 'c', sub: 't−1', order: 3, points: [[2, 62], [72, 62]], label: [2, 52], anchor: 'start' },
      { id: 'cmid', query: null, points: [[96, 62], [184, 62]] },
      { id: 'c', query: { quantity: 'cell_state' }, name: 'c', sub: 't', order: 9, points: [[208, 62], [338, 62]], label: [338, 52], anchor: 'end' },
      { id: 'hprev', query: { quantity: 'hidden_state' }, prev: true, name: 'h', sub: 't−1', order: 2, points: [[2, 276], [58, 276]], label: [2, 296], anchor: 'start' },
      { id: 'x', query: { quantity: 'input' }, plain: true, name: 'x', sub: 't', order: 1, points: [[58, 310], [58, 276]], label: [64, 306], anchor: 'start' },
      { id: 'hx', query: { quantity: 'stacked_input' }, name: '[h;x]', order: 4, points: [[58, 276], [250, 276]], label: [110, 296], anchor: 'start' },
      { id: 'busF', query: null, points: [[84, 276], [84, 210]] },
      { id: 'busI', query: null, points: [[140, 276], [140, 210]] },
      { id: 'busC', query: null, points: [[196, 276], [196, 210]] },
      { id: 'busO', query: null, points: [[250, 276], [250, 210]] },
      { id: 'f', query: { quantity: 'gate', gate: 'forget' }, name: 'f', order: 5, points: [[84, 170], [84, 74]], label: [78, 132], anchor: 'end' },
      { id: 'i', query: { quantity: 'gate', gate: 'input' }, name: 'i', order: 6, points: [[140, 170], [140, 118], [184, 118]], label: [146, 150], anchor: 'start' },
      { id: 'ctilde', query: { quantity: 'candidate' }, name: 'c̃', order: 7, points: [[196, 170], [196, 130]], label: [202, 158], anchor: 'start' },
      { id: 'ic', query: null, points: [[196, 106], [196, 74]] },
      { id: 'cdown', query: null, points: [[300, 62], [300, 105]] },
      { id: 'o', query: { quantity: 'gate', gate: 'output' }, name: 'o', order: 8, points: [[274, 190], [288, 190]], label: [256, 242], anchor: 'start' },
      { id: 'tanhc', query: null, points: [[300, 139], [300, 178]] },
      { id: 'h', query: { quantity: 'hidden_state' }, name: 'h', sub: 't', order: 10, points: [[300, 202], [300, 240], [338, 240]], label: [338, 262], anchor: 'end' }
    ],
    peepholes: [
      { id: 'peepF', text: 'forget gate', part: 'forget_gate', points: [[50, 62], [50, 190], [60, 190]] },
      { id: 'peepI', text: 'input gate', part: 'input_gate', points: [[50, 190], [50, 232], [124, 232], [124, 210]] },
      { id: 'peepO', text: 'output gate', part: 'output_gate', points: [[279, 62], [279, 178], [274, 178]] }
    ]
  };

  // The narrow GRU: the wide one's topology in 340 units, y as the narrow LSTM's.
  var GRU_NARROW = {
    width: 340, height: 312, narrow: true, gate: [48, 40],
    box: [40, 26, 280, 250],
    nodes: [
      { id: 'reset', text: 'reset gate', part: 'reset_gate', kind: 'gate', label: 'σ', sub: 'r', x: 84, y: 190 },
      { id: 'update', text: 'update gate', part: 'update_gate', kind: 'gate', label: 'σ', sub: 'z', x: 150, y: 190 },
      { id: 'candidate', text: 'candidate', part: 'candidate', kind: 'gate', label: 'tanh', sub: 'h̃', x: 258, y: 190 },
      { id: 'mulR', text: 'candidate', part: 'candidate', kind: 'op', label: '⊙', x: 84, y: 118 },
      { id: 'mulZ', text: 'hidden state', part: 'hidden_state', kind: 'op', label: '⊙', x: 150, y: 62 },
      { id: 'oneMinus', text: 'hidden state', part: 'hidden_state', kind: 'op', label: '1−', x: 204, y: 118 },
      { id: 'mulH', text: 'hidden state', part: 'hidden_state', kind: 'op', label: '⊙', x: 258, y: 118 },
      { id: 'add', text: 'hidden state', part: 'hidden_state', kind: 'op', label: '+', x: 258, y: 62 }
    ],
    wires: [
      { id: 'hprev', query: { quantity: 'hidden_state' }, prev: true, name: 'h', sub: 't−1', order: 2, points: [[2, 62], [138, 62]], label: [2, 52], anchor: 'start' },
      { id: 'hdrop', query: null, points: [[50, 62], [50, 276], [58, 276]] },
      { id: 'rdrop', query: null, points: [[84, 62], [84, 106]] },
      { id: 'x', query: { quantity: 'input' }, plain: true, name: 'x', sub: 't', order: 1, points: [[58, 310], [58, 276]], label: [64, 306], anchor: 'start' },
      { id: 'hx', query: { quantity: 'stacked_input' }, name: '[h;x]', order: 3, points: [[58, 276], [296, 276], [296, 200], [282, 200]], label: [110, 296], anchor: 'start' },
      { id: 'busR', query: null, points: [[84, 276], [84, 210]] },
      { id: 'busZ', query: null, points: [[150, 276], [150, 210]] },
      { id: 'r', query: { quantity: 'gate', gate: 'reset' }, name: 'r', order: 4, points: [[84, 170], [84, 130]], label: [90, 156], anchor: 'start' },
      { id: 'rh', query: null, points: [[96, 118], [118, 118], [118, 238], [242, 238], [242, 210]] },
      { id: 'z', query: { quantity: 'gate', gate: 'update' }, name: 'z', order: 5, points: [[150, 170], [150, 74]], label: [156, 156], anchor: 'start' },
      { id: 'zbranch', query: null, points: [[150, 118], [192, 118]] },
      { id: 'omz', query: null, points: [[216, 118], [246, 118]] },
      { id: 'htilde', query: { quantity: 'candidate' }, name: 'h̃', order: 6, points: [[258, 170], [258, 130]], label: [264, 156], anchor: 'start' },
      { id: 'hmid', query: null, points: [[162, 62], [246, 62]] },
      { id: 'up', query: null, points: [[258, 106], [258, 74]] },
      { id: 'h', query: { quantity: 'hidden_state' }, name: 'h', sub: 't', order: 7, points: [[270, 62], [338, 62]], label: [338, 52], anchor: 'end' }
    ],
    peepholes: []
  };

  U.viewKit.cellLayouts = {
    lstm: { wide: LSTM_WIDE, narrow: LSTM_NARROW },
    gru: { wide: GRU_WIDE, narrow: GRU_NARROW }
  };
})(window.Unrolled);
