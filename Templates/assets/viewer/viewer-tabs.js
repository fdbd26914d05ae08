/* The tabs over the step panel: "Step" and every special view (Unrolled.views) whose
   applies(model) is true. A view is created when first shown and updated only while visible;
   a view that throws shows its error in its own panel. */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';
  const { reducedMotion, escapeHtml, texHtml, format, colour } = U.viewerKit;

  /* Methods of <unrolled-trace> (viewer.js puts them on its prototype). */
  (U.viewerParts = U.viewerParts || {}).tabs = {
    _setupViews() {
      var self = this, m = this._model, uid = this._uid;
      var specs = (U.views || []).filter(function (spec) {
        try { return spec && typeof spec.applies === 'function' && spec.applies(m); } catch (err) { return false; }
      });
      this._views = [{ id: 'step', title: 'Step', panel: this._stepPanel, instance: null }];
      var tabs = this._root.querySelector('.ut-tabs'), panels = this._root.querySelector('.ut-panels');
      specs.forEach(function (spec) {
        var panel = document.createElement('section');
        panel.className = 'ut-panel ut-view';
        panel.setAttribute('data-view', spec.id);
        panel.setAttribute('role', 'tabpanel');
        panel.hidden = true;
        panels.appendChild(panel);
        self._views.push({ id: spec.id, title: spec.title || spec.id, spec: spec, panel: panel, instance: null });
      });
      if (this._views.length === 1) { tabs.hidden = true; return; }
      tabs.innerHTML = this._views.map(function (v, k) {
        v.panel.id = 'ut-' + uid + '-panel-' + k;
        v.panel.setAttribute('aria-labelledby', 'ut-' + uid + '-tab-' + k);
        return '<button type="button" role="tab" class="ut-tab" id="ut-' + uid + '-tab-' + k + '" data-tab="' + k + '" data-view="' + escapeHtml(v.id) + '" aria-controls="ut-' + uid + '-panel-' + k + '" aria-selected="' + (k === 0) + '" tabindex="' + (k === 0 ? 0 : -1) + '">' + escapeHtml(v.title) + '</button>';
      }).join('');
      tabs.addEventListener('click', function (e) {
        var b = e.target.closest('[data-tab]');
        if (b) self._showView(Number(b.getAttribute('data-tab')));
      });
      tabs.addEventListener('keydown', function (e) {
        if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
        e.preventDefault();
        e.stopPropagation();
        var k = (self._activeView + (e.key === 'ArrowRight' ? 1 : -1) + self._views.length) % self._views.length;
        self._showView(k);
        tabs.querySelector('[data-tab="' + k + '"]').focus();
      });
    },

    _viewApi() {
      var self = this;
      return {
        goTo: function (i0) { self._userGo(i0); },
        tex: function (el, source, display) { el.innerHTML = texHtml(source, display); },
        format: format,
        colour: colour,
        reducedMotion: reducedMotion()
      };
    },

    _showView(k) {
      var v = this._views[k];
      if (!v) return;
      this._activeView = k;
      this._views.forEach(function (w, j) { w.panel.hidden = j !== k; });
      var tabs = this._root.querySelectorAll('.ut-tab');
      for (var j = 0; j < tabs.length; j++) {
        tabs[j].setAttribute('aria-selected', String(j === k));
        tabs[j].tabIndex = j === k ? 0 : -1;
      }
      if (v.spec && !v.instance) {
        try { v.instance = v.spec.create(v.panel, this._model, this._viewApi()) || {}; } catch (err) { this._viewError(v, err); return; }
      }
      if (v.instance && v.instance.update && this._model.stepCount) {
        try { v.instance.update(this._index); } catch (err) { this._viewError(v, err); }
      }
    },

    _viewError(view, err) {
      view.instance = { update: function () {} };
      view.panel.innerHTML = '<p class="ut-error">This view failed: ' + escapeHtml(err && err.message) + '</p>';
      if (window.console) console.warn('unrolled view "' + view.id + '":', err);
    }
  };
})(window.Unrolled);
