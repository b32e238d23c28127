// The analyst page: posts to the public API and draws the answer. Article text is untrusted:
// it reaches the page only through textContent and text nodes, never as HTML.
"use strict";

(function () {
  const app = document.getElementById("app");
  const $ = (id) => document.getElementById(id);
  const KEY_STORE = "escalation.apiKey";
  const BUCKETS = 5; // tint steps each way
  // Languages written right to left (ISO 639-1): their text is laid out so whatever it opens with.
  const RTL_LANGUAGES = new Set(["ar", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur", "yi"]);
  const cfg = {
    scorePath: app.dataset.scorePath,
    batchPath: app.dataset.batchPath,
    batchMax: Number(app.dataset.batchMax),
    maxTextChars: Number(app.dataset.maxTextChars),
    maxRequestChars: Number(app.dataset.maxRequestChars),
    needsKey: app.dataset.needsKey === "true",
  };

  function el(tag, props, ...children) {
    // A DOM element with properties (className, textContent, ...) and children: no HTML parsing.
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function setStatus(message, isError) {
    const status = $("status");
    status.textContent = message;
    status.classList.toggle("error", Boolean(isError));
  }

  // --- offsets: the API counts code points, JavaScript strings count UTF-16 units ---------
  function codePointIndex(text) {
    // u16[i] is the UTF-16 index of code point i; u16[count] is text.length.
    const u16 = [];
    for (let i = 0; i < text.length; i++) {
      u16.push(i);
      const unit = text.charCodeAt(i);
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
      }
    }
    u16.push(text.length);
    return u16;
  }

  // --- languages and direction -------------------------------------------------------------
  const languageNames = (() => {
    try {
      return new Intl.DisplayNames(["en"], { type: "language" });
    } catch (_) {
      return null;
    }
  })();

  function languageName(code) {
    // "Arabic (ar)"; the bare code when the browser has no name for it.
    let name = null;
    try {
      name = languageNames ? languageNames.of(code) : null;
    } catch (_) { /* not a language code */ }
    return name && name !== code ? name + " (" + code + ")" : String(code);
  }

  function textDirection(view, text, language) {
    // The direction of the whole text: right to left for a right-to-left language, else what
    // dir="auto" makes of the text alone (its first strong character). The view cannot keep
    // dir="auto" itself: that rule skips text inside children with a dir of their own, and
    // every sentence has dir="auto", so it would see no text and fall back to left to right.
    if (RTL_LANGUAGES.has(language)) return "rtl";
    view.dir = "auto";
    view.replaceChildren(document.createTextNode(text));
    return view.matches(":dir(rtl)") ? "rtl" : "ltr";
  }

  // --- the API ------------------------------------------------------------------------------
  async function post(path, body) {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    const key = sessionStorage.getItem(KEY_STORE);
    if (key) headers.Authorization = "Bearer " + key;
    const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
    const payload = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = payload.detail || response.statusText || "request failed";
      throw new Error(response.status + " " + (payload.title || "") + ": " + detail);
    }
    return payload;
  }

  // --- segments: the text cut at every phrase and sentence boundary -------------------------
  function phraseList(result) {
    const up = result.phrases.map((p, i) => ({ ...p, key: "u" + i, kind: "esc" }));
    const down = result.deescalating_phrases.map((p, i) => ({ ...p, key: "d" + i, kind: "des" }));
    return up.concat(down);
  }

  function segment(count, phrases, sentences) {
    // Boundaries (code points) at 0, the end, every span end and every sentence end; each piece
    // between two neighbours lists the phrases covering it and the sentence holding it.
    const cuts = new Set([0, count]);
    for (const p of phrases) for (const [s, e] of p.spans) cuts.add(s).add(e);
    for (const s of sentences) cuts.add(s.start).add(s.end);
    const bounds = [...cuts].filter((c) => c >= 0 && c <= count).sort((a, b) => a - b);
    const at = new Map(bounds.map((b, i) => [b, i]));
    const pieces = bounds.slice(0, -1).map((b, i) => ({
      start: b, end: bounds[i + 1], cover: [], sentence: -1,
    }));
    for (const p of phrases) {
      for (const [s, e] of p.spans) {
        for (let i = at.get(s); i < at.get(e); i++) pieces[i].cover.push(p);
      }
    }
    sentences.forEach((s, k) => {
      for (let i = at.get(s.start); i < at.get(s.end); i++) pieces[i].sentence = k;
    });
    return pieces;
  }

  function bucket(value, largest) {
    return Math.max(1, Math.ceil((Math.abs(value) / largest) * BUCKETS));
  }

  function signed(weight) {
    return (weight > 0 ? "+" : "") + weight.toFixed(3);
  }

  // --- drawing one result -------------------------------------------------------------------
  let current = null; // {text, u16, phrases, firstOf: Map(key -> [elements]), visits: Map}

  function renderResult(text, result) {
    const u16 = codePointIndex(text);
    const count = u16.length - 1;
    const phrases = phraseList(result);
    const pieces = segment(count, phrases, result.sentences);
    for (const piece of pieces) piece.weight = piece.cover.reduce((sum, p) => sum + p.weight, 0);
    const largest = Math.max(1e-9, ...pieces.map((p) => Math.abs(p.weight)));
    current = { text, u16, phrases, firstOf: new Map(), visits: new Map() };

    const view = $("article-view");
    view.dir = textDirection(view, text, result.language);
    view.lang = result.language;
    view.replaceChildren();
    const holders = result.sentences.map((s, k) =>
      el("span", { className: "sentence", id: "sentence-" + k, dir: "auto" }));
    result.sentences.forEach((s, k) => {
      holders[k].dataset.start = s.start;
      holders[k].dataset.end = s.end;
      holders[k].dataset.score = s.score;
    });
    let placed = -1;
    for (const piece of pieces) {
      const words = text.slice(u16[piece.start], u16[piece.end]);
      const node = piece.cover.length ? highlight(piece, words, largest) : document.createTextNode(words);
      if (piece.sentence >= 0) {
        if (piece.sentence !== placed) view.append(holders[piece.sentence]);
        placed = piece.sentence;
        holders[piece.sentence].append(node);
      } else {
        view.append(node);
      }
    }
    drawSummary(result);
    drawStrip(result.sentences);
    $("strip").dir = view.dir; // the first sentence's bar where the text starts
    drawPhraseTable($("phrases-up"), phrases.filter((p) => p.kind === "esc"));
    drawPhraseTable($("phrases-down"), phrases.filter((p) => p.kind === "des"));
    $("details").replaceChildren(el("p", { className: "hint", textContent:
      "Select a highlighted segment (Enter) to see the phrases covering it." }));
    const scored = result.score !== null;
    $("result").classList.toggle("unscored", !scored);
    document.querySelectorAll("#result .scored-only").forEach((n) => { n.hidden = !scored; });
    $("result").hidden = false;
  }

  function highlight(piece, words, largest) {
    const kinds = new Set(piece.cover.map((p) => p.kind));
    const tint = (piece.weight >= 0 ? "esc-" : "des-") + bucket(piece.weight, largest);
    const node = el("span", { className: ["hl", tint, ...kinds].join(" "), tabIndex: 0,
      textContent: words });
    // Isolated (FSI/LRI ... PDI) so a phrase and its sign keep their order in either direction.
    const tip = piece.cover.map((p) => "\u201c\u2068" + p.text + "\u2069\u201d \u2066" +
      signed(p.weight) + "\u2069").join("; ");
    node.dataset.start = piece.start;
    node.dataset.end = piece.end;
    node.dataset.weight = piece.weight.toFixed(6);
    node.dataset.phrases = piece.cover.map((p) => p.key).join(" ");
    node.dataset.tip = tip;
    node.setAttribute("role", "button");
    node.setAttribute("aria-label", words + " (" + tip + ")");
    for (const p of piece.cover) {
      if (p.spans.some(([s]) => s === piece.start)) {
        if (!current.firstOf.has(p.key)) current.firstOf.set(p.key, []);
        current.firstOf.get(p.key).push(node);
      }
    }
    node.addEventListener("click", () => showDetails(piece));
    node.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        showDetails(piece);
      }
    });
    return node;
  }

  function showDetails(piece) {
    const list = el("ul");
    for (const p of piece.cover) {
      list.append(el("li", { className: p.kind },
        el("strong", { textContent: p.text, dir: "auto" }), " ", signed(p.weight),
        " (" + (p.kind === "esc" ? "escalating" : "de-escalating") + ", " + p.spans.length +
        " time" + (p.spans.length === 1 ? "" : "s") + ")"));
    }
    const words = current.text.slice(current.u16[piece.start], current.u16[piece.end]);
    $("details").replaceChildren(
      el("p", {}, "\u201c", el("span", { textContent: words, dir: "auto" }),
        "\u201d, characters " +
        piece.start + "\u2013" + piece.end + ", tint " + signed(piece.weight) + ", covered by:"),
      list);
  }

  function drawSummary(result) {
    const scored = result.score !== null;
    $("score-value").textContent = scored ? result.score.toFixed(3) : "not scored";
    $("score-value").className = scored ? "" : "unscored";
    $("level-value").textContent = result.level;
    // An unscored text gets no level colour: nothing that could read as a low score.
    $("level-value").className = scored ? "level level-" + result.level : "level-none";
    $("language-value").textContent = languageName(result.language);
    $("language-value").dataset.language = result.language;
    $("model-version").textContent = result.model_version;
    $("article-id").textContent = result.id === null ? "-" : result.id;
    const meaning = scored && document.querySelector(
      '[data-level-meaning="' + CSS.escape(result.level) + '"]');
    $("level-meaning").textContent = meaning ? meaning.textContent : "";
    $("unscored-note").textContent = scored ? "" : "Not scored: no model reads " +
      languageName(result.language) + ", so this text has no score, level or highlighted phrases.";
    $("unscored-note").hidden = scored;
    const warnings = $("warnings");
    warnings.replaceChildren(...result.warnings.map((w) =>
      el("li", {}, el("strong", { textContent: w.code }), ": " + w.message)));
  }

  function drawStrip(sentences) {
    const strip = $("strip");
    strip.replaceChildren();
    sentences.forEach((s, k) => {
      const step = Math.min(9, Math.floor(s.score * 10));
      const bar = el("button", { type: "button", className: "bar heat-" + step },
        el("span", { className: "sr-only",
          textContent: "Sentence " + (k + 1) + ", score " + s.score.toFixed(2) }));
      bar.dataset.tip = "sentence " + (k + 1) + ": " + s.score.toFixed(2);
      bar.dataset.sentence = k;
      bar.addEventListener("click", () => goTo($("sentence-" + k)));
      strip.append(bar);
    });
  }

  function goTo(node) {
    if (!node) return;
    if (!node.hasAttribute("tabindex")) node.tabIndex = -1;
    node.scrollIntoView({ block: "center" });
    node.focus({ preventScroll: true });
    node.classList.remove("flash");
    void node.offsetWidth; // restart the animation
    node.classList.add("flash");
  }

  function drawPhraseTable(table, phrases) {
    const body = table.tBodies[0];
    body.replaceChildren(...phrases.map((p) => {
      const go = el("button", { type: "button", className: "link " + p.kind, textContent: p.text,
        dir: "auto" });
      go.dataset.phrase = p.key;
      go.addEventListener("click", () => {
        document.querySelectorAll(".hl.active").forEach((n) => n.classList.remove("active"));
        $("article-view").querySelectorAll(".hl").forEach((n) => {
          if (n.dataset.phrases.split(" ").includes(p.key)) n.classList.add("active");
        });
        const firsts = current.firstOf.get(p.key) || [];
        const visit = current.visits.get(p.key) || 0;
        current.visits.set(p.key, visit + 1);
        goTo(firsts[visit % Math.max(1, firsts.length)]);
      });
      return el("tr", {}, el("td", {}, go), el("td", { textContent: signed(p.weight) }),
        el("td", { textContent: String(p.spans.length) }));
    }));
  }

  // --- single article and batch -------------------------------------------------------------
  async function scoreOne(text) {
    performance.clearMarks();
    performance.mark("ui:submit");
    setStatus("Scoring\u2026");
    const result = await post(cfg.scorePath, { text });
    performance.mark("ui:answered");
    renderResult(text, result);
    performance.mark("ui:highlighted");
    setStatus("Scored.");
  }

  function parseJsonl(content) {
    // One item per non-blank line: {id, text} or the reason the line cannot be scored.
    const items = [];
    content.split(/\r?\n/).forEach((line, n) => {
      if (!line.trim()) return;
      const item = { line: n + 1, id: "line " + (n + 1), text: null, result: null, error: null };
      try {
        const row = JSON.parse(line);
        if (row && typeof row.id === "string") item.id = row.id;
        if (!row || typeof row.text !== "string" || !row.text.trim()) item.error = "no text";
        else if (codePointIndex(row.text).length - 1 > cfg.maxTextChars) item.error = "too long";
        else item.text = row.text;
      } catch (_) {
        item.error = "not JSON";
      }
      items.push(item);
    });
    return items;
  }

  async function scoreBatch(items) {
    const todo = items.filter((i) => i.text !== null);
    let done = 0;
    while (done < todo.length) {
      const chunk = [];
      let chars = 0;
      while (done + chunk.length < todo.length && chunk.length < cfg.batchMax) {
        const next = todo[done + chunk.length];
        if (chunk.length && chars + next.text.length > cfg.maxRequestChars) break;
        chunk.push(next);
        chars += next.text.length;
      }
      setStatus("Scoring " + (done + 1) + "\u2013" + (done + chunk.length) + " of " + todo.length);
      const answer = await post(cfg.batchPath,
        { articles: chunk.map((i) => ({ id: i.id, text: i.text })) });
      answer.results.forEach((r, k) => { chunk[k].result = r; });
      done += chunk.length;
    }
    drawBatch(items);
    setStatus("Scored " + todo.length + " article" + (todo.length === 1 ? "" : "s") +
      (items.length > todo.length ? "; " + (items.length - todo.length) + " lines skipped" : "") + ".");
  }

  function rank(item) {
    // Scored highest first, then the unscored, then the lines that could not be sent.
    if (!item.result) return -2;
    return item.result.score === null ? -1 : item.result.score;
  }

  function drawBatch(items) {
    const sorted = items.slice().sort((a, b) => rank(b) - rank(a));
    const body = $("batch-table").tBodies[0];
    body.replaceChildren(...sorted.map((item, k) => {
      const r = item.result;
      const open = el("button", { type: "button", textContent: "open", disabled: !r });
      open.addEventListener("click", () => {
        body.querySelectorAll("tr.selected").forEach((row) => row.classList.remove("selected"));
        open.closest("tr").classList.add("selected");
        renderResult(item.text, r);
        $("result").scrollIntoView({ block: "start" });
      });
      const score = !r ? "-" : r.score === null ? "not scored" : r.score.toFixed(3);
      return el("tr", {}, el("td", { textContent: String(k + 1) }),
        el("td", { textContent: item.id, dir: "auto" }),
        el("td", { textContent: score }),
        el("td", { textContent: r ? r.level : item.error + " (line " + item.line + ")" }),
        el("td", { textContent: r ? r.language : "" }),
        el("td", { textContent: r ? r.warnings.map((w) => w.code).join(", ") : "" }),
        el("td", {}, open));
    }));
    $("batch").hidden = false;
  }

  async function run(task) {
    app.dataset.state = "busy";
    try {
      await task();
      app.dataset.state = "done";
    } catch (error) {
      setStatus(error.message, true);
      app.dataset.state = "error";
    }
  }

  // --- wiring -------------------------------------------------------------------------------
  if (cfg.needsKey) {
    const field = $("api-key");
    field.value = sessionStorage.getItem(KEY_STORE) || "";
    field.addEventListener("change", () => sessionStorage.setItem(KEY_STORE, field.value.trim()));
  }
  $("input").addEventListener("submit", (event) => {
    event.preventDefault();
    if (cfg.needsKey) sessionStorage.setItem(KEY_STORE, $("api-key").value.trim());
    const text = $("text").value;
    if (!text.trim()) return setStatus("Paste an article first.", true);
    $("batch").hidden = true;
    run(() => scoreOne(text));
  });
  $("file").addEventListener("change", () => {
    const file = $("file").files[0];
    if (!file) return;
    run(async () => {
      const content = await file.text();
      if (/\.jsonl?$/i.test(file.name)) {
        $("result").hidden = true;
        await scoreBatch(parseJsonl(content));
      } else {
        $("text").value = content;
        $("batch").hidden = true;
        await scoreOne(content);
      }
    });
  });
  app.dataset.state = "ready";
})();
