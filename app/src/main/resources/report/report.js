/* avcurate quality report: everything from the JSON block, no network. Untrusted text (URIs,
   captions, subtitles, reasons) only ever goes through textContent. */
(function () {
  'use strict';
  var t0 = performance.now();
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var N = D.n;

  function bytes(b64) { var s = atob(b64), b = new Uint8Array(s.length); for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i); return b; }
  function f32(b64) { return new Float32Array(bytes(b64).buffer); }
  function u16(b64) { return new Uint16Array(bytes(b64).buffer); }
  function el(tag, text, cls) { var e = document.createElement(tag); if (text != null) e.textContent = String(text); if (cls) e.className = cls; return e; }
  function fmt(v, d) { if (v == null || isNaN(v)) return '–'; var a = Math.abs(v); d = d == null ? (a >= 100 ? 1 : a >= 1 ? 3 : 4) : d; return Number(v).toFixed(d); }
  function table(head, rows, numericFrom) {
    var t = el('table'), tr = el('tr');
    head.forEach(function (h) { tr.appendChild(el('th', h)); });
    t.appendChild(tr);
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (c, i) { row.appendChild(el('td', c, i >= (numericFrom == null ? 1 : numericFrom) ? 'num' : null)); });
      t.appendChild(row);
    });
    return t;
  }

  var scores = {}; Object.keys(D.scores).forEach(function (k) { scores[k] = f32(D.scores[k]); });
  var cats = {}; Object.keys(D.categories).forEach(function (k) { cats[k] = { values: D.categories[k].values, codes: u16(D.categories[k].u16) }; });
  var dur = f32(D.flags.duration_s), keepInTable = bytes(D.flags.keep), scoreError = bytes(D.flags.score_error);
  var rules = (D.rules || []).map(function (r) { return { score: r.score, op: r.op, value: r.value, initial: r.value, reason: r.reason }; });

  // ---- rules, as FilterRule.passSql: a missing score passes ----
  function passes(v, op, t) {
    switch (op) { case '>=': return v >= t; case '>': return v > t; case '<=': return v <= t; case '<': return v < t; case '==': return v == t; case '!=': return v != t; }
    return true;
  }
  function evalRule(r) {
    var f = new Uint8Array(N), col = scores[r.score], n = 0;
    r.skipped = false;
    if (col) {
      var t = Number(r.value);
      for (var i = 0; i < N; i++) { var v = col[i]; if (v === v && !passes(v, r.op, t)) { f[i] = 1; n++; } }
    } else if (cats[r.score]) {
      var c = cats[r.score], want = String(r.value);
      for (var j = 0; j < N; j++) { var code = c.codes[j]; if (code !== 0 && !passes(c.values[code - 1], r.op, want)) { f[j] = 1; n++; } }
    } else { r.skipped = true; }  // no such column yet: the filter stage skips the rule too
    r.fails = f; r.failing = n;
  }
  var keepNow = new Uint8Array(N);
  function recomputeKeep() {
    var kept = 0, secs = 0;
    for (var i = 0; i < N; i++) {
      var k = scoreError[i] ? 0 : 1;
      for (var r = 0; k && r < rules.length; r++) if (rules[r].fails[i]) k = 0;
      keepNow[i] = k; if (k) { kept++; secs += dur[i]; }
    }
    return { kept: kept, hours: secs / 3600 };
  }
  function shq(x) { return "'" + String(x).replace(/'/g, "'\\''") + "'"; }  // one shell word
  function yamlRule(r) {
    var v = typeof r.value === 'number' ? String(r.value) : JSON.stringify(String(r.value));
    return '{score: ' + r.score + ', op: "' + r.op + '", value: ' + v + ', reason: ' + r.reason + '}';
  }

  // ---- quantiles and histograms ----
  function sortedFinite(col) { var a = []; for (var i = 0; i < col.length; i++) if (col[i] === col[i]) a.push(col[i]); return Float32Array.from(a).sort(); }
  function q(sorted, p) { return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(p * (sorted.length - 1))))] : NaN; }
  var BINS = 40, hist = {};
  function setupHist(name) {
    var s = sortedFinite(scores[name]);
    var lo = q(s, 0.005), hi = q(s, 0.995);
    rules.forEach(function (r) { if (r.score === name && typeof r.value === 'number') { lo = Math.min(lo, r.value); hi = Math.max(hi, r.value); } });
    if (!(hi > lo)) { hi = lo + 1; lo = lo - 1; }
    var w = (hi - lo) / BINS, xs = [];
    for (var b = 0; b < BINS; b++) xs.push(lo + (b + 0.5) * w);
    hist[name] = { lo: lo, hi: hi, w: w, xs: xs, sorted: s, below: 0, above: 0 };
  }
  function counts(name, mask) {
    var h = hist[name], col = scores[name], c = new Array(BINS).fill(0), below = 0, above = 0;
    for (var i = 0; i < N; i++) {
      if (mask && !mask[i]) continue;
      var v = col[i]; if (v !== v) continue;
      var b = Math.floor((v - h.lo) / h.w);
      if (v < h.lo) { b = 0; below++; } else if (v > h.hi) { b = BINS - 1; above++; } else if (b >= BINS) b = BINS - 1;
      c[b]++;
    }
    if (!mask) { h.below = below; h.above = above; }
    return c;
  }

  // ---- page ----
  document.getElementById('meta').textContent = 'Run ' + D.meta.output + ' (config ' + D.meta.config_source + ', finished ' + D.meta.finished_at + '); page made ' + D.meta.generated_at + '; ' + N + ' clips.';
  document.getElementById('clip-count').textContent = String(N);
  rules.forEach(evalRule);

  // funnel
  var funnel = document.getElementById('funnel-body');
  var ingest = (D.summary_stages && D.summary_stages.ingest) || {};
  var frows = [['videos seen', ingest.videos_listed], ['videos rejected at ingest', ingest.videos_rejected], ['clips in', N]];
  var funnelRuleCells = [];
  rules.forEach(function (r) { var row = ['failing ' + r.score + ' ' + r.op + ' ' + r.value + ' → ' + r.reason, r.skipped ? 'skipped (no column)' : r.failing]; funnelRuleCells.push(row); frows.push(row); });
  var keptTableCount = 0; for (var i = 0; i < N; i++) keptTableCount += keepInTable[i];
  frows.push(['kept in the clips table (after the shard stage\'s duplicate marks)', keptTableCount]);
  var funnelTable = table(['step', 'count'], frows.map(function (r) { return [r[0], r[1] == null ? '–' : r[1]]; }));
  funnel.appendChild(funnelTable);
  var rr = Object.keys(D.reject_reasons_in_table).map(function (k) { return [k, D.reject_reasons_in_table[k]]; });
  funnel.appendChild(table(['reject reason (clips table)', 'clips'], rr));
  var ir = Object.keys(D.ingest_rejects).map(function (k) { return [k, D.ingest_rejects[k]]; });
  funnel.appendChild(table(['rejected at ingest (rejects table)', 'rows'], ir));

  // controls
  var controls = document.getElementById('controls');
  rules.forEach(function (r, ri) {
    var row = el('div', null, 'rule');
    row.appendChild(el('label', r.score + ' ' + r.op + ' … → ' + r.reason + (r.skipped ? ' (no such column: skipped)' : '')));
    if (typeof r.value === 'number' && scores[r.score]) {
      var s = sortedFinite(scores[r.score]);
      var lo = Math.min(q(s, 0), r.value), hi = Math.max(q(s, 1), r.value);
      if (!(hi > lo)) { lo -= 1; hi += 1; }
      var range = el('input'); range.type = 'range'; range.min = lo; range.max = hi; range.step = (hi - lo) / 1000; range.value = r.value;
      range.id = 'rule-' + ri + '-range';
      var num = el('input'); num.type = 'number'; num.step = 'any'; num.value = r.value; num.id = 'rule-' + ri;
      var apply = function (v) { if (!isFinite(v)) return; r.value = v; evalRule(r); update(); };
      range.addEventListener('input', function () { num.value = range.value; apply(parseFloat(range.value)); });
      num.addEventListener('input', function () { range.value = num.value; apply(parseFloat(num.value)); });
      row.appendChild(range); row.appendChild(num);
    } else {
      row.appendChild(el('span', String(r.value), 'muted')); row.appendChild(el('span', ''));
    }
    controls.appendChild(row);
  });

  // charts
  var charts = {}, chartBox = document.getElementById('charts');
  var bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.9, 60] }) : null;
  if (N === 0) chartBox.appendChild(el('p', 'No clips in this run: nothing to draw.', 'muted'));
  Object.keys(scores).forEach(function (name) {
    if (N === 0) return;
    setupHist(name);
    var h = hist[name], all = counts(name, null);
    var nz = all.filter(function (c) { return c > 0; }).sort(function (a, b) { return a - b; });
    var log = nz.length > 2 && nz[nz.length - 1] > 20 * nz[Math.floor(nz.length / 2)];
    var box = el('div', null, 'chart'); chartBox.appendChild(box);
    var opts = {
      title: name + (log ? ' (log counts)' : ''), width: 380, height: 190,
      scales: { x: { time: false }, y: log ? { distr: 3 } : { range: function (u, min, max) { return [0, Math.max(1, max) * 1.05]; } } },
      axes: [{}, { size: 56 }],
      series: [{ label: name }, { label: 'all', stroke: '#888', fill: 'rgba(136,136,136,0.35)', paths: bars, points: { show: false } },
               { label: 'kept', stroke: '#1a8f5a', fill: 'rgba(26,143,90,0.45)', paths: bars, points: { show: false } }],
      hooks: { draw: [function (u) {
        var ctx = u.ctx; ctx.save(); ctx.strokeStyle = '#d22'; ctx.lineWidth = 2;
        rules.forEach(function (r) {
          if (r.score !== name || typeof r.value !== 'number') return;
          var x = u.valToPos(r.value, 'x', true);
          ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        });
        ctx.restore();
      }] }
    };
    var z = function (a) { return log ? a.map(function (c) { return c > 0 ? c : null; }) : a; };
    var chart = new uPlot(opts, [h.xs, z(all), z(all)], box);
    box.appendChild(el('div', (h.below ? h.below + ' below ' + fmt(h.lo) + ' in the first bin; ' : '') + (h.above ? h.above + ' above ' + fmt(h.hi) + ' in the last' : ''), 'note'));
    charts[name] = { chart: chart, all: all, z: z };
  });

  // breakdowns
  var bd = document.getElementById('breakdowns-body'), breakdownTables = [];
  function breakdown() {
    bd.textContent = '';
    ['source', 'resolution', 'split', 'bucket', 'camera_motion'].forEach(function (k) {
      var c = cats[k]; if (!c) return;
      var n = new Array(c.values.length + 1).fill(0), kept = new Array(c.values.length + 1).fill(0), hrs = new Array(c.values.length + 1).fill(0);
      for (var i = 0; i < N; i++) { var code = c.codes[i]; n[code]++; if (keepNow[i]) { kept[code]++; hrs[code] += dur[i] / 3600; } }
      var rows = [];
      for (var v = 0; v <= c.values.length; v++) if (n[v]) rows.push([v === 0 ? '(none)' : c.values[v - 1], n[v], kept[v], fmt(hrs[v], 3)]);
      rows.sort(function (a, b) { return b[1] - a[1]; });
      bd.appendChild(table([k, 'clips', 'kept', 'kept hours'], rows.slice(0, 50)));
    });
  }

  // shards, SFT, duplicates
  var sh = document.getElementById('shards-body');
  sh.appendChild(table(['split', 'bucket', 'clips', 'hours'], (D.shard_hours || []).map(function (r) { return [r.split, r.bucket, r.clips, fmt(r.hours, 3)]; }), 2));
  sh.appendChild(table(['SFT criterion', 'condition', 'kept clips meeting it'], (D.sft || []).map(function (r) { return [r.name, r.sql, r.error ? r.error : r.kept_clips_meeting]; }), 2));
  var dup = D.duplicates || {};
  var dupRows = [['near-duplicate groups', dup.groups || 0], ['clips marked duplicate', dup.clips || 0]];
  (dup.largest || []).forEach(function (g) { dupRows.push(['group of ' + g.kept_clip, g.duplicates]); });
  sh.appendChild(table(['near-duplicates', 'count'], dupRows));

  // galleries
  var gal = document.getElementById('galleries-body');
  var ruleScores = {}; rules.forEach(function (r) { ruleScores[r.score] = true; });
  function card(e) {
    var c = el('div', null, 'card');
    var strip = el('div');
    (e.thumbs || []).forEach(function (src) { var img = el('img'); img.alt = 'frame of ' + e.clip_id; img.src = src; strip.appendChild(img); });
    if (e.thumb_problem) strip.appendChild(el('div', e.thumb_problem, 'muted'));
    c.appendChild(strip);
    c.appendChild(el('div', e.clip_id, 'id'));
    c.appendChild(el('div', e.uri + ' @ ' + fmt(e.start_s, 2) + '–' + fmt(e.end_s, 2) + ' s', 'muted'));
    if (e.reasons && e.reasons.length) c.appendChild(el('div', 'reasons: ' + e.reasons.join(', ')));
    if (e.caption != null) c.appendChild(el('div', e.caption, 'caption'));
    if (e.subtitle_text) c.appendChild(el('div', 'subtitle text: ' + e.subtitle_text, 'subtitle'));
    var rows = Object.keys(e.scores || {}).filter(function (k) { return ruleScores[k]; }).map(function (k) { var v = e.scores[k]; return [k, typeof v === 'number' ? fmt(v) : v]; });
    if (rows.length) c.appendChild(table(['score', 'value'], rows));
    return c;
  }
  function galleryGroup(title, list) {
    gal.appendChild(el('h3', title + ' (' + list.length + ' shown)'));
    var g = el('div', null, 'gallery'); list.forEach(function (e) { g.appendChild(card(e)); }); gal.appendChild(g);
  }
  galleryGroup('Kept clips', (D.gallery && D.gallery.kept) || []);
  var byReason = (D.gallery && D.gallery.rejected) || {};
  Object.keys(byReason).forEach(function (k) { galleryGroup('Rejected: ' + k, byReason[k]); });

  // timings
  var tb = document.getElementById('timings-body'), st = D.summary_stages || {};
  var trows = Object.keys(st).map(function (k) {
    var s = st[k], extra = [];
    ['videos_per_second', 'clips', 'clips_scored', 'requests_per_second', 'tokens_per_second', 'completion_tokens', 'clips_written', 'bytes'].forEach(function (x) { if (s[x] != null) extra.push(x + ' ' + (typeof s[x] === 'number' ? fmt(s[x], 3).replace(/\.?0+$/, '') : s[x])); });
    return [k, fmt(s.seconds, 1), extra.join(', ')];
  });
  tb.appendChild(table(['stage', 'seconds', 'throughput'], trows.map(function (r) { return [r[0], r[1], r[2]]; }), 1));

  // ---- update on a threshold change ----
  function update() {
    var u0 = performance.now();
    var res = recomputeKeep();
    var kc = document.getElementById('kept-count');
    kc.textContent = String(res.kept); kc.setAttribute('data-kept', String(res.kept));
    document.getElementById('kept-hours').textContent = fmt(res.hours, 3);
    var rulesYaml = '[' + rules.map(yamlRule).join(', ') + ']', line = document.getElementById('set-line');
    var cfg = D.meta.config_source && D.meta.config_source.indexOf('synthetic') !== 0 ? ' --config ' + shq(D.meta.config_source) : '';
    line.textContent = 'bin/curate run' + cfg + ' --stages filter --output ' + shq(D.meta.output) + ' --set ' + shq('filter.rules=' + rulesYaml);
    line.setAttribute('data-rules', rulesYaml);
    funnelRuleCells.forEach(function (row, i) { row[1] = rules[i].skipped ? 'skipped (no column)' : rules[i].failing; });
    var cells = funnelTable.querySelectorAll('tr');
    rules.forEach(function (r, i) { cells[4 + i].children[0].textContent = 'failing ' + r.score + ' ' + r.op + ' ' + r.value + ' → ' + r.reason; cells[4 + i].children[1].textContent = r.skipped ? 'skipped (no column)' : String(r.failing); });
    Object.keys(charts).forEach(function (name) { var c = charts[name]; c.chart.setData([hist[name].xs, c.z(c.all), c.z(counts(name, keepNow))]); });
    breakdown();
    var ms = performance.now() - u0;
    window.__report.lastUpdateMs = ms;
    document.getElementById('update-ms').textContent = '(recomputed in ' + ms.toFixed(1) + ' ms)';
  }
  window.__report = { rules: rules, keptCount: function () { return Number(document.getElementById('kept-count').getAttribute('data-kept')); } };
  update();
  window.__report.loadMs = performance.now() - t0;
  window.__report.sinceNavigationMs = performance.now();
  // report.html#selftime: the page times itself (bench/run report reads the numbers from the DOM)
  if (location.hash === '#selftime') {
    var ri = rules.findIndex(function (r) { return typeof r.value === 'number' && scores[r.score]; });
    var times = [];
    if (ri >= 0) {
      var r = rules[ri], orig = r.value;
      for (var k = 0; k < 11; k++) {
        var a = performance.now();
        r.value = orig * (0.8 + 0.04 * k); evalRule(r); update();
        times.push(performance.now() - a);
      }
      r.value = orig; evalRule(r); update();
    }
    times.sort(function (x, y) { return x - y; });
    document.body.setAttribute('data-selftime', JSON.stringify({ clips: N, script_ms: window.__report.loadMs, ready_since_navigation_ms: window.__report.sinceNavigationMs,
      threshold_change_ms_median: times.length ? times[5] : null, threshold_change_ms_max: times.length ? times[times.length - 1] : null }));
  }
  window.__report.ready = true;
  document.body.setAttribute('data-ready', 'true');
})();
