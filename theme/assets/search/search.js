/* Case search: engine, header combobox, and the /search/ page wiring (setupPage).
 * Index format and normalization mirror site_builder/outputs/search/{tokens,index}.py.
 * Tiers: exact (every query character found; synonyms, colloquial words, approximate numbers and
 * pinyin initials count) -> partial (labelled; ranked by how much of the query a case covers, rare
 * terms weighing most, words no case uses weighing little, with a threshold) -> pinyin (homophone
 * typos and pinyin queries, then readings people confuse such as sh/s or in/ing; its table and
 * index are fetched only when the first tiers find nothing, and only for pairs of characters the
 * index does not know: a query whose words all match, just not in one case, fetches none of it).
 * Case text is untrusted: the DOM is built with textContent only. */
(function () {
  "use strict";

  var CJK = "\\u3007\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff\\u{20000}-\\u{3134f}";
  var WORD = "0-9a-z\\u00df-\\u00f6\\u00f8-\\u024f";
  var UNIT_RE = new RegExp("[" + CJK + "]|[" + WORD + "]+|([^" + CJK + WORD + "]+)", "gu");
  var WORD_RE = new RegExp("^[" + WORD + "]+$", "u");
  var HAN_RE = /^[\u3400-\u4dbf\u4e00-\u9fff\u{20000}-\u{3134f}]$/u;
  // Filler words, particles and light verbs come from meta.json (site_builder/data/search_words.yaml).
  var STOP = "", VERBS = "", NOISE = [];
  var WEIGHT = [10, 6, 3, 1]; // by bit position: title, meta, summary, body
  var F_TITLE = 1, F_META = 2;
  // Share of the query's weight a case must cover to be shown as partial; also shown: the cases that
  // come within PARTIAL_NEAR of the best one by where they match (SHARE), down to PARTIAL_LOW (a long
  // sentence in the reader's own words, which no case covers by half).
  var PARTIAL_MIN = 0.5, PARTIAL_NEAR = 0.8, PARTIAL_LOW = 0.3;
  var SHARE = [1, 1, 0.8, 0.6]; // partial tier: share of a term's weight by field (title, meta, summary, body)
  var GRAMMAR = "的了吗呢吧啊呀嘛"; // particles that end or join phrases, never inside a word
  var MEASURES = "个名家人位元件次条座栋幢所项种年月天岁户间台辆套张只把块米里亩倍成届期批支"; // tokens.MEASURES
  var LABELS = {
    partial: "没有完全匹配的结果，以下案例包含部分关键词",
    pinyin: "没有完全匹配的结果，以下案例的读音与搜索词相近",
    none: "没有找到相关案例"
  };

  var state = {
    base: null, foldMap: null, invisRe: null, meta: null, loading: null,
    files: {}, data: {}, // path -> promise / parsed JSON
    spent: 0, session: 0, sizes: {}, // bytes fetched in all; state.spent when the typing session began
    budget: { session: 105000, reserve: 35000, hard: 120000 }, // SESSION_BYTES, RESERVE_BYTES, HARD_BYTES (below)
    masks: new Map(), // "shard token" -> decoded postings
    py: null // {chars: Map(char -> [syllables]), syl: Set}
  };

  /* ---------- normalization (same as site_builder.outputs.search.tokens.normalize) ---------- */
  function fold(text) {
    text = text.replace(state.invisRe, "").normalize("NFKC").toLowerCase().replace(state.invisRe, "");
    var out = "";
    for (var ch of text) {
      var m = state.foldMap.get(ch);
      out += m === undefined ? ch : m;
    }
    return out;
  }

  var NUMERAL_RE = /(?:[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千万亿])+/g;
  var THOUSANDS_RE = /([0-9]),(?=[0-9]{3}(?![0-9]))/g;
  var DECIMAL_RE = /^([0-9]+)\.([0-9]+)([十百千万亿]+)$/;
  var DIGIT = { "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9 };
  var SMALL = { "十": 10, "百": 100, "千": 1000 };
  var BIG = { "万": 1e4, "亿": 1e8 };
  var LIMIT = 1e15;
  function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }

  // The digits of one numeral (一万五 -> 15000), or null when s is not one (千万, 万一).
  function numeral(s) {
    var m = DECIMAL_RE.exec(s), i;
    if (m) {
      var mult = 1;
      for (i = 0; i < m[3].length; i++) mult *= has(SMALL, m[3][i]) ? SMALL[m[3][i]] : BIG[m[3][i]];
      var scale = Math.pow(10, m[2].length), value = parseInt(m[1] + m[2], 10) * mult;
      return value % scale === 0 && value < LIMIT * scale ? String(value / scale) : null;
    }
    if (s.indexOf(".") >= 0) return null;
    var chars = Array.from(s);
    if (!chars.some(function (c) { return has(SMALL, c) || has(BIG, c); }))
      return chars.every(function (c) { return has(DIGIT, c); }) ? chars.map(function (c) { return DIGIT[c]; }).join("") : null;
    var total = 0, section = 0, num = null, last = 1, smallLast = LIMIT, bigLast = LIMIT, zero = false;
    var pieces = s.match(/[0-9]+|./gu);
    for (i = 0; i < pieces.length; i++) {
      var p = pieces[i], unit;
      if (/^[0-9]/.test(p) || (has(DIGIT, p) && DIGIT[p] > 0)) {
        if (num !== null) return null;
        num = /^[0-9]/.test(p) ? parseInt(p, 10) : DIGIT[p];
      } else if (has(DIGIT, p)) {
        if (num !== null) return null;
        zero = true;
      } else if (has(SMALL, p)) {
        unit = SMALL[p];
        if (unit >= smallLast || (num === null && p !== "十")) return null;
        section += (num === null ? 1 : num) * unit;
        num = null; last = unit; smallLast = unit; zero = false;
      } else {
        unit = BIG[p];
        if (unit >= bigLast || (num === null && section === 0)) return null;
        total += (section + (num || 0)) * unit;
        section = 0; num = null; last = unit; bigLast = unit; smallLast = LIMIT; zero = false;
      }
    }
    if (num !== null) section += num * (zero || last === 1 ? 1 : last / 10);
    var v = total + section;
    return v < LIMIT ? String(v) : null;
  }

  var TAIL_RE = /[百千万亿]([一二两三四五六七八九])$/;
  var CJK_CHAR_RE = new RegExp("^[" + CJK + "]$", "u");
  // One numeral match in digits; a short tail (一万五) only before a measure word or the end, so a
  // number never reads into the next word (3万两新 is 30000 + 两新); tokens._numeral_at.
  function numeralAt(m, offset, text) {
    var after = Array.from(text.slice(offset + m.length, offset + m.length + 2))[0] || "";
    if (TAIL_RE.test(m) && after && CJK_CHAR_RE.test(after) && MEASURES.indexOf(after) < 0) {
      var head = numeral(m.slice(0, -1));
      if (head !== null) { var t = numeral(m.slice(-1)); return head + " " + (t === null ? m.slice(-1) : t); }
    }
    var d = numeral(m);
    return d === null ? m : d;
  }

  function numerals(folded) {
    var text = folded.replace(THOUSANDS_RE, "$1");
    return text.replace(NUMERAL_RE, function (m, offset) { return numeralAt(m, offset, text); });
  }

  function normalize(text) { return numerals(fold(text)); }

  // normalize() of one character (highlighting asks for every character of every title and
  // snippet shown); forgotten when the fold table grows (addFold).
  var charKeys = new Map();
  function normalizeChar(c) {
    var k = charKeys.get(c);
    if (k === undefined) { k = normalize(c); charKeys.set(c, k); }
    return k;
  }

  function runs(key) {
    var out = [], cur = [], m;
    UNIT_RE.lastIndex = 0;
    while ((m = UNIT_RE.exec(key)) !== null) {
      if (m[1] !== undefined) {
        if (cur.length) { out.push(cur); cur = []; }
      } else cur.push(m[0]);
    }
    if (cur.length) out.push(cur);
    return out;
  }

  // A Latin/digit word, as opposed to one CJK character or a bigram.
  function isWord(unit) { return WORD_RE.test(unit); }

  // Index tokens of a document field (tokens.doc_tokens); used by the parity test.
  function docTokens(text, unigrams) {
    var out = new Set();
    runs(normalize(text)).forEach(function (run) {
      run.forEach(function (u, i) {
        if (run.length === 1 || unigrams || isWord(u)) out.add(u);
        if (i + 1 < run.length) out.add(u + run[i + 1]);
      });
    });
    return Array.from(out).sort();
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
    var href = url(path);
    return fetch(href, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(path + " " + r.status);
      return r.text();
    }).then(function (text) {
      charge(path, wireBytes(href, text));
      return JSON.parse(text);
    });
  }

  /* ---------- the byte budget of a typing session (issue 22) ----------
   * A reader types a query one keystroke at a time, every prefix is searched, and everything
   * those searches fetch counts before the query's own first result.  So the header box counts
   * the bytes it fetches on the wire (the compressed size Resource Timing reports; 0 from the HTTP
   * cache; without a timing entry, 40 % of the text, about what gzip makes of the index) since
   * the box was last empty: the typing session.  A session may spend state.budget.session
   * (SESSION_BYTES, meta.json included); search.js and its style sheet (~25 kB) come on top, and
   * ~20 kB is left under the 150 kB budget for what a search cannot do without (the fold table of
   * the characters typed, the titles of the results shown, a shard larger than expected).  Within
   * it the first search of a query fetches what it needs; past it, it searches what is already
   * loaded, and the rest waits until the reader stops typing (the refinement).  Snippets and the
   * pinyin tier only spend what leaves state.budget.reserve (RESERVE_BYTES) to the keystrokes
   * that follow.  The refinement may take the session up to state.budget.hard (HARD_BYTES), and
   * no further: what a session fetches is bounded by its bytes, not by how long the reader paused
   * between keys (under load, or typing slowly, a pause mid-question is no sign that the question
   * is finished). */
  function wireBytes(href, text) {
    var e = typeof performance !== "undefined" && performance.getEntriesByName ? performance.getEntriesByName(href) : [];
    e = e[e.length - 1];
    if (e && e.transferSize === 0 && e.decodedBodySize > 0) return 0; // from the HTTP cache
    return e && e.encodedBodySize > 0 ? e.encodedBodySize : Math.round(text.length * 0.4);
  }
  // Bytes fetched so far in all, and per kind of file (the mean size of the next one).
  function charge(path, bytes) {
    var kind = path.split("/")[1];
    state.spent += bytes;
    if (!state.sizes[kind]) state.sizes[kind] = [0, 0];
    state.sizes[kind][0] += bytes;
    state.sizes[kind][1] += 1;
  }
  // What a file of `kind` (i, p, s, d, py.json) is expected to cost: the mean so far, else a guess.
  var GUESS = { i: 1500, p: 2000, s: 2300, d: 3000, "py.json": 12000 };
  function expected(kind) { var k = state.sizes[kind]; return k && k[1] ? k[0] / k[1] : GUESS[kind]; }
  function fetched(path) { return !!state.files[path]; }
  // Bytes the current typing session may still fetch (Infinity outside the header box); extra:
  // for what a list can do without (snippets, the pinyin tier), less the reserve.  capped is
  // REFINING for the refinement (below), which may spend up to state.budget.hard (HARD_BYTES).
  var REFINING = 2;
  function room(capped, extra) {
    var b = state.budget;
    if (!capped) return Infinity;
    return (capped === REFINING ? b.hard : b.session) - (state.spent - state.session) - (extra ? b.reserve : 0);
  }
  // Fetch each file once; state.data[path] holds it when loaded.
  function load(path) {
    if (!state.files[path]) state.files[path] = getJSON(path).then(function (v) { state.data[path] = v; return v; });
    return state.files[path];
  }
  function loadAll(paths) {
    var seen = {};
    return Promise.all(paths.filter(function (p) { return !seen[p] && (seen[p] = true); }).map(load));
  }

  // The fold table arrives in shards by code point ("search/fold/<k>.json", a string of pairs);
  // loadFold(text) fetches the shards its characters need before fold() is used on it.
  function addFold(pairs) {
    var chars = Array.from(pairs);
    for (var i = 0; i + 1 < chars.length; i += 2) state.foldMap.set(chars[i], chars[i + 1]);
    charKeys.clear();
  }
  function foldShard(ch) { return "search/fold/" + (ch.codePointAt(0) % state.meta.foldShards) + ".json"; }
  // meta.foldKeys: one bit per character of FOLD_LO..FOLD_HI, set if the fold table has it; a
  // character there without its bit folds to itself, and its shard is not fetched (a keystroke's
  // search then starts at once).
  var FOLD_LO = 0x3400, FOLD_HI = 0xa000;
  function folds(cp) {
    var bits = state.meta.foldBits;
    if (!bits || cp < FOLD_LO || cp >= FOLD_HI) return true;
    return ((bits.charCodeAt((cp - FOLD_LO) >> 3) >> ((cp - FOLD_LO) & 7)) & 1) === 1;
  }
  function loadFold(text) {
    var paths = {};
    for (var ch of text.normalize("NFKC").toLowerCase()) {
      var cp = ch.codePointAt(0);
      if (cp >= 0x2e80 && folds(cp)) paths[foldShard(ch)] = true;
    }
    return Promise.all(Object.keys(paths).map(function (path) {
      if (!state.files[path]) state.files[path] = getJSON(path).then(addFold);
      return state.files[path];
    }));
  }

  function setMeta(meta) {
    // Words that stand for a group of cases: a synonym group k is the token "~k" (cases with any of
    // its words), a colloquial entry k the token "~ck" (cases with any word it means).
    meta.synUnits = [];
    // own (a word of three characters or more, which a case may hold as a word or only as bigrams
    // apart): what shows a case holds it as a word, "word" (the group's token: any word of a synonym
    // group) or "literal" (a colloquial entry's says word that is also one of its means: 饿了么)
    function addWords(words, token, marks, own) {
      words.forEach(function (w) {
        var rs = runs(w);
        if (rs.length === 1) meta.synUnits.push({ units: rs[0], token: token, marks: marks, own: own(w) });
      });
    }
    meta.synonyms.forEach(function (group, k) { addWords(group, "~" + k, group, function (w) { return runs(w)[0].length > 2 && "word"; }); });
    (meta.colloquial || []).forEach(function (entry, k) {
      addWords(entry[0], "~c" + k, entry[0].concat(entry[1]), function (w) { return entry[1].indexOf(w) >= 0 && runs(w)[0].length > 2 && "literal"; });
    });
    // synonymsIn looks words up by their first unit (in table order)
    meta.synFirst = new Map();
    meta.synUnits.forEach(function (w) {
      if (!meta.synFirst.has(w.units[0])) meta.synFirst.set(w.units[0], []);
      meta.synFirst.get(w.units[0]).push(w);
    });
    meta.synLatin = meta.synUnits.filter(function (w) { return w.units.length === 1 && /^[a-z]{5,}$/.test(w.units[0]); });
    OTHER_BEFORE = (meta.others || {}).before || [];
    OTHER_AFTER = (meta.others || {}).after || [];
    OTHER_AROUND = (meta.others || {}).around || [];
    NOISE = (meta.fillers || []).concat(OTHER_BEFORE, OTHER_AFTER).map(function (w) { return Array.from(w); });
    meta.foldBits = meta.foldKeys && typeof atob === "function" ? atob(meta.foldKeys) : null;
    STOP = meta.particles || "";
    VERBS = meta.verbs || "";
    state.meta = meta;
    return meta;
  }

  function setInvisible(chars) {
    state.foldMap = new Map();
    state.invisRe = new RegExp("[" + chars.replace(/[\\\]^-]/g, "\\$&") + "]", "gu");
  }

  function init(base) {
    if (state.loading) return state.loading;
    state.base = base.replace(/\/?$/, "/");
    state.loading = load("search/meta.json").then(function (meta) {
      setInvisible(meta.invisible);
      state.meta = meta;
      return setMeta(meta);
    });
    return state.loading;
  }

  function hexShard(tok, count, width) {
    var k = (fnv1a(tok) % count).toString(16);
    while (k.length < width) k = "0" + k;
    return k;
  }
  function shardPath(tok) { return "search/i/" + hexShard(tok, state.meta.shards, state.meta.width) + ".json"; }
  function pinyinPath(tok) { var p = state.meta.pinyin; return "search/p/" + hexShard(tok, p.shards, p.width) + ".json"; }

  // {doc number: field mask} of one token in a loaded shard.
  // Postings of one token in a loaded shard: field mask per document (a) and the documents (list).
  function docMasks(shard, tok) {
    var key = shard + " " + tok, hit = state.masks.get(key);
    if (hit) return hit; // decoded once per session: each keystroke reuses the tokens before it
    var p = state.data[shard], a = new Uint8Array(state.meta.docs), list = [];
    var flat = p && has(p, tok) ? p[tok] : null;
    if (flat) for (var i = 0, n = 0; i < flat.length; i += 2) { n += flat[i]; a[n] = flat[i + 1]; list.push(n); }
    if (p) state.masks.set(key, { a: a, list: list });
    return { a: a, list: list };
  }

  // Flags (1 per document) of the documents a clause or term holds for.
  function holders(c, masks) {
    var set = new Uint8Array(state.meta.docs);
    (c.alts || c.any.map(function (t) { return [t]; })).forEach(function (alt) {
      var base = alt.reduce(function (b, t) { return masks[t].list.length < masks[b].list.length ? t : b; }, alt[0]);
      masks[base].list.forEach(function (n) { if (alt.every(function (t) { return masks[t].a[n]; })) set[n] = 1; });
    });
    return set;
  }


  function docPath(n) { return "search/m/" + Math.floor(n / state.meta.docShard) + ".json"; }
  function loadDocs(nums) { return loadAll(nums.map(docPath)); }
  function docOf(n) { var p = state.data[docPath(n)]; return p ? p[n % state.meta.docShard] : null; }

  function sumPath(n) { return "search/s/" + Math.floor(n / state.meta.sumShard) + ".json"; }
  function loadSummaries(nums) { return loadAll(nums.map(sumPath)); }
  function summaryOf(n) { var p = state.data[sumPath(n)]; return p ? p[n % state.meta.sumShard] : null; }

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
  // {alts: [[tokens]...]} holds if one alternative has all its tokens (a synonym group or colloquial
  // entry: its token "~k"/"~ck", or the bigrams of the word as typed; an approximate number: the
  // range key "#r<lo>-<hi>", or the number as typed);
  // {any: [tokens]} holds if one token is present (covers one query character or word).
  // terms: what the partial tier weighs (bigrams, words, groups, numbers), with their place (at).
  function plan(query) {
    var key = normalize(query), clauses = [], phrases = [], terms = [], allToks = {}, marks = {}, ranges = {};
    var rs = runs(key).map(function (run) {
      var nums = numberPhrases(run), syn = synonymsIn(run, nums.flags), noise = noiseIn(run);
      return { run: run, syn: syn, nums: nums.matches, covered: syn.flags.map(function (f, i) { return f || nums.flags[i]; }),
        noise: noise, counted: nums.flags, other: othersIn(run, noise) };
    });
    // a case the reader names to set it aside (除了徐家汇…, B站之外…): when the rest of the query
    // says what to find, its words need not match and the cases it names rank after the others
    var others = [], otherToks = {};
    if (rs.some(function (r) { return r.run.some(function (u, i) { return !r.noise[i] && !r.other[i] && STOP.indexOf(u) < 0; }); })) {
      rs.forEach(function (r) {
        r.noise = r.noise.map(function (f, i) { return f || r.other[i] > 0; });
        r.other = r.other.map(function (f) { return f === 1; });
        if (r.other.indexOf(true) < 0) return;
        others = others.concat(otherSpans(r, otherToks));
        r.syn.matches = r.syn.matches.filter(function (c) { return !r.other[c.start]; });
        r.nums = r.nums.filter(function (c) { return !r.other[c.start]; });
      });
    } else rs.forEach(function (r) { r.other = r.run.map(function () { return false; }); });
    // words around a name (在哪里, 怎么样, 关于…的案例) do not have to match, unless they are all there is
    var content = rs.some(function (r) { return r.run.some(function (u, i) { return !r.noise[i] && STOP.indexOf(u) < 0; }); });
    var lone = [];
    rs.forEach(function (r, ri) {
      var run = r.run, covered = r.covered, noise = content ? r.noise : r.run.map(function () { return false; });
      // phrases (ranking): the stretches between filler words
      var seg = [];
      run.concat([null]).forEach(function (u, i) {
        if (u !== null && !noise[i]) { seg.push(u); return; }
        if (seg.length) phrases.push(unitTokens(seg));
        seg = [];
      });
      r.syn.matches.forEach(function (c) {
        var alts = [[c.token], unitTokens(run.slice(c.start, c.start + c.len))];
        alts.forEach(function (a) { a.forEach(function (t) { allToks[t] = true; }); });
        c.marks.forEach(function (w) { runs(normalize(w)).forEach(function (ws) { unitTokens(ws).forEach(function (t) { marks[t] = true; }); }); });
        phrases.push([c.token]);
        clauses.push({ alts: alts, optional: false, own: c.own === "literal" ? alts[1] : c.own === "word" ? alts[0] : null });
        terms.push({ alts: alts });
      });
      r.nums.forEach(function (c) {
        var rk = "#r" + c.lo + "-" + c.hi + (c.open ? ")" : "]"), literal = unitTokens(run.slice(c.start, c.start + c.len));
        ranges[rk] = { lo: c.lo, hi: c.hi, open: c.open, toks: bucketTokens(c.lo, c.hi, c.open) };
        ranges[rk].toks.forEach(function (t) { allToks[t] = true; });
        literal.forEach(function (t) { allToks[t] = true; });
        var alts = [[rk], literal];
        clauses.push({ alts: alts, optional: false });
        terms.push({ alts: alts });
      });
      // a character alone between filler words or matched words (哪个区有…): need not match
      var segLen = run.map(function () { return 0; }), i0 = 0;
      for (var i = 0; i <= run.length; i++) {
        if (i < run.length && !covered[i] && !noise[i] && STOP.indexOf(run[i]) < 0) continue;
        for (var j = i0; j < i; j++) segLen[j] = i - i0;
        i0 = i + 1;
      }
      // what shows that the neighbour at j matches without the character beside it: its own
      // word (a synonym or number), or its bigram on the far side; null if nothing can
      function side(j, dir) {
        if (j < 0 || j >= run.length || noise[j]) return null;
        if (covered[j]) return "";
        var k = j + dir;
        if (k < 0 || k >= run.length || noise[k]) return null;
        return dir < 0 ? run[k] + run[j] : run[j] + run[k];
      }
      run.forEach(function (u, i) {
        if (r.other[i]) return;
        // CJK unigrams are indexed for titles/tags only; inside a longer run the bigrams decide.
        var toks = run.length > 1 && !isWord(u) ? [] : [u];
        if (i > 0) toks.push(run[i - 1] + u);
        if (i + 1 < run.length) toks.push(u + run[i + 1]);
        if (/^[a-z]{3,10}$/.test(u)) toks.push("^" + u); // pinyin initials of a name: jtk
        toks.forEach(function (t) { allToks[t] = true; });
        if (!covered[i] && !noise[i]) {
          if (run.length === 1 || isWord(u)) terms.push({ alts: toks.filter(function (t) { return t === u || t === "^" + u; }).map(function (t) { return [t]; }) });
          // a bigram with a particle (万有, 所在) weighs only when the index knows it as a word
          // a measure word after a number ends it (一千家|党组织): its bigram with the next word is a seam
          var measured = MEASURES.indexOf(u) >= 0 && i > 0 && (r.counted[i - 1] || /^[0-9]+$/.test(run[i - 1]));
          if (i + 1 < run.length && !covered[i + 1] && !noise[i + 1])
            terms.push({ alts: [[u + run[i + 1]]], at: [ri, i], soft: STOP.indexOf(u) >= 0 || STOP.indexOf(run[i + 1]) >= 0, seam: measured });
        }
        if (covered[i]) return;
        // a particle, or a light verb before a word (建|党组织, not 党建), need not match on its own
        var verb = VERBS.indexOf(u) >= 0 && i + 1 < run.length;
        var c = { any: toks, optional: noise[i] || (run.length > 1 && (STOP.indexOf(u) >= 0 || verb)), inner: toks.length > 1 && !isWord(toks[0]) };
        // an inner character may be dropped only between two words that match on their own
        // (翡翠蛙琉璃), not beside a filler word or the end of the query (工资多少)
        if (c.inner) c.outer = [side(i - 1, -1), side(i + 1, 1)];
        if (!c.optional && segLen[i] === 1 && !isWord(u) && run.length > 1) {
          lone.push(c);
          // the character may finish the matched word beside it (静安|寺: the place 静安寺, not 静安区)
          c.extends = [covered[i - 1] ? run[i - 1] + u : null, covered[i + 1] ? u + run[i + 1] : null].filter(Boolean);
        }
        clauses.push(c);
      });
    });
    // lone characters are optional when something else must match
    if (lone.length && clauses.some(function (c) { return !c.optional && lone.indexOf(c) < 0; }))
      lone.forEach(function (c) { c.optional = true; });
    // tokens: what to fetch; scored: what ranks (number buckets only through their ranges; not
    // the words of a case set aside, unless the rest of the query has them too)
    var scored = Object.keys(allToks).filter(function (t) { return !/^#[0-9]/.test(t); }).concat(Object.keys(ranges));
    Object.keys(allToks).forEach(function (t) { marks[t] = true; });
    Object.keys(otherToks).forEach(function (t) { allToks[t] = true; });
    var tokens = Object.keys(allToks);
    return { clauses: clauses, tokens: tokens, scored: scored, phrases: phrases, terms: terms, key: key, marks: marks, ranges: ranges, others: others,
      runs: rs.map(function (r) { return { run: r.run, covered: r.covered, noise: r.noise }; }) };
  }

  // Synonym words and colloquial words in a run, longest first, not overlapping (nor a number
  // phrase): {flags, matches: [{start, len, token, marks}]}.
  function synonymsIn(run, taken) {
    var flags = taken.slice(), cands = [], matches = [];
    // (the same candidates in the same order, for the stable sort below, as a scan of every word
    // at every position: for one start, words in table order)
    run.forEach(function (u, i) {
      (state.meta.synFirst.get(u) || []).forEach(function (w) {
        if (i + w.units.length <= run.length && eqUnits(run, i, w.units)) cands.push({ start: i, len: w.units.length, token: w.token, marks: w.marks, own: w.own });
      });
    });
    // a Latin word of five letters or more one typo away from a synonym word (bilibli, fosnu)
    run.forEach(function (u, i) {
      if (taken[i] || !/^[a-z]{5,}$/.test(u) || cands.some(function (c) { return c.start === i; })) return;
      var w = state.meta.synLatin.filter(function (w) { return oneEditApart(u, w.units[0]); })[0];
      if (w) cands.push({ start: i, len: 1, token: w.token, marks: w.marks });
    });
    cands.sort(function (a, b) { return b.len - a.len || a.start - b.start; });
    cands.forEach(function (c) {
      for (var i = c.start; i < c.start + c.len; i++) if (flags[i]) return;
      for (i = c.start; i < c.start + c.len; i++) flags[i] = true;
      matches.push(c);
    });
    return { flags: flags.map(function (f, i) { return f && !taken[i]; }), matches: matches };
  }

  // One insertion, deletion, substitution or swap of neighbours turns a into b.
  function oneEditApart(a, b) {
    if (a === b || Math.abs(a.length - b.length) > 1) return false;
    var i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    if (a.length === b.length) {
      return a.slice(i + 1) === b.slice(i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
    }
    return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  // Filler words of questions (flags per unit).
  function noiseIn(run) {
    var flags = new Array(run.length).fill(false);
    NOISE.forEach(function (units) {
      for (var i = 0; i + units.length <= run.length; i++) {
        if (eqUnits(run, i, units)) for (var j = i; j < i + units.length; j++) flags[j] = true;
      }
    });
    return flags;
  }

  // The words a reader sets aside (flags per unit, 1): after 除了/看完… (OTHER_BEFORE) up to a filler
  // word, a particle, 还/也 or the end of the run; before 之外/以外 (OTHER_AFTER) back to a filler word or the
  // start of the run; between a character and a closing word (OTHER_AROUND: 除…外, 像…那样), which
  // are marks (2).
  // The other marks are filler words.
  var OTHER_BEFORE = [], OTHER_AFTER = [], OTHER_AROUND = [], OTHER_ENDS = "还也";
  function othersIn(run, noise) {
    var flags = run.map(function () { return 0; });
    function mark(list, forward) {
      list.forEach(function (w) {
        var units = Array.from(w);
        for (var i = 0; i + units.length <= run.length; i++) {
          if (!eqUnits(run, i, units)) continue;
          if (forward) for (var j = i + units.length; j < run.length && !noise[j] && (OTHER_ENDS + STOP).indexOf(run[j]) < 0; j++) flags[j] = 1;
          else for (j = i - 1; j >= 0 && !noise[j]; j--) flags[j] = 1;
        }
      });
    }
    mark(OTHER_BEFORE, true);
    mark(OTHER_AFTER, false);
    // 除X外: the two characters around the name are marks too (2)
    OTHER_AROUND.forEach(function (pair) {
      var close = runs(pair[1])[0] || [];
      for (var i = 0; i < run.length; i++) {
        // 除外 is a mark after a name too (浦东除外): here only with no name before it (除外卖骑手外)
        if (run[i] !== pair[0] || (noise[i] && !(eqUnits(run, i + 1, close) && (i === 0 || noise[i - 1])))) continue;
        for (var k = i + 2; k < run.length && !eqUnits(run, k, close) && !noise[k]; k++);
        if (k >= run.length || !eqUnits(run, k, close)) continue;
        flags[i] = 2;
        for (var j = i + 1; j < k; j++) flags[j] = 1;
        for (j = k; j < k + close.length; j++) flags[j] = 2;
        i = k + close.length - 1;
      }
    });
    return flags;
  }

  // The stretches a run sets aside, each a list of what a case must hold to be the one named: a
  // synonym or colloquial word (its token or its bigrams), else the bigrams inside the stretch but
  // those with a particle (a lone character or Latin word: itself).  Their tokens go into toks (fetched, never scored).
  function otherSpans(r, toks) {
    var spans = [], run = r.run;
    for (var i = 0; i < run.length; i++) {
      if (!r.other[i]) continue;
      var end = i;
      while (end < run.length && r.other[end]) end++;
      var items = [], inWord = run.map(function () { return false; }), k;
      r.syn.matches.forEach(function (c) {
        if (c.start < i || c.start + c.len > end) return;
        items.push([[c.token], unitTokens(run.slice(c.start, c.start + c.len))]);
        for (k = c.start; k < c.start + c.len; k++) inWord[k] = true;
      });
      if (end - i === 1 && !inWord[i]) items.push([[run[i]]]);
      for (k = i; k + 1 < end; k++) {
        if (!(inWord[k] && inWord[k + 1]) && STOP.indexOf(run[k]) < 0 && STOP.indexOf(run[k + 1]) < 0) items.push([[run[k] + run[k + 1]]]);
      }
      items.forEach(function (alts) { alts.forEach(function (a) { a.forEach(function (t) { toks[t] = true; }); }); });
      if (items.length) spans.push(items);
      i = end;
    }
    return spans;
  }

  // Whether case n is one the reader set aside: it holds every item of a stretch in its title or
  // tags (a case that mentions the name in passing, in its summary or body, is not the one named).
  function setAside(p, masks, n) {
    return (p.others || []).some(function (items) {
      return items.every(function (alts) {
        return alts.some(function (a) { return a.every(function (t) { return masks[t] && masks[t].a[n] & (F_TITLE | F_META); }); });
      });
    }) ? 1 : 0;
  }

  /* ---------- numbers as people say them ---------- */
  // Tolerances (README, "Search"): X多/余/来/出头/以上 = [X, X + one step of its last digit)
  // (两万多 20000-29999, 一百二十多 120-129); X几 = the step's second half (十几 11-19);
  // 近/将近/不到 X = [0.8X, X]; 约/大约/左右 X = X ± 15 %; 超过/逾 X = [X, X + step];
  // 上 + unit = [unit, 10 units) (上千 1000-9999); 数/几 + unit = [2, 10) units (数百 200-999);
  // a round number typed plainly (2万, 500) also matches within ± 10 %.
  var UNIT_VALUE = { "十": 10, "百": 100, "千": 1000, "万": 1e4, "亿": 1e8 };
  var NEAR = ["将近", "接近", "不到", "不足", "差不多", "近", "快"];
  var ABOUT = ["大约", "大概", "约", "左右", "上下"];
  var OVER = ["超过", "多于", "至少", "逾"];
  var NUM_RE = /^(将近|接近|不到|不足|差不多|大约|大概|超过|多于|至少|近|快|约|逾|上|数|几|成)?(N|[十百千万亿])(多|余|来|几)?([十百千万亿])?(多|余|来|出头|以上|开外|左右|上下)?/u;

  function stepOf(x) {
    var step = 1;
    while (x >= step * 10 && x % (step * 10) === 0) step *= 10;
    return step;
  }

  // Approximate number phrases of a run: {flags, matches: [{start, len, lo, hi, open}]}.
  function numberPhrases(run) {
    var flags = run.map(function () { return false; }), matches = [];
    var sym = run.map(function (u) { return /^[0-9]+$/.test(u) ? "N" : (u.length === 1 ? u : "\u0000"); });
    var text = sym.join("");
    for (var i = 0; i < run.length; i++) {
      var m = NUM_RE.exec(text.slice(i));
      if (!m) continue;
      var pre = m[1] || "", base = m[2], mid = m[3] || "", unit = m[4] || "", post = m[5] || "";
      var len = pre.length + 1 + mid.length + unit.length + post.length;
      var x = base === "N" ? parseInt(run[i + pre.length], 10) : UNIT_VALUE[base];
      var lo, hi, open = false, step = stepOf(x), mult = unit ? UNIT_VALUE[unit] : 1, next = run[i + len];
      if (base !== "N" && !pre) continue; // 千 alone is a word (千万, 百年)
      // 数, 几, 上, 成 count units (数十, 几十万, 上千), never a number as written (人数350000)
      if (/^[数几上成]$/.test(pre) && base === "N" && !/^10+$/.test(run[i + 1])) continue;
      if (mid === "几") { lo = x + step / 10; hi = x + step - step / 10; }
      else if (mid) { lo = x; hi = x + step; open = true; }
      else if (pre === "上" || pre === "成") { lo = x; hi = 10 * x; open = true; }
      else if (pre === "数" || pre === "几") { lo = 2 * x; hi = 10 * x; open = true; }
      else if (NEAR.indexOf(pre) >= 0) { lo = 0.8 * x; hi = x; }
      else if (ABOUT.indexOf(pre) >= 0 || ABOUT.indexOf(post) >= 0) { lo = 0.85 * x; hi = 1.15 * x; }
      else if (OVER.indexOf(pre) >= 0) { lo = x; hi = x + step; }
      else if (post && post !== "左右" && post !== "上下") { lo = x; hi = x + step; open = true; }
      else if (base === "N" && !pre && !mid && x >= 100 && step >= 100 && next !== "年") { lo = 0.9 * x; hi = 1.1 * x; len = 1; }
      else continue;
      if (mid && !unit && post) { /* 二十多个…: post is part of the next word */ len -= post.length; }
      lo *= mult; hi *= mult;
      if (lo < 10) continue;
      // open: hi itself is out (两万多 is 20000 up to, not including, 30000)
      matches.push({ start: i, len: len, lo: Math.round(lo * 1000) / 1000, hi: Math.round(hi * 1000) / 1000, open: open });
      for (var j = i; j < i + len; j++) flags[j] = true;
      i += len - 1;
    }
    return { flags: flags, matches: matches };
  }

  // Index tokens (tokens.number_tokens) whose numbers may fall in [lo, hi] ([lo, hi) when open):
  // "#<digits>:<first digit>".
  function bucketTokens(lo, hi, open) {
    var out = [], top = open ? hi - 1e-9 : hi;
    for (var mag = String(Math.floor(lo)).length; mag <= String(Math.floor(top)).length && out.length < 24; mag++) {
      for (var d = 1; d <= 9; d++) {
        var a = d * Math.pow(10, mag - 1), b = (d + 1) * Math.pow(10, mag - 1);
        if (b > lo && a <= top) out.push("#" + mag + ":" + d);
      }
    }
    return out;
  }

  // Postings of a range: the documents with a number in it (three significant digits).
  function rangeMasks(r) {
    var a = new Uint8Array(state.meta.docs), list = [];
    r.toks.forEach(function (tok) {
      var p = state.data[shardPath(tok)], flat = p && has(p, tok) ? p[tok] : null;
      if (!flat) return;
      var scale = Math.pow(10, parseInt(tok.slice(1), 10) - 3);
      for (var i = 0, n = 0; i < flat.length; i += 2) {
        n += flat[i];
        var v = Math.floor(flat[i + 1] / 16) * scale;
        if (v >= r.lo - 1e-9 && (r.open ? v < r.hi - 1e-9 : v <= r.hi + 1e-9)) { if (!a[n]) list.push(n); a[n] |= flat[i + 1] & 15; }
      }
    });
    list.sort(function (x, y) { return x - y; });
    return { a: a, list: list };
  }


  function maskScore(mask) {
    var s = 0;
    for (var b = 0; b < 4; b++) if (mask & (1 << b)) s += WEIGHT[b];
    return s;
  }
  var MASK_SCORE = [];
  for (var mi = 0; mi < 256; mi++) MASK_SCORE.push(maskScore(mi));

  // The phrases that can earn a bonus (scoreOf): not a lone CJK character.
  function bonusPhrases(phrases) {
    return phrases.filter(function (ph) { return ph.length >= 1 && !(ph.length === 1 && ph[0].length < 2 && !isWord(ph[0])); });
  }
  function phraseBonus(n, phrases, masks) {
    var score = 0;
    for (var k = 0; k < phrases.length; k++) {
      var ph = phrases[k], all = 3;
      for (var j = 0; j < ph.length; j++) all &= masks[ph[j]] ? masks[ph[j]].a[n] : 0;
      if (all & 1) score += 60; else if (all & 2) score += 40;
    }
    return score;
  }

  // Score of doc n: field weights of every matched token, plus whole phrases in the title/metadata.
  function scoreOf(n, toks, masks, phrases) {
    var score = 0;
    for (var i = 0; i < toks.length; i++) { var m = masks[toks[i]].a[n]; if (m) score += MASK_SCORE[m & 255]; }
    return score + phraseBonus(n, bonusPhrases(phrases), masks);
  }

  // scoreOf for every document of nums (ascending, distinct), in one array by document: token by
  // token over its postings when they are fewer than the documents times the tokens (a common
  // query at 10,000 cases matches thousands of them), else document by document.
  function scoresOf(nums, toks, masks, phrases) {
    var out = new Float64Array(state.meta.docs), postings = 0, i, j, n;
    for (i = 0; i < toks.length; i++) postings += masks[toks[i]].list.length;
    if (postings < nums.length * toks.length) {
      var want = new Uint8Array(state.meta.docs);
      for (j = 0; j < nums.length; j++) want[nums[j]] = 1;
      for (i = 0; i < toks.length; i++) {
        var m = masks[toks[i]], list = m.list, a = m.a, last = -1;
        for (j = 0; j < list.length; j++) {
          n = list[j];
          if (n !== last && want[n] && a[n]) out[n] += MASK_SCORE[a[n] & 255];
          last = n;
        }
      }
    } else {
      for (j = 0; j < nums.length; j++) out[nums[j]] = scoreOf(nums[j], toks, masks, []);
    }
    var ph = bonusPhrases(phrases);
    if (ph.length) for (j = 0; j < nums.length; j++) out[nums[j]] += phraseBonus(nums[j], ph, masks);
    return out;
  }

  // Best first: by cover (partial: the share of the query; exact: lone characters held), then score,
  // then document number: sorted as numbers in one typed array when the keys fit in a double.
  var KEY_N = 2097152, KEY_SCORE = 1048576; // 2^21 documents, 2^20 of score
  function rank(hits) {
    // a case the reader set aside (aside: 1) comes after the others: then the comparison below
    var fits = hits.length > 64, i, h;
    for (i = 0; fits && i < hits.length; i++) {
      h = hits[i];
      fits = !h.aside && h.n >= 0 && h.n < KEY_N && Number.isInteger(h.n) && h.score >= 0 && h.score < KEY_SCORE && Number.isInteger(h.score) &&
        (h.cover || 0) >= 0 && (h.cover || 0) < 4096 && Number.isInteger(h.cover || 0);
    }
    if (!fits) {
      return hits.sort(function (a, b) {
        return (a.aside || 0) - (b.aside || 0) || (b.cover || 0) - (a.cover || 0) || b.score - a.score || a.n - b.n;
      });
    }
    var keys = new Float64Array(hits.length), at = new Map();
    for (i = 0; i < hits.length; i++) {
      h = hits[i];
      keys[i] = (4294967295 - ((h.cover || 0) * KEY_SCORE + h.score)) * KEY_N + h.n;
      at.set(h.n, h);
    }
    keys.sort();
    for (i = 0; i < hits.length; i++) hits[i] = at.get(keys[i] % KEY_N);
    return hits;
  }

  // Docs satisfying every clause (AND); a CJK character inside a run that nothing in the index can
  // satisfy is dropped unless it is the only evidence (a filler character between two words).
  function droppable(c, masks) {
    return c.outer.every(function (t) { return t === "" || (t !== null && masks[t] && masks[t].list.length > 0); });
  }

  function strict(p, masks) {
    var result = null;
    p.clauses.forEach(function (c) {
      var set = holders(c, masks);
      if (c.optional || (c.inner && p.clauses.length > 1 && set.indexOf(1) < 0 && droppable(c, masks))) return;
      if (result === null) result = set;
      else for (var n = 0; n < set.length; n++) result[n] &= set[n];
    });
    var out = [];
    if (result) for (var n = 0; n < result.length; n++) if (result[n]) out.push(n);
    return out;
  }


  // Cases covering at least PARTIAL_MIN of the query's weight; a term found in few cases weighs
  // more (log inverse document frequency).  A word found in no case tells nothing about which case
  // is meant: it weighs like a term found in half the cases, once per unknown stretch (its bigrams
  // in a row), so the rest of the query still finds its case (…在哪儿歇脚).  A bigram the index
  // does not know between two it knows is the seam of two words (看书|健身: 书健), and a bigram with
  // a particle weighs only as part of a name (万有引力), never with 的/了/吗 (GRAMMAR).  With an unknown word in the
  // query, a case must also match the rest by name (a title or tag, a synonym or colloquial word, a
  // Latin word or a number, or three characters of the query in a row), not by a bigram that
  // happens to span two words in its text (股票行情 against 执行情况).  A case gets a term's weight
  // by where it has it (SHARE: a title or tag word counts more than the same word in the body), and
  // the list is ranked by that share of the query (shown: half the query's weight anywhere, or near
  // the best case by that share).
  // How much of a term's weight a case gets by where it has it: the best field of an alternative it
  // holds (a word in the title or tags says more about the case than the same word in its body).
  function fieldShare(term, masks, n) {
    var best = 0;
    term.alts.forEach(function (alt) {
      var share = 1;
      alt.forEach(function (t) {
        var m = masks[t].a[n], b = 0;
        while (b < 3 && !(m & (1 << b))) b++;
        share = Math.min(share, m ? SHARE[b] : 0);
      });
      best = Math.max(best, share);
    });
    return best;
  }
  function partial(p, masks) {
    var N = state.meta.docs, total = 0, cover = new Float64Array(N), strong = new Uint8Array(N), n, prev = null;
    var unknown = Math.log(1 + N / (N / 2 + 1)), vague = false, known = {}, held = {}, placed = new Float64Array(N);
    function measure(term) {
      if (!term.alts.length) return null;
      var set = holders(term, masks), count = 0;
      // a bigram with a particle is a word only in a name (万有引力), not in running text (有党组织)
      if (term.soft) for (n = 0; n < N; n++) if (set[n] && !(masks[term.alts[0][0]].a[n] & (F_TITLE | F_META))) set[n] = 0;
      for (n = 0; n < N; n++) count += set[n];
      if (count && term.at) known[term.at[0] + " " + term.at[1]] = true;
      return { set: set, count: count };
    }
    var terms = p.terms, sets = terms.map(measure);
    terms.forEach(function (term, k) {
      if (!sets[k]) return;
      var set = sets[k].set, count = sets[k].count, w = Math.log(1 + N / (count + 1));
      if (term.seam) {
        w = 0;
      } else if (!count) {
        var at = term.at, seam = at && known[at[0] + " " + (at[1] - 1)] && known[at[0] + " " + (at[1] + 1)];
        var follows = prev && at && prev.at && prev.at[0] === at[0] && prev.at[1] + 1 === at[1];
        w = term.soft || seam || follows ? 0 : unknown;
        if (w) vague = true;
        if (!term.soft && !seam) prev = term;
      } else if (term.soft && GRAMMAR.indexOf(term.alts[0][0].slice(-1)) + GRAMMAR.indexOf(term.alts[0][0][0]) > -2) {
        w = 0; // 里的, 的党: a sentence particle is never part of a word
      } else prev = null;
      total += w;
      var named = !term.at; // a group, word, initials or number term
      // two bigrams in a row (three characters of the query) are a word of the case, not a seam
      var chain = term.at && !term.soft && held[term.at[0] + " " + (term.at[1] - 1)];
      if (term.at && !term.soft && count) held[term.at[0] + " " + term.at[1]] = set;
      for (n = 0; n < N; n++) {
        if (!set[n]) continue;
        cover[n] += w;
        placed[n] += w * fieldShare(term, masks, n);
        if (named || (chain && chain[n]) || term.alts.some(function (alt) { return alt.every(function (t) { return masks[t].a[n] & (F_TITLE | F_META); }); })) strong[n] = 1;
      }
    });
    var out = [], best = 0;
    if (!total) return out;
    for (n = 0; n < N; n++) if (!vague || strong[n]) best = Math.max(best, placed[n] / total);
    var floor = Math.max(PARTIAL_LOW, Math.min(PARTIAL_MIN, PARTIAL_NEAR * best));
    for (n = 0; n < N; n++) {
      if (!cover[n] || (vague && !strong[n])) continue;
      if (cover[n] / total >= PARTIAL_MIN || placed[n] / total >= floor - 1e-9)
        out.push({ n: n, cover: Math.round(100 * placed[n] / total), score: 0, aside: setAside(p, masks, n) });
    }
    var scores = scoresOf(out.map(function (h) { return h.n; }), p.scored, masks, p.phrases);
    out.forEach(function (h) { h.score = scores[h.n]; });
    return out;
  }


  /* ---------- pinyin tier ---------- */
  function loadPinyin() {
    if (!state.py) state.py = load("search/py.json").then(function (table) {
      var chars = new Map(), syl = new Set();
      Object.keys(table).forEach(function (s) {
        syl.add(s);
        for (var ch of table[s]) { if (!chars.has(ch)) chars.set(ch, []); chars.get(ch).push(s); }
      });
      return { chars: chars, syl: syl };
    });
    return state.py;
  }

  // Readings of a Latin query (jintoukui, "jin tou kui", jīn tóu kuī, jin1tou2kui1): every way to
  // cut it into the fewest syllables (chuangxinanli: chuang xin an li, chuang xi nan li), or null.
  function syllables(query, syl) {
    var text = query.normalize("NFKC").toLowerCase().normalize("NFD").replace(/u\u0308/g, "v").replace(/[\u0300-\u036f]/g, "");
    if (!/^[a-z1-5'\s]+$/.test(text)) return null;
    var out = [[]], lastSingle = false;
    out[0].breaks = [];
    text.replace(/[1-5]/g, " ").split(/[\s']+/).filter(Boolean).forEach(function (chunk) {
      var best = [[[]]]; // best[i]: the shortest cuts of chunk[0:i] (at most 4)
      for (var i = 1; i <= chunk.length; i++) {
        best[i] = [];
        for (var j = Math.max(0, i - 6); j < i; j++) {
          if (!best[j].length || !syl.has(chunk.slice(j, i))) continue;
          var len = best[j][0].length + 1;
          if (best[i].length && len > best[i][0].length) continue;
          if (best[i].length && len < best[i][0].length) best[i] = [];
          best[j].forEach(function (cut) { if (best[i].length < 4) best[i].push(cut.concat([chunk.slice(j, i)])); });
        }
      }
      var ways = best[chunk.length], next = [], single = ways.length > 0 && ways[0].length === 1;
      // breaks: where a space separates two words (fuxing dangwei), not two syllables (jin tou kui)
      out.forEach(function (o) {
        ways.forEach(function (w) {
          if (next.length >= 4) return;
          var nw = o.concat(w);
          nw.breaks = o.breaks.concat(o.length && !(single && lastSingle) ? [o.length] : []);
          next.push(nw);
        });
      });
      lastSingle = single;
      out = next;
    });
    return out.length && out[0].length > 1 ? out : null;
  }

  // Readings a southern or hurried typist confuses (平翘舌 zh/z ch/c sh/s, n/l, 前后鼻音
  // in/ing en/eng an/ang): the syllables of the table that s may stand for, s first.
  var FUZZY_INITIAL = [["zh", "z"], ["ch", "c"], ["sh", "s"], ["n", "l"]];
  var FUZZY_FINAL = [["ing", "in"], ["eng", "en"], ["iang", "ian"], ["uang", "uan"], ["ang", "an"]];
  function fuzzySyllables(s, syl) {
    var heads = [s];
    FUZZY_INITIAL.forEach(function (f) {
      if (s.indexOf(f[0]) === 0) heads.push(f[1] + s.slice(f[0].length));
      else if (s.indexOf(f[1]) === 0) heads.push(f[0] + s.slice(f[1].length));
    });
    var out = [];
    heads.forEach(function (h) {
      out.push(h);
      for (var i = 0; i < FUZZY_FINAL.length; i++) {
        var f = FUZZY_FINAL[i];
        if (h.slice(-f[0].length) === f[0]) { out.push(h.slice(0, -f[0].length) + f[1]); break; }
        if (h.slice(-f[1].length) === f[1]) { out.push(h.slice(0, -f[1].length) + f[0]); break; }
      }
    });
    return out.filter(function (x, i) { return out.indexOf(x) === i && syl.has(x); });
  }

  // Pinyin plans (alternatives): each a list of clauses, one per pair of adjacent syllables or CJK
  // characters (all their readings; with fuzzy, the readings they are confused with too); a Latin
  // query typed as words (fuxing dangwei) pairs syllables within each word only.  A query mixing
  // Latin words and characters gets none.  Given the strict plan p and its postings, only the pairs
  // that can be a typo are read in pinyin: a pair the index knows is kept as its bigram, and an
  // unknown pair between characters that known pairs or matched words already explain (the seam
  // of two words) is left out; so a query with nothing to correct fetches no pinyin file at all.
  function pinyinPlans(query, py, fuzzy, p, masks) {
    var ways = syllables(query, py.syl), pairs = [], mixed = false;
    function widen(list) {
      if (!fuzzy) return list;
      var out = [];
      list.forEach(function (x) { fuzzySyllables(x, py.syl).forEach(function (y) { if (out.indexOf(y) < 0) out.push(y); }); });
      return out;
    }
    function pairTokens(a, b) {
      var any = [];
      widen(a).forEach(function (x) { widen(b).forEach(function (y) { if (any.length < 24) any.push(x + "'" + y); }); });
      return any;
    }
    if (ways) {
      return ways.map(function (seq) {
        var clauses = [];
        for (var i = 0; i + 1 < seq.length; i++) if (!seq.breaks || seq.breaks.indexOf(i + 1) < 0) clauses.push(pairTokens([seq[i]], [seq[i + 1]]));
        return clauses;
      }).filter(function (clauses) { return clauses.length; });
    }
    if (p && masks) {
      pinyinPairs(p, masks).forEach(function (pair) {
        if (pair === null) mixed = true;
        else pairs.push(pair.known ? [pair.known] : pairTokens(py.chars.get(pair.a) || [], py.chars.get(pair.b) || []));
      });
      return mixed || !pairs.length ? [] : [pairs];
    }
    runs(fold(query)).forEach(function (run) {
      var noise = noiseIn(run);
      run.forEach(function (u, i) { if (!noise[i] && !HAN_RE.test(u)) mixed = true; });
      for (var i = 0; i + 1 < run.length; i++) {
        if (HAN_RE.test(run[i]) && HAN_RE.test(run[i + 1]) && !noise[i] && !noise[i + 1])
          pairs.push([py.chars.get(run[i]) || [], py.chars.get(run[i + 1]) || []]);
      }
    });
    if (mixed || !pairs.length) return [];
    return [pairs.map(function (pair) { return pairTokens(pair[0], pair[1]); })];
  }

  // The character pairs of a CJK query the pinyin tier checks, from the strict plan's runs:
  // {a, b, known: bigram or null}; null for a Latin word (no pinyin tier); [] when no pair needs
  // reading in pinyin (numbers, as digits, and filler words are skipped).
  function pinyinPairs(p, masks) {
    var out = [], needed = false;
    function known(run, i) {
      var t = i >= 0 && i + 1 < run.length ? run[i] + run[i + 1] : null;
      return t !== null && masks[t] && masks[t].list.length > 0 ? t : null;
    }
    p.runs.forEach(function (r) {
      var run = r.run;
      run.forEach(function (u, i) { if (!r.noise[i] && !HAN_RE.test(u) && !/^[0-9]+$/.test(u)) out.push(null); });
      for (var i = 0; i + 1 < run.length; i++) {
        if (r.noise[i] || r.noise[i + 1] || !HAN_RE.test(run[i]) || !HAN_RE.test(run[i + 1])) continue;
        var k = known(run, i);
        if (k) { out.push({ a: run[i], b: run[i + 1], known: k }); continue; }
        if (r.covered[i] && r.covered[i + 1]) continue; // inside a matched word (小破站)
        var left = r.covered[i] || known(run, i - 1), right = r.covered[i + 1] || known(run, i + 1);
        if (left && right) continue; // the seam of two words
        out.push({ a: run[i], b: run[i + 1], known: null });
        needed = true;
      }
    });
    return out.indexOf(null) >= 0 ? [null] : needed ? out : [];
  }

  // Homophones first; only when none matches, the readings people confuse (森通 for 申通).
  // over(): called (with capped, in the header box) when the typing session could not afford
  // every pinyin file the passes wanted.
  function pinyinHits(query, p, masks, over) {
    return pinyinPass(query, false, p, masks, over).then(function (hits) {
      return hits.length ? hits : pinyinPass(query, true, p, masks, over);
    });
  }

  function isPinyinToken(t) { return t.indexOf("'") > 0; }

  // At most PINYIN_FILES pinyin shards per pass, whatever the query's length or readings: each
  // clause (a pair) keeps its first PAIR_READINGS readings (the plain ones come first, then the
  // confusable ones), and the clauses are taken in the query's order while their new files fit
  // (a pair with many readings is skipped, the next may fit), so a longer query only adds to what
  // its prefix fetched.  A clause left out need not match (the others still do); a known bigram
  // costs nothing (its index shard is loaded).  Returns the plans, capped.
  var PINYIN_FILES = 10, PAIR_READINGS = 6;
  // files: how many files not fetched yet the pass may add (fewer when the session's budget is
  // short); over() is called when a clause is left out for that.
  function capPlans(plans, files, over) {
    var taken = new Set(), fresh = 0;
    return plans.map(function (clauses) {
      return clauses.map(function (c) {
        var n = 0, toks = c.filter(function (t) { return !isPinyinToken(t) || n++ < PAIR_READINGS; });
        var add = new Set(toks.filter(isPinyinToken).map(pinyinPath).filter(function (path) { return !taken.has(path); }));
        var extra = Array.from(add).filter(function (path) { return !fetched(path); }).length;
        if (taken.size + add.size > PINYIN_FILES) return null;
        if (fresh + extra > files) { if (over) over(); return null; }
        add.forEach(function (path) { taken.add(path); });
        fresh += extra;
        return toks;
      }).filter(function (c) { return c && c.length; });
    }).filter(function (clauses) { return clauses.length; });
  }
  // More unknown pairs than two mistyped characters make: a sentence in the reader's own words,
  // not a typo, so the pinyin tier does not run.
  var TYPO_PAIRS = 4;

  function pinyinPass(query, fuzzy, p, base, over) {
    // a CJK query with no pair to read in pinyin costs nothing: no table, no shard
    var pairs = p && base && !syllablesPossible(query) ? pinyinPairs(p, base) : null;
    if (pairs && (!pairs.length || pairs[0] === null)) return Promise.resolve([]);
    if (pairs && pairs.filter(function (x) { return !x.known; }).length > TYPO_PAIRS) return Promise.resolve([]);
    var level = over ? over.level || true : false;
    if (!state.py && expected("py.json") + expected("p") > room(level, true)) { over(); return Promise.resolve([]); }
    return loadPinyin().then(function (py) {
      var plans = pinyinPlans(query, py, fuzzy, p, base).filter(function (clauses) { return clauses.every(function (c) { return c.length; }); });
      var latin = syllables(query, py.syl) !== null;
      if (fuzzy && plans.every(function (clauses) { return clauses.length < 2; })) return [];
      plans = capPlans(plans, Math.max(0, Math.floor(room(level, true) / expected("p"))), over);
      var toks = [].concat.apply([], [].concat.apply([], plans)).filter(isPinyinToken);
      return loadAll(toks.map(pinyinPath)).then(function () {
        var masks = Object.assign({}, base || {}), best = new Map();
        toks.forEach(function (t) { masks[t] = docMasks(pinyinPath(t), t); });
        plans.forEach(function (clauses) {
          var hits = strict({ clauses: clauses.map(function (c) { return { any: c }; }) }, masks);
          // a word of four syllables or more with one of them mistyped (wuyouyinli): every pair but one
          if (!hits.length && clauses.length >= 3 && latin) clauses.forEach(function (_, k) {
            var rest = clauses.filter(function (c, j) { return j !== k; });
            strict({ clauses: rest.map(function (c) { return { any: c }; }) }, masks).forEach(function (n) { if (hits.indexOf(n) < 0) hits.push(n); });
          });
          // One pair of syllables is a loose key (价格 reads like 加个): then only titles and tags count.
          if (clauses.length < 2) hits = hits.filter(function (n) {
            return clauses[0].some(function (t) { return masks[t].a[n] & (F_TITLE | F_META); });
          });
          var flat = [].concat.apply([], clauses);
          hits.forEach(function (n) { best.set(n, Math.max(best.get(n) || 0, scoreOf(n, flat, masks, []))); });
        });
        var out = [];
        best.forEach(function (score, n) { out.push({ n: n, score: score }); });
        return rank(out);
      });
    });
  }

  // Pinyin initials with one slip of the finger (csyz for cxyz 畅享驿站, jtkk for jtk): a lone Latin
  // word of four to six letters that nothing else found is read as the initials of a name with
  // one letter swapped with its neighbour, left out, or replaced by a key beside it on the
  // keyboard; only titles and tags count (the initials tokens are theirs).  At most TYPO_FILES
  // index shards, within what the typing session can spare (over() when it cannot).
  var KEYS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"], TYPO_FILES = 24;
  function besideKeys(ch) {
    var out = "";
    KEYS.forEach(function (row, r) {
      var i = row.indexOf(ch);
      if (i < 0) return;
      out += (row[i - 1] || "") + (row[i + 1] || "");
      [KEYS[r - 1], KEYS[r + 1]].forEach(function (near) { if (near) out += (near[i - 1] || "") + (near[i] || "") + (near[i + 1] || ""); });
    });
    return out;
  }
  function initialsTypos(p, over) {
    var run = p.runs.length === 1 ? p.runs[0].run : [], w = run.length === 1 ? run[0] : "";
    if (!/^[a-z]{4,6}$/.test(w)) return Promise.resolve([]);
    var variants = [], i;
    for (i = 0; i + 1 < w.length; i++) variants.push(w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2));
    for (i = 0; i < w.length; i++) variants.push(w.slice(0, i) + w.slice(i + 1));
    for (i = 0; i < w.length; i++) {
      for (var ch of besideKeys(w[i])) variants.push(w.slice(0, i) + ch + w.slice(i + 1));
    }
    var level = over ? over.level || true : false;
    var toks = [], paths = new Set(), files = Math.min(TYPO_FILES, Math.floor(room(level, true) / expected("i")));
    variants.forEach(function (v) {
      var t = "^" + v, path = shardPath(t);
      if (v === w || toks.indexOf(t) >= 0) return;
      if (!fetched(path) && !paths.has(path)) {
        if (paths.size >= files) { if (over && files < TYPO_FILES) over(); return; }
        paths.add(path);
      }
      toks.push(t);
    });
    return loadAll(toks.map(shardPath)).then(function () {
      var masks = {}, best = new Map();
      toks.forEach(function (t) {
        masks[t] = docMasks(shardPath(t), t);
        masks[t].list.forEach(function (n) { best.set(n, Math.max(best.get(n) || 0, scoreOf(n, [t], masks, []))); });
      });
      var out = [];
      best.forEach(function (score, n) { out.push({ n: n, score: score }); });
      return rank(out);
    });
  }

  // A query that may be pinyin (Latin letters, tone marks or numbers, spaces): read with py.json.
  function syllablesPossible(query) {
    var text = query.normalize("NFKC").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    return /^[a-z1-5'\s]+$/.test(text) && /[a-z].*[a-z].*[a-z]/.test(text); // two syllables: 3 letters at least
  }


  // Returns Promise<hits> (best first, with .tier, .label and .plan); null for an empty query.
  // capped (the header box, as it is typed): a long query first fetches at most EXACT_SHARDS index
  // shards (firstTokens); its hits then carry .refine(), the full search, for once the first
  // results are shown.
  // current (the header box): a function that says whether the query is still the one in the box;
  // once it is not (the reader typed on), the search stops after what it is fetching arrives and
  // resolves to null: no ranking, no further tier, no files for a list nobody will see.
  function run(query, capped, current) {
    return loadFold(query).then(function () { return runFolded(query, capped, current); });
  }

  // The index shards a query may fetch before its first results.
  var EXACT_SHARDS = 20;
  // How long the header box must be left alone (no key, no composing) before it fetches what only
  // a reader who stopped typing sees: snippets (within the session's budget), then the whole
  // search of a query whose first search was capped (the refinement, within HARD_BYTES, so it
  // waits longer: a pause, not a slow key).  A phone typist's keys come ~330 ms apart on average.
  var SETTLE_MS = 600, REFINE_MS = 1000;

  // A bounded set of tokens for a plan whose new shards (not fetched yet) are more than
  // EXACT_SHARDS or than the typing session can afford (room), or null when all of them fit.
  // Tokens whose shard is already fetched cost nothing and are always taken (every keystroke
  // reuses what its prefix fetched).  Then what the query's words need (synonym groups and
  // colloquial words with their own bigrams, number buckets), then a cover: each required
  // character's clause gets one token, one already fetched if it has one, else reusing its
  // neighbour's bigram when it can (so every other bigram along a run; a Latin word or number its
  // own token), then optional clauses, then the rest, while new shards fit.  A clause left without
  // a token fails, so the first hits are a subset of the full search's (never a case shown as
  // exact that the full search would not show).
  function freshShards(tokens) {
    return new Set(tokens.map(shardPath).filter(function (path) { return !fetched(path); })).size;
  }
  function firstTokens(p, budget) {
    var fresh = freshShards(p.tokens), cost = expected("i");
    if (fresh <= EXACT_SHARDS && fresh * cost <= budget) return null;
    var chosen = new Set(), used = new Set();
    function take(t) {
      var path = shardPath(t);
      if (!fetched(path) && !used.has(path)) {
        if (used.size >= EXACT_SHARDS || (used.size + 1) * cost > budget) return false;
        used.add(path);
      }
      chosen.add(t);
      return true;
    }
    p.tokens.forEach(function (t) { if (fetched(shardPath(t))) chosen.add(t); });
    p.tokens.forEach(function (t) { if (/^#[0-9]/.test(t)) take(t); });
    [false, true].forEach(function (optional) {
      p.clauses.forEach(function (c) {
        if (!!c.optional !== optional) return;
        if (!c.any) { c.alts.forEach(function (alt) { alt.forEach(function (t) { if (!/^#r/.test(t)) take(t); }); }); return; }
        if (c.any.some(function (t) { return chosen.has(t); })) return;
        if (isWord(c.any[0]) && take(c.any[0])) return;
        for (var i = c.any.length - 1; i >= 0; i--) if (take(c.any[i])) return; // the right-hand bigram covers the next character too
      });
    });
    p.tokens.forEach(take);
    return Array.from(chosen);
  }

  // Exact hits, ranked first by how many lone characters they hold as part of the word beside them
  // (静安寺 楼宇: the case at 静安寺 before the cases of the 静安 district), then by score.
  function exactHits(p, masks) {
    var ext = p.clauses.filter(function (c) { return c.extends && c.extends.length; });
    var own = p.clauses.filter(function (c) { return c.own; });
    var nums = strict(p, masks), scores = scoresOf(nums, p.scored, masks, p.phrases);
    return nums.map(function (n) {
      var held = 0;
      for (var k = 0; k < ext.length; k++) if (ext[k].extends.some(function (t) { return masks[t] && masks[t].a[n]; })) held++;
      for (k = 0; k < own.length; k++) if (own[k].own.every(function (t) { return masks[t] && masks[t].a[n]; })) held++;
      return { n: n, cover: held, score: scores[n], aside: setAside(p, masks, n) };
    });
  }

  // capped (the header box): the search stays within the typing session's byte budget; its hits
  // carry .refine(), the whole search, when it left something out.
  function runFolded(query, capped, current) {
    if (current && !current()) return Promise.resolve(null);
    var p = plan(query);
    if (!p.clauses.length) return Promise.resolve(null);
    var budget = room(capped), first = capped ? firstTokens(p, budget) : null;
    if (!first) return runFull(query, p, capped, current);
    return loadAll(first.map(shardPath)).then(function () {
      if (current && !current()) return null;
      var masks = {}, none = { a: new Uint8Array(state.meta.docs), list: [] }, have = new Set(first);
      p.tokens.forEach(function (t) { masks[t] = have.has(t) ? docMasks(shardPath(t), t) : none; });
      Object.keys(p.ranges).forEach(function (k) { masks[k] = rangeMasks(p.ranges[k]); });
      var hits = exactHits(p, masks);
      var out = hits.length ? tiered(rank(hits), "exact", p) : null;
      if (!out) {
        // Past the session's budget, a term whose shards were not fetched is not known to be
        // missing: the partial list weighs only the terms checked (the newest characters wait).
        var afford = freshShards(p.tokens) * expected("i") <= room(capped), checked = p;
        if (!afford) checked = Object.assign({}, p, { terms: p.terms.filter(function (term) {
          return term.alts.some(function (alt) { return alt.every(function (t) { return have.has(t) || /^#r/.test(t); }); });
        }) });
        var part = rank(partial(checked, masks));
        // nothing to show yet: the whole search, if the session can afford it
        if (!part.length && afford) return runFull(query, p, capped, current);
        out = tiered(part, part.length ? "partial" : "none", p);
      }
      if (capped !== REFINING) out.refine = refinement(query);
      return out;
    });
  }

  // The refinement of a capped search, run once the reader has stopped typing: the whole search
  // as long as the typing session's bytes stay within HARD_BYTES (so a reader who pauses mid-way
  // through a long question, or whose keys come slowly, never makes the session fetch more than
  // that however long the pauses); else the same bounded search as a keystroke's with that larger
  // room.  The results page (/search/) searches without a budget.
  function refinement(query) {
    return function () { return runFolded(query, REFINING); };
  }

  function runFull(query, p, capped, current) {
    return loadAll(p.tokens.map(shardPath)).then(function () {
      if (current && !current()) return null;
      var masks = {};
      p.tokens.forEach(function (t) { masks[t] = docMasks(shardPath(t), t); });
      Object.keys(p.ranges).forEach(function (k) { masks[k] = rangeMasks(p.ranges[k]); });
      var hits = exactHits(p, masks);
      if (hits.length) return tiered(rank(hits), "exact", p);
      var part = rank(partial(p, masks)), cut = false;
      if (current && !current()) return null;
      var over = capped ? function () { cut = true; } : null;
      if (over) over.level = capped;
      return pinyinHits(query, p, masks, over).then(function (py) {
        return py.length || part.length ? py : initialsTypos(p, over);
      }).then(function (py) {
        var out;
        if (!py.length) out = tiered(part, part.length ? "partial" : "none", p);
        else {
          var seen = new Set(py.map(function (h) { return h.n; }));
          out = tiered(py.concat(part.filter(function (h) { return !seen.has(h.n); })), "pinyin", p);
        }
        // the pinyin files the session could not afford: read once the reader stops typing
        if (cut && capped !== REFINING) out.refine = refinement(query);
        return out;
      });
    });
  }

  function tiered(hits, tier, p) {
    hits.tier = tier;
    hits.label = tier === "exact" ? "" : LABELS[tier];
    hits.plan = p;
    return hits;
  }

  /* ---------- highlighting (no innerHTML) ---------- */
  // Returns [{text, mark}] segments of `text` (display form) with query bigrams marked.
  function segments(text, p) {
    text = text.replace(state.invisRe, "");
    var chars = Array.from(text), keys = chars.map(normalizeChar);
    var marks = new Array(chars.length).fill(false);
    var want = {};
    if (p) want = p.marks;
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

  function caseHref(n) { return pageUrl(state.meta.caseUrl.replace("{id}", encodeURIComponent(docOf(n).id))); }

  // Values of facet f (a row of meta.facets) on doc d, as labels.
  function facetLabels(d, f) { return (d.facets[f.key] || []).map(function (i) { return f.values[i][0]; }); }

  // "浦东新区 · 2021年": the first facet of the table (with a former name), then the year.
  function metaText(d, withTags) {
    var facets = state.meta.facets, first = facetLabels(d, facets[0]).join("、");
    var parts = [d.former ? first + "（原" + d.former + "）" : first, d.year + "年"];
    if (withTags) {
      var more = [];
      facets.slice(1).forEach(function (f) { if (f.key !== "year") more = more.concat(facetLabels(d, f)); });
      if (more.length) parts.push(more.join("、"));
    }
    return parts.join(" · ");
  }

  // Render one result (title, district · year, snippet); the snippet fills in when loaded.
  function resultBody(container, n, p, withTags, capped) {
    var d = docOf(n);
    var title = el("span", "cs-result__title");
    appendSegments(title, segments(d.title, p));
    container.appendChild(title);
    container.appendChild(el("span", "cs-result__meta", metaText(d, withTags)));
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
      if (p && !segs2.some(function (x) { return x.mark; }) && expected("d") <= room(capped, true)) {
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

  // Fill snippets once the results have been stable for a moment (saves bandwidth while typing):
  // after 200 ms, or when `later` (the header box's) says the reader has stopped typing; in the
  // header box only the summary files the typing session can afford (the others stay empty).
  function fillLater(fills, nums, stillCurrent, later) {
    var pending = fills.filter(function (f) { return f; });
    if (!pending.length) return;
    (later || function (f) { setTimeout(f, 200); })(function () {
      if (!stillCurrent()) return;
      var budget = room(!!later, true), paths = nums.map(sumPath).filter(function (path) {
        if (fetched(path)) return true;
        budget -= expected("s");
        return budget >= 0;
      });
      loadAll(paths).then(function () { if (stillCurrent()) pending.forEach(function (f) { f(); }); });
    });
  }

  /* ---------- header combobox ---------- */
  function setupHeader(form) {
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector("[role=listbox]");
    var live = form.querySelector("[aria-live]");
    var panel = form.querySelector(".cs-header__panel");
    var base = form.getAttribute("data-root");
    var note = el("p", "cs-header__tier");
    note.id = form.id + "-tier";
    note.hidden = true;
    panel.insertBefore(note, list);
    var active = -1, seq = 0, timer = null, options = [];
    // Typing policy (issue 22, the byte budget counts every prefix a reader types): letters being
    // composed in a pinyin keyboard are not searched (the committed text is, at compositionend),
    // and what only a reader who stopped typing needs (snippets, the refinement of a capped search)
    // waits until the box has been quiet for SETTLE_MS (REFINE_MS).
    var composing = false, lastInput = 0;
    function touched() { lastInput = Date.now(); }
    // Runs fn once the reader has not typed or composed for ms, unless search `my` is stale.
    function settled(my, fn, ms) {
      (function check() {
        if (my !== seq) return;
        var wait = composing ? ms : lastInput + ms - Date.now();
        if (wait > 0) setTimeout(check, wait); else fn();
      })();
    }

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

    // q: the text in the box when its last key or committed word came in (a pinyin keyboard may
    // have begun composing the next word's letters by the time the search starts).
    function update(q) {
      var my = ++seq;
      if (!q.trim()) { list.textContent = ""; options = []; live.textContent = ""; open(false); return; }
      init(base).then(function () { return run(q, true, function () { return my === seq; }); }).then(function (h) { show(q, my, h); }).catch(function () { live.textContent = "搜索暂时不可用"; });
    }

    // Shows hits (after their metadata); a capped first search is refined once it has been shown
    // and the query has not changed for a moment.
    function show(q, my, h) {
      var hits = h || [];
      if (my !== seq) return Promise.resolve(); // typed on: no metadata for results nobody will see
      return loadDocs(hits.slice(0, 8).map(function (x) { return x.n; })).then(function () {
        if (my !== seq) return;
        list.textContent = "";
        options = [];
        var top = hits.slice(0, 8), fills = [];
        note.textContent = hits.label || "";
        note.hidden = !hits.label || !hits.length;
        if (hits.label && hits.length) list.setAttribute("aria-describedby", note.id); else list.removeAttribute("aria-describedby");
        top.forEach(function (h, i) {
          // ARIA APG combobox: the link itself is the option (no interactive element inside an option)
          var li = el("li", "cs-result");
          li.setAttribute("role", "none");
          var a = el("a");
          a.id = form.id + "-opt-" + i;
          a.setAttribute("role", "option");
          a.setAttribute("aria-selected", "false");
          a.href = caseHref(h.n);
          a.tabIndex = -1;
          fills.push(resultBody(a, h.n, hits.plan, false, true));
          li.appendChild(a);
          list.appendChild(li);
          options.push(a);
        });
        var more = el("li", "cs-result cs-result--more");
        more.setAttribute("role", "none");
        var a = el("a", null, hits.length ? "查看全部 " + hits.length + " 个结果并筛选" : "没有找到相关案例，去筛选页看看");
        a.id = form.id + "-opt-more";
        a.setAttribute("role", "option");
        a.setAttribute("aria-selected", "false");
        a.href = fullHref();
        a.tabIndex = -1;
        more.appendChild(a);
        list.appendChild(more);
        options.push(a);
        live.textContent = hits.length ? (hits.label ? hits.label + "，共 " : "找到 ") + hits.length + " 个案例" : LABELS.none;
        open(true);
        active = -1;
        form.dispatchEvent(new CustomEvent("cs:results", { detail: { q: q, count: hits.length, tier: hits.tier || "exact" } }));
        fillLater(fills, top.map(function (h) { return h.n; }), function () { return my === seq; }, function (f) { settled(my, f, SETTLE_MS); });
        if (hits.refine) settled(my, function () {
          hits.refine().then(function (r) {
            // the same list (the usual case): nothing to redraw or announce again
            var same = r && r.tier === hits.tier && r.length === hits.length && r.slice(0, 8).every(function (x, i) { return x.n === hits[i].n; });
            return Promise.resolve(same ? null : show(q, my, r)).then(function () {
              if (my === seq) form.dispatchEvent(new CustomEvent("cs:refined", { detail: { q: q, changed: !same } }));
            });
          }).catch(function () { live.textContent = "搜索暂时不可用"; });
        }, REFINE_MS);
      });
    }

    input.addEventListener("input", function (e) {
      touched();
      if (!input.value.trim()) state.session = state.spent; // emptied: a new typing session
      composing = !!e.isComposing;
      if (composing) return; // pinyin letters on their way to characters
      clearTimeout(timer);
      var q = input.value;
      timer = setTimeout(function () { update(q); }, 0); // a newer key makes the search of this one stop (run's current)
    });
    input.addEventListener("compositionstart", function () { composing = true; touched(); });
    input.addEventListener("compositionend", function () {
      composing = false; touched(); clearTimeout(timer);
      var q = input.value;
      timer = setTimeout(function () { update(q); }, 0);
    });
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
        if (active >= 0) location.href = options[active].href;
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
  // Engine side of the page: every case's facet values and year (search/f.json) for filtering and
  // counts; the facet table comes from meta.json.  Layout and controls are the page's own code.
  function loadFacetRows() { return load("search/f.json"); }
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

    function params() { return new URLSearchParams(location.search); }
    // The facets of meta.json this form offers as checkboxes.
    function facets() {
      return state.meta ? state.meta.facets.filter(function (f) { return form.querySelector("input[name=" + f.key + "]"); }) : [];
    }

    function readForm() {
      var fd = new FormData(form), p = new URLSearchParams();
      var q = (fd.get("q") || "").toString().trim();
      if (q) p.set("q", q);
      facets().forEach(function (f) { fd.getAll(f.key).forEach(function (v) { p.append(f.key, v.toString()); }); });
      ["from", "to"].forEach(function (k) { var v = (fd.get(k) || "").toString().trim(); if (/^\d{4}$/.test(v)) p.set(k, v); });
      return p;
    }

    function writeForm(p) {
      form.elements.q.value = p.get("q") || "";
      facets().forEach(function (f) {
        var vals = p.getAll(f.key);
        form.querySelectorAll("input[name=" + f.key + "]").forEach(function (cb) { cb.checked = vals.indexOf(cb.value) >= 0; });
      });
      form.elements.from.value = p.get("from") || "";
      form.elements.to.value = p.get("to") || "";
    }

    // How many filter conditions are on (each checked value, each year bound): shown on the toggle.
    function activeCount(p) {
      var n = 0;
      form.querySelectorAll("input[type=checkbox]").forEach(function (cb) { n += p.getAll(cb.name).indexOf(cb.value) >= 0 ? 1 : 0; });
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

    // Renders the results for `p`; after "显示更多", focusFrom is the index of the first new result;
    // restore: the state comes from the address (first load, Back), so the form shows it too.
    function render(p, focusFrom, restore) {
      var my = ++seq, q = p.get("q") || "", hits, page;
      showActive(p);
      return init(base).then(function () {
        if (restore) writeForm(p);
        return Promise.all([run(q), loadFacetRows()]);
      }).then(function (r) {
        hits = r[0];
        var rows = r[1], fs = facets();
        lastPlan = hits ? hits.plan : null;
        var pool = hits ? hits.map(function (h) { return h.n; }) : rows.year.map(function (_, n) { return n; });
        var from = parseInt(p.get("from") || "0", 10), to = parseInt(p.get("to") || "9999", 10);
        var sel = {};
        fs.forEach(function (f) {
          var slugs = p.getAll(f.key);
          sel[f.key] = f.values.map(function (v) { return slugs.indexOf(v[1]) >= 0; });
        });
        function matches(n, f) {
          return sel[f.key].indexOf(true) < 0 || rows.facets[f.key][n].some(function (i) { return sel[f.key][i]; });
        }
        function passes(n, skip) {
          if (rows.year[n] < from || rows.year[n] > to) return false;
          return fs.every(function (f) { return f.key === skip || matches(n, f); });
        }
        // counts per value: everything else applied, this facet not
        fs.forEach(function (f) {
          var counts = {};
          pool.forEach(function (n) {
            if (passes(n, f.key)) rows.facets[f.key][n].forEach(function (i) { counts[i] = (counts[i] || 0) + 1; });
          });
          form.querySelectorAll("input[name=" + f.key + "]").forEach(function (cb) {
            var c = counts[parseInt(cb.getAttribute("data-index"), 10)] || 0;
            cb.parentNode.querySelector(".cs-count").textContent = String(c);
            cb.parentNode.classList.toggle("cs-zero", c === 0 && !cb.checked);
          });
        });
        lastHits = pool.filter(function (n) { return passes(n, null); });
        page = lastHits.slice(0, shown);
        // Summaries first, then one paint: results do not grow (and push each other) after they show.
        return Promise.all([loadDocs(page), loadSummaries(page).catch(function () { return null; })]);
      }).then(function () {
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
        var label = hits && hits.label && lastHits.length ? hits.label + "。" : "";
        status.textContent = lastHits.length
          ? label + "共 " + lastHits.length + " 个案例" + (lastHits.length > page.length ? "，显示前 " + page.length + " 个" : "")
          : "没有找到符合条件的案例，可以减少筛选条件或换个说法";
        more.hidden = lastHits.length <= shown;
        // "显示更多": keyboard and screen-reader users continue at the first new result.
        if (focusFrom !== undefined && out.children[focusFrom]) out.children[focusFrom].querySelector("a").focus();
        root.dataset.renderedQ = q;
        root.dispatchEvent(new CustomEvent("cs:page-rendered", {
          detail: { q: q, count: lastHits.length, shown: page.length, tier: hits ? hits.tier : "all", hits: lastHits.slice() }
        }));
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
    window.addEventListener("popstate", function () { shown = PAGE_SIZE; render(params(), undefined, true); });
    render(params(), undefined, true);
  }

  // Public: init(base) and run(query). The rest is exported to Node only, for the parity tests.
  // idsOf(hits): the case ids of result numbers (results.js exports the filtered list with them).
  function idsOf(ns) { return loadDocs(ns).then(function () { return ns.map(function (n) { return docOf(n).id; }); }); }
  if (typeof window !== "undefined") window.caseSearch = { init: init, run: run, idsOf: idsOf };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = {
      loadFold: loadFold, fold: fold, numerals: numerals, normalize: normalize, runs: runs,
      isWord: isWord, docTokens: docTokens, fnv1a: fnv1a, plan: plan, strict: strict, partial: partial,
      syllables: syllables, pinyinPlans: pinyinPlans, fuzzySyllables: fuzzySyllables, state: state, init: init, run: run, segments: segments,
      rank: rank, scoresOf: scoresOf, scoreOf: scoreOf
    };
  }
  if (typeof document !== "undefined") {
    var start = function () {
      document.querySelectorAll("form.cs-header").forEach(setupHeader);
      document.querySelectorAll(".cs-page").forEach(setupPage);
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  }
})();
