/* The tabs part of <unrolled-trace>, and the host of the special views: "Step" and every view
   (Unrolled.views) whose applies(model) is true. A view is created when first shown and
   updated only while visible; a view that throws shows its error in its own panel. A
   component over the viewer's state (viewer.js): state.tab is the shown view's index. */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';

  // The views' scripts load in file-name order (a view is added by adding its file), so the tabs
  // follow the trace's declared `views` list; views it does not list keep their load order after.
  function declaredOrder(specs, declared) {
    var listed = Array.isArray(declared) ? declared : [];
    function rank(spec, k) {
      var at = listed.indexOf(spec.id);
      return at >= 0 ? at : listed.length + k;
    }
    return specs.map(function (spec, k) { return { spec: spec, rank: rank(spec, k) }; })
      .sort(function (a, b) { return a.rank - b.rank; })
      .map(function (entry) { return entry.spec; });
  }

  (U.viewerParts = U.viewerParts || {}).tabs = function (context) {
    var root = context.root, m = context.model, state = context.state, kit = context.kit, uid = context.uid;
    var escapeHtml = kit.escapeHtml;
    var specs = declaredOrder((U.views || []).filter(function (spec) {
      try { return spec && typeof spec.applies === 'function' && spec.applies(m); } catch (err) { return false; }
    }), m.trace.views);
    var views = [{ id: 'step', title: 'Step', panel: root.querySelector('.ut-step-panel'), instance: null }];
    var tabs = root.querySelector('.ut-tabs'), panels = root.querySelector('.ut-panels');
    specs.forEach(function (spec) {
      var panel = document.createElement('section');
      panel.className = 'ut-panel ut-view';
      panel.setAttribute('data-view', spec.id);
      panel.setAttribute('role', 'tabpanel');
      panel.hidden = true;
      panels.appendChild(panel);
      views.push({ id: spec.id, title: spec.title || spec.id, spec: spec, panel: panel, instance: null });
    });

    // What a view may use of the viewer; `state` is the viewer's state object (read it, or
    // subscribe for changes other than the step, which update() is told of).
    var api = {
      goTo: function (i0) { state.userGo(i0); },
      tex: function (el, source, display) { el.innerHTML = kit.texHtml(source, display); },
      format: kit.format,
      colour: kit.colour,
      get reducedMotion() { return kit.reducedMotion(); },
      state: state
    };

    function viewError(view, err) {
      view.instance = { update: function () {} };
      view.panel.innerHTML = '<p class="ut-error">This view failed: ' + escapeHtml(err && err.message) + '</p>';
      if (window.console) console.warn('unrolled view "' + view.id + '":', err);
    }

    function updateShown() {
      var v = views[state.tab];
      if (v && v.instance && v.instance.update && m.stepCount) {
        try { v.instance.update(state.step); } catch (err) { viewError(v, err); }
      }
    }

    function show() {
      var k = state.tab, v = views[k];
      views.forEach(function (w, j) { w.panel.hidden = j !== k; });
      var buttons = tabs.querySelectorAll('.ut-tab');
      for (var j = 0; j < buttons.length; j++) {
        buttons[j].setAttribute('aria-selected', String(j === k));
        buttons[j].tabIndex = j === k ? 0 : -1;
      }
      if (v.spec && !v.instance) {
        try { v.instance = v.spec.create(v.panel, m, api) || {}; } catch (err) { viewError(v, err); return; }
      }
      updateShown();
    }

    function select(k) { if (views[k]) state.set({ tab: k }); }

    if (views.length === 1) {
      tabs.hidden = true;
    } else {
      tabs.innerHTML = views.map(function (v, k) {
        v.panel.id = 'ut-' + uid + '-panel-' + k;
        v.panel.setAttribute('aria-labelledby', 'ut-' + uid + '-tab-' + k);
        return '<button type="button" role="tab" class="ut-tab" id="ut-' + uid + '-tab-' + k + '" data-tab="' + k + '" data-view="' + escapeHtml(v.id) + '" aria-controls="ut-' + uid + '-panel-' + k + '" aria-selected="' + (k === 0) + '" tabindex="' + (k === 0 ? 0 : -1) + '">' + escapeHtml(v.title) + '</button>';
      }).join('');
      tabs.addEventListener('click', function (e) {
        var b = e.target.closest('[data-tab]');
        if (b) select(Number(b.getAttribute('data-tab')));
      });
      tabs.addEventListener('keydown', function (e) {
        if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
        e.preventDefault();
        e.stopPropagation();
        var k = (state.tab + (e.key === 'ArrowRight' ? 1 : -1) + views.length) % views.length;
        select(k);
        tabs.querySelector('[data-tab="' + k + '"]').focus();
      });
    }

    return {
      update: function (changed) {
        if (changed.tab) show();
        else if (changed.step) updateShown();
      },
      // The view the page asks for (`view="lstm-cell"`, unrolled embed --view); else, for a
      // history-only trace, whose teaching is in the views, the loss curve first.
      start: function () {
        var wanted = context.element.getAttribute('view');
        var asked = wanted ? views.findIndex(function (v) { return v.id === wanted; }) : -1;
        if (asked > 0) { select(asked); return; }
        if (wanted && wanted !== 'step' && window.console) console.warn('unrolled-trace: no view "' + wanted + '" for this trace');
        if (m.stepCount || views.length < 2) return;
        var training = views.findIndex(function (v) { return v.id === 'training'; });
        select(training > 0 ? training : 1);
      },
      destroy: function () {
        views.forEach(function (v) {
          if (v.instance && v.instance.destroy) try { v.instance.destroy(); } catch (err) { /* it goes anyway */ }
        });
      }
    };
  };
})(window.Unrolled);
