/* Case search: header box + /search/ filters page.
 * Index format and tokenization mirror site_builder/search/{tokens,build}.py.
 * Case text is untrusted: the DOM is built with textContent only. */
(function () {
  "use strict";

  var CJK = "\\u3007\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff\\u{20000}-\\u{3134f}";
  var WORD = "0-9a-z\\u00df-\\u00f6\\u00f8-\\u024f";
  var UNIT_RE = new RegExp("[" + CJK + "]|[" + WORD + "]+|([^" + CJK + WORD + "]+)", "gu");
  var WORD_RE = /^(?:[0-9a-z\u00df-\u00f6\u00f8-\u024f]|..+)$/u;
  var STOP = "的了和与及在是之等也都把被对有并或";
  var F_TITLE = 1, F_META = 2, F_SUMMARY = 4, F_BODY = 8;
  var WEIGHT = [0, 10, 6, 3, 1]; // by bit position: title, meta, summary, body

  var state = { base: null, foldMap: null, invisRe: null, meta: null, shards: {}, shardData: {}, sums: {}, sumData: {}, loading: null };

  /* ---------- normalization (same as site_builder.textnorm.fold) ---------- */
  function fold(text) {
    text = text.replace(state.invisRe, "").normalize("NFKC").toLowerCase().replace(state.invisRe, "");
    var out = "";
    for (var ch of text) {
      var m = state.foldMap.get(ch);
      out += m === undefined ? ch : m;
    }
    return out;
  }

  function runs(folded) {
    var out = [], cur = [], m;
    UNIT_RE.lastIndex = 0;
    while ((m = UNIT_RE.exec(folded)) !== null) {
      if (m[1] !== undefined) {
        if (cur.length) { out.push(cur); cur = []; }
      } else cur.push(m[0]);
    }
    if (cur.length) out.push(cur);
    return out;
  }

  function isWord(unit) { return WORD_RE.test(unit); }

  function tokens(text) {
    var out = [];
    runs(fold(text)).forEach(function (run) {
      if (run.length === 1) { out.push(run[0]); return; }
      run.forEach(function (u, i) {
        if (isWord(u)) out.push(u);
        if (i + 1 < run.length) out.push(u + run[i + 1]);
      });
    });
    return out;
  }

  function fnv1a(token) {
    var bytes = new TextEncoder().encode(token), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return h >>> 0;
  }

  /* ---------- loading ---------- */
  function url(path) { return new URL(state.base + path, document.baseURI).href; }
  // The offline preview (site-builder build --offline, opened from file://) bundles the index in
  // search/offline.js and links folders' index.html files.
  var bundled = typeof window !== "undefined" ? window.__caseSearchData : undefined;
  function pageUrl(path) { return url(path) + (bundled ? "index.html" : ""); }
  function getJSON(path) {
    if (bundled && Object.prototype.hasOwnProperty.call(bundled, path)) return Promise.resolve(bundled[path]);
    return fetch(url(path), { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(path + " " + r.status);
      return r.json();
    });
  }

  function setFold(data) {
    var chars = Array.from(data.map), map = new Map();
    for (var i = 0; i + 1 < chars.length; i += 2) map.set(chars[i], chars[i + 1]);
    state.foldMap = map;
    state.invisRe = new RegExp("[" + data.invisible.replace(/[\\\]^-]/g, "\\$&") + "]", "gu");
  }

  function init(base) {
    if (state.loading) return state.loading;
    state.base = base.replace(/\/?$/, "/");
    state.loading = Promise.all([getJSON("search/fold.json"), getJSON("search/meta.json")]).then(function (r) {
      setFold(r[0]);
      var meta = r[1];
      meta.synUnits = meta.synonyms.map(function (group) {
        return group.map(function (w) { var rs = runs(w); return rs.length === 1 ? rs[0] : null; })
          .filter(function (u) { return u; });
      });
      state.meta = meta;
      return meta;
    });
    return state.loading;
  }

  function shardPath(tok) {
    var m = state.meta, k = (fnv1a(tok) % m.shards).toString(16);
    while (k.length < m.width) k = "0" + k;
    return "search/i/" + k + ".json";
  }

  function loadShards(toks) {
    var paths = {};
    toks.forEach(function (t) { paths[shardPath(t)] = true; });
    return Promise.all(Object.keys(paths).map(function (p) {
      if (!state.shards[p]) state.shards[p] = getJSON(p).then(function (v) { state.shardData[p] = v; });
      return state.shards[p];
    }));
  }

  function postings(tok) {
    var p = state.shardData[shardPath(tok)];
    return p && Object.prototype.hasOwnProperty.call(p, tok) ? p[tok] : undefined;
  }

  function loadSummaries(docNums) {
    var m = state.meta, need = {};
    docNums.forEach(function (n) { need[Math.floor(n / m.sumShard)] = true; });
    return Promise.all(Object.keys(need).map(function (k) {
      if (!state.sums[k]) state.sums[k] = getJSON("search/s/" + k + ".json").then(function (v) { state.sumData[k] = v; });
      return state.sums[k];
    })).then(function () { return null; });
  }

  function summaryOf(n) {
    var m = state.meta, p = state.sumData[Math.floor(n / m.sumShard)];
    return p ? p[n % m.sumShard] : null;
  }

  /* ---------- query planning ---------- */
  function eqUnits(a, i, b) {
    for (var j = 0; j < b.length; j++) if (a[i + j] !== b[j]) return false;
    return true;
  }

  function unitTokens(units) {
    if (units.length === 1) return [units[0]];
    var out = [];
    for (var i = 0; i + 1 < units.length; i++) out.push(units[i] + units[i + 1]);
    return out;
  }

  // A plan is a list of clauses; every required clause must hold (AND).
  // {alts: [[tokens]...]} holds if one alternative has all its tokens;
  // {any: [tokens]} holds if one token is present (covers one query character).
  function plan(query) {
    var folded = fold(query), clauses = [], phrases = [], allToks = {};
    runs(folded).forEach(function (run) {
      phrases.push(run.join(""));
      var covered = new Array(run.length).fill(false);
      // synonyms: longest match first
      var cands = [];
      state.meta.synUnits.forEach(function (group) {
        group.forEach(function (w) {
          for (var i = 0; i + w.length <= run.length; i++) if (eqUnits(run, i, w)) cands.push([i, w.length, group]);
        });
      });
      cands.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
      cands.forEach(function (c) {
        for (var i = c[0]; i < c[0] + c[1]; i++) if (covered[i]) return;
        for (i = c[0]; i < c[0] + c[1]; i++) covered[i] = true;
        var alts = c[2].map(unitTokens);
        alts.forEach(function (a) { a.forEach(function (t) { allToks[t] = true; }); });
        c[2].forEach(function (w) { phrases.push(w.join("")); });
        clauses.push({ alts: alts, optional: false });
      });
      run.forEach(function (u, i) {
        // CJK unigrams are indexed for titles/tags only; inside a longer run the bigrams decide.
        var toks = run.length > 1 && !isWord(u) ? [] : [u];
        if (i > 0) toks.push(run[i - 1] + u);
        if (i + 1 < run.length) toks.push(u + run[i + 1]);
        toks.forEach(function (t) { allToks[t] = true; });
        if (covered[i]) return;
        clauses.push({ any: toks, optional: run.length > 1 && STOP.indexOf(u) >= 0 });
      });
    });
    return { clauses: clauses, tokens: Object.keys(allToks), phrases: phrases, folded: folded };
  }

  function docMasks(tok) {
    var flat = postings(tok), out = new Map();
    if (!flat) return out;
    for (var i = 0, n = 0; i < flat.length; i += 2) { n += flat[i]; out.set(n, flat[i + 1]); }
    return out;
  }

  function maskScore(mask) {
    var s = 0;
    for (var b = 0; b < 4; b++) if (mask & (1 << b)) s += WEIGHT[b + 1];
    return s;
  }

  // Returns Promise<[{n, score}]> sorted best first; null query => all docs.
  function run(query) {
    var p = plan(query);
    if (!p.clauses.length) return Promise.resolve(null);
    return loadShards(p.tokens).then(function () {
      var masks = {};
      p.tokens.forEach(function (t) { masks[t] = docMasks(t); });
      var result = null;
      p.clauses.forEach(function (c) {
        var set = new Set();
        if (c.alts) {
          c.alts.forEach(function (alt) {
            var first = masks[alt[0]];
            first.forEach(function (_, n) {
              if (alt.every(function (t) { return masks[t].has(n); })) set.add(n);
            });
          });
        } else {
          c.any.forEach(function (t) { masks[t].forEach(function (_, n) { set.add(n); }); });
        }
        // A clause nothing in the index can satisfy (a stop char, a word boundary) is dropped
        // unless it is the only evidence we have.
        if (c.optional || (set.size === 0 && c.any && c.any.length > 1 && p.clauses.length > 1 && !isWord(c.any[0])))
          return;
        if (result === null) result = set;
        else result.forEach(function (n) { if (!set.has(n)) result.delete(n); });
      });
      if (result === null) result = new Set();
      var docs = state.meta.docs, hits = [];
      result.forEach(function (n) {
        var score = 0;
        p.tokens.forEach(function (t) { var m = masks[t].get(n); if (m) score += maskScore(m); });
        var d = docs[n], title = d[8] || d[1], tags = d[9] || d[6];
        p.phrases.forEach(function (ph) {
          if (ph.length < 2 && !isWord(ph)) return;
          if (title.indexOf(ph) >= 0) score += 60;
          if (tags.indexOf(ph) >= 0) score += 40;
        });
        hits.push({ n: n, score: score });
      });
      hits.sort(function (a, b) {
        return b.score - a.score || docs[b.n][3] - docs[a.n][3] || (docs[a.n][0] < docs[b.n][0] ? -1 : 1);
      });
      hits.plan = p;
      return hits;
    });
  }

  /* ---------- highlighting (no innerHTML) ---------- */
  // Returns [{text, mark}] segments of `text` (display form) with query bigrams marked.
  function segments(text, p) {
    text = text.replace(state.invisRe, "");
    var chars = Array.from(text), keys = chars.map(function (c) { return fold(c); });
    var marks = new Array(chars.length).fill(false);
    var want = {};
    if (p) p.tokens.forEach(function (t) { want[t] = true; });
    // units over folded chars, with the original char index of each unit
    var units = [], cur = [];
    keys.forEach(function (k, i) {
      UNIT_RE.lastIndex = 0;
      var m = k && UNIT_RE.exec(k);
      if (!m || m[1] !== undefined || m[0].length !== k.length) {
        if (cur.length) units.push(cur); cur = [];
        return;
      }
      var last = cur[cur.length - 1];
      if (last && isWord(k) && isWord(last.u) && /[0-9a-z\u00df-\u024f]$/u.test(last.u)) { last.u += k; last.end = i; }
      else cur.push({ u: k, start: i, end: i });
    });
    if (cur.length) units.push(cur);
    units.forEach(function (run) {
      run.forEach(function (x, j) {
        var y = run[j + 1];
        if (y && want[x.u + y.u] && p.tokens.length) { for (var i = x.start; i <= y.end; i++) marks[i] = true; }
        if ((isWord(x.u) || (p && p.clauses.length === 1)) && want[x.u]) for (i = x.start; i <= x.end; i++) marks[i] = true;
      });
    });
    var segs = [];
    chars.forEach(function (c, i) {
      var last = segs[segs.length - 1];
      if (last && last.mark === marks[i]) last.text += c; else segs.push({ text: c, mark: marks[i] });
    });
    return segs;
  }

  function snippetSegments(text, p, size) {
    var segs = segments(text, p), chars = Array.from(text.replace(state.invisRe, ""));
    if (chars.length <= size) return segs;
    // start the window a little before the first mark
    var pos = 0, first = -1;
    for (var i = 0; i < segs.length; i++) {
      if (segs[i].mark) { first = pos; break; }
      pos += Array.from(segs[i].text).length;
    }
    var start = first < 0 ? 0 : Math.max(0, Math.min(first - 12, chars.length - size));
    var out = [], idx = 0;
    segs.forEach(function (s) {
      var cs = Array.from(s.text), keep = [];
      cs.forEach(function (c) { if (idx >= start && idx < start + size) keep.push(c); idx++; });
      if (keep.length) out.push({ text: keep.join(""), mark: s.mark });
    });
    if (start > 0) out.unshift({ text: "…", mark: false });
    if (start + size < chars.length) out.push({ text: "…", mark: false });
    return out;
  }

  function appendSegments(el, segs) {
    segs.forEach(function (s) {
      if (s.mark) { var m = document.createElement("mark"); m.textContent = s.text; el.appendChild(m); }
      else el.appendChild(document.createTextNode(s.text));
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function caseHref(n) { return pageUrl("cases/" + encodeURIComponent(state.meta.docs[n][0]) + "/"); }

  function districtLabel(d) {
    var name = state.meta.districts[d[2]][0];
    return d[7] ? name + "（原" + d[7] + "）" : name;
  }

  // Render one result (title, district · year, snippet); the snippet fills in when loaded.
  function resultBody(container, n, p, withTags) {
    var d = state.meta.docs[n];
    var title = el("span", "cs-result__title");
    appendSegments(title, segments(d[1], p));
    container.appendChild(title);
    var metaLine = el("span", "cs-result__meta", districtLabel(d) + " · " + d[3] + "年");
    if (withTags) {
      var f = d[4].map(function (i) { return state.meta.fields[i][0]; }).concat(
        d[5].map(function (i) { return state.meta.groups[i][0]; }));
      if (f.length) metaLine.textContent += " · " + f.join("、");
    }
    container.appendChild(metaLine);
    var snip = el("span", "cs-result__snippet");
    container.appendChild(snip);
    function fill() {
      var s = summaryOf(n);
      if (!s) return false;
      snip.textContent = "";
      var text = s[0], segs = segments(text, p);
      if (p && !segs.some(function (x) { return x.mark; })) {
        for (var i = 0; i < s[1].length; i++) {
          if (segments(s[1][i], p).some(function (x) { return x.mark; })) { text = s[1][i] + "。" + s[0]; break; }
        }
      }
      var segs2 = snippetSegments(text, p, 80);
      appendSegments(snip, segs2);
      if (p && !segs2.some(function (x) { return x.mark; })) {
        // matched in the body only: fetch the body text and show the passage that matched
        getJSON("search/d/" + n + ".json").then(function (body) {
          var bodySegs = snippetSegments(body, p, 80);
          if (!bodySegs.some(function (x) { return x.mark; }) || !snip.isConnected) return;
          snip.textContent = "";
          appendSegments(snip, bodySegs);
        }).catch(function () { /* keep the summary */ });
      }
      return true;
    }
    return fill() ? null : fill;
  }

  // Fill snippets once the results have been stable for a moment (saves bandwidth while typing).
  function fillLater(fills, nums, stillCurrent) {
    var pending = fills.filter(function (f) { return f; });
    if (!pending.length) return;
    setTimeout(function () {
      if (!stillCurrent()) return;
      loadSummaries(nums).then(function () { if (stillCurrent()) pending.forEach(function (f) { f(); }); });
    }, 200);
  }

  /* ---------- header combobox ---------- */
  function setupHeader(form) {
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector("[role=listbox]");
    var live = form.querySelector("[aria-live]");
    var panel = form.querySelector(".cs-header__panel");
    var base = form.getAttribute("data-root");
    var active = -1, seq = 0, timer = null, options = [];

    function open(show) {
      panel.hidden = !show;
      input.setAttribute("aria-expanded", show ? "true" : "false");
      if (!show) setActive(-1);
    }
    function setActive(i) {
      options.forEach(function (o, j) { o.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0) { input.setAttribute("aria-activedescendant", options[i].id); options[i].scrollIntoView({ block: "nearest" }); }
      else input.removeAttribute("aria-activedescendant");
    }
    function fullHref() { return pageUrl("search/") + "?q=" + encodeURIComponent(input.value.trim()); }

    function update() {
      var q = input.value, my = ++seq;
      if (!q.trim()) { list.textContent = ""; options = []; live.textContent = ""; open(false); return; }
      init(base).then(function () { return run(q); }).then(function (hits) {
        if (my !== seq) return;
        list.textContent = "";
        options = [];
        hits = hits || [];
        var top = hits.slice(0, 8), fills = [];
        top.forEach(function (h, i) {
          var li = el("li", "cs-result");
          li.id = form.id + "-opt-" + i;
          li.setAttribute("role", "option");
          li.setAttribute("aria-selected", "false");
          var a = el("a");
          a.href = caseHref(h.n);
          a.tabIndex = -1;
          fills.push(resultBody(a, h.n, hits.plan, false));
          li.appendChild(a);
          list.appendChild(li);
          options.push(li);
        });
        var more = el("li", "cs-result cs-result--more");
        more.id = form.id + "-opt-more";
        more.setAttribute("role", "option");
        more.setAttribute("aria-selected", "false");
        var a = el("a", null, hits.length ? "查看全部 " + hits.length + " 个结果并筛选" : "没有找到相关案例，去筛选页看看");
        a.href = fullHref();
        a.tabIndex = -1;
        more.appendChild(a);
        list.appendChild(more);
        options.push(more);
        live.textContent = hits.length ? "找到 " + hits.length + " 个案例" : "没有找到相关案例";
        open(true);
        active = -1;
        form.dispatchEvent(new CustomEvent("cs:results", { detail: { q: q, count: hits.length } }));
        fillLater(fills, top.map(function (h) { return h.n; }), function () { return my === seq; });
      }).catch(function () { live.textContent = "搜索暂时不可用"; });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 30);
    });
    input.addEventListener("compositionend", function () { clearTimeout(timer); timer = setTimeout(update, 0); });
    input.addEventListener("focus", function () { init(base); if (options.length && input.value.trim()) open(true); });
    input.addEventListener("keydown", function (e) {
      if (e.isComposing) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!options.length) return;
        e.preventDefault();
        open(true);
        var n = options.length, i = e.key === "ArrowDown" ? (active + 1) % n : (active <= 0 ? n - 1 : active - 1);
        setActive(i);
      } else if (e.key === "Enter") {
        e.preventDefault();
        if (active >= 0) location.href = options[active].querySelector("a").href;
        else if (input.value.trim()) location.href = fullHref();
      } else if (e.key === "Escape") {
        if (!panel.hidden) { open(false); e.preventDefault(); }
        else { input.value = ""; input.blur(); }
      }
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); if (input.value.trim()) location.href = fullHref(); });
    document.addEventListener("click", function (e) { if (!form.contains(e.target)) open(false); });
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" && e.key !== "s" && e.key !== "S") return;
      if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      var t = e.target;
      if (t && (t.isContentEditable || /^(input|textarea|select)$/i.test(t.tagName))) return;
      e.preventDefault();
      input.focus();
      input.select();
    });
  }

  /* ---------- /search/ page (UI: results first, filters behind a toggle, history) ---------- */
  var PAGE_SIZE = 20;

  function setupPage(root) {
    var form = root.querySelector("form");
    var base = root.getAttribute("data-root");
    var out = root.querySelector(".cs-page__results");
    var status = root.querySelector(".cs-page__status");
    var more = root.querySelector(".cs-page__more");
    var toggle = root.querySelector(".cs-page__toggle");
    var activeBadge = root.querySelector(".cs-page__active");
    var seq = 0, shown = PAGE_SIZE, lastHits = [], lastPlan = null;
    var FACETS = [["district", 2, "districts"], ["field", 4, "fields"], ["group", 5, "groups"]];

    function params() { return new URLSearchParams(location.search); }

    function readForm() {
      var fd = new FormData(form), p = new URLSearchParams();
      var q = (fd.get("q") || "").toString().trim();
      if (q) p.set("q", q);
      FACETS.forEach(function (f) { fd.getAll(f[0]).forEach(function (v) { p.append(f[0], v.toString()); }); });
      ["from", "to"].forEach(function (k) { var v = (fd.get(k) || "").toString().trim(); if (/^\d{4}$/.test(v)) p.set(k, v); });
      return p;
    }

    function writeForm(p) {
      form.elements.q.value = p.get("q") || "";
      FACETS.forEach(function (f) {
        var vals = p.getAll(f[0]);
        form.querySelectorAll("input[name=" + f[0] + "]").forEach(function (cb) { cb.checked = vals.indexOf(cb.value) >= 0; });
      });
      form.elements.from.value = p.get("from") || "";
      form.elements.to.value = p.get("to") || "";
    }

    // How many filter conditions are on (each checked value, each year bound): shown on the toggle.
    function activeCount(p) {
      var n = 0;
      FACETS.forEach(function (f) { n += p.getAll(f[0]).length; });
      ["from", "to"].forEach(function (k) { if (p.get(k)) n++; });
      return n;
    }

    function showActive(p) {
      var n = activeCount(p);
      activeBadge.hidden = n === 0;
      activeBadge.textContent = n ? "（已选 " + n + " 项）" : "";
      root.classList.toggle("cs-page--filtered", n > 0);
    }

    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      root.classList.toggle("cs-page--open", open);
    }

    function matchesFacet(d, f, slugs) {
      if (!slugs.length) return true;
      var values = f[1] === 2 ? [d[2]] : d[f[1]];
      return values.some(function (i) { return slugs.indexOf(state.meta[f[2]][i][1]) >= 0; });
    }

    // Renders the results for `p`; after "显示更多", focusFrom is the index of the first new result.
    function render(p, focusFrom) {
      var my = ++seq, q = p.get("q") || "";
      showActive(p);
      return init(base).then(function () { return run(q); }).then(function (hits) {
        if (my !== seq) return;
        var docs = state.meta.docs;
        lastPlan = hits ? hits.plan : null;
        var pool = hits ? hits.map(function (h) { return h.n; }) : docs.map(function (_, n) { return n; })
          .sort(function (a, b) { return docs[b][3] - docs[a][3] || (docs[a][1] < docs[b][1] ? -1 : 1); });
        var from = parseInt(p.get("from") || "0", 10), to = parseInt(p.get("to") || "9999", 10);
        var sel = {};
        FACETS.forEach(function (f) { sel[f[0]] = p.getAll(f[0]); });
        function passes(n, skip) {
          var d = docs[n];
          if (d[3] < from || d[3] > to) return false;
          return FACETS.every(function (f) { return f[0] === skip || matchesFacet(d, f, sel[f[0]]); });
        }
        // counts per value: everything else applied, this facet not
        FACETS.forEach(function (f) {
          var counts = {};
          pool.forEach(function (n) {
            if (!passes(n, f[0])) return;
            var d = docs[n], vals = f[1] === 2 ? [d[2]] : d[f[1]];
            vals.forEach(function (i) { counts[i] = (counts[i] || 0) + 1; });
          });
          form.querySelectorAll("input[name=" + f[0] + "]").forEach(function (cb) {
            var i = parseInt(cb.getAttribute("data-index"), 10), c = counts[i] || 0;
            var span = cb.parentNode.querySelector(".cs-count");
            span.textContent = String(c);
            cb.parentNode.classList.toggle("cs-zero", c === 0 && !cb.checked);
          });
        });
        lastHits = pool.filter(function (n) { return passes(n, null); });
        var page = lastHits.slice(0, shown);
        // Summaries first, then one paint: results do not grow (and push each other) after they show.
        return loadSummaries(page).catch(function () { return null; }).then(function () { return page; });
      }).then(function (page) {
        if (my !== seq || !page) return;
        var plan = lastPlan;
        out.textContent = "";
        var fills = [];
        page.forEach(function (n) {
          var li = el("li", "cs-result"), a = el("a");
          a.href = caseHref(n);
          fills.push(resultBody(a, n, plan, true));
          li.appendChild(a);
          out.appendChild(li);
        });
        fillLater(fills, page, function () { return my === seq; });
        status.textContent = lastHits.length
          ? "共 " + lastHits.length + " 个案例" + (lastHits.length > page.length ? "，显示前 " + page.length + " 个" : "")
          : "没有找到符合条件的案例，可以减少筛选条件或换个说法";
        more.hidden = lastHits.length <= shown;
        // "显示更多": keyboard and screen-reader users continue at the first new result.
        if (focusFrom !== undefined && out.children[focusFrom]) out.children[focusFrom].querySelector("a").focus();
        root.dispatchEvent(new CustomEvent("cs:page-rendered", { detail: { count: lastHits.length, shown: page.length } }));
      }).catch(function () { status.textContent = "搜索暂时不可用"; });
    }

    // Filter changes push a history entry (Back undoes them); typing replaces the current one.
    function apply(push) {
      var p = readForm(), qs = p.toString();
      var target = location.pathname + (qs ? "?" + qs : "");
      if (target !== location.pathname + location.search) history[push ? "pushState" : "replaceState"](null, "", target);
      shown = PAGE_SIZE;
      render(p);
    }

    var timer = null;
    form.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); apply(true); });
    form.addEventListener("change", function (e) { if (e.target.name !== "q") apply(true); });
    form.elements.q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { apply(false); }, 150); });
    form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
    toggle.addEventListener("click", function () { setOpen(toggle.getAttribute("aria-expanded") !== "true"); });
    more.addEventListener("click", function () { var before = shown; shown += PAGE_SIZE; render(params(), before); });
    window.addEventListener("popstate", function () { shown = PAGE_SIZE; writeForm(params()); render(params()); });
    writeForm(params());
    render(params());
  }

  var api = { setFold: setFold, fold: fold, runs: runs, tokens: tokens, fnv1a: fnv1a, init: init, run: run, plan: plan, segments: segments, _state: state };
  if (typeof window !== "undefined") window.caseSearch = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  if (typeof document !== "undefined") {
    var start = function () {
      document.querySelectorAll("form.cs-header").forEach(setupHeader);
      document.querySelectorAll(".cs-page").forEach(setupPage);
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  }
})();
