// The analyst page: posts to the public API and draws the answer. Article text is untrusted:
// it reaches the page only through textContent and text nodes, never as HTML.
"use strict";

(function () {
  const app = document.getElementById("app");
  const $ = (id) => document.getElementById(id);
  const KEY_STORE = "escalation.apiKey";
  const BUCKETS = 5; // tint steps each way
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
    view.replaceChildren();
    const holders = result.sentences.map((s, k) =>
      el("span", { className: "sentence", id: "sentence-" + k }));
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
    drawPhraseTable($("phrases-up"), phrases.filter((p) => p.kind === "esc"));
    drawPhraseTable($("phrases-down"), phrases.filter((p) => p.kind === "des"));
    $("details").replaceChildren(el("p", { className: "hint", textContent:
      "Select a highlighted segment (Enter) to see the phrases covering it." }));
    $("result").hidden = false;
  }

  function highlight(piece, words, largest) {
    const kinds = new Set(piece.cover.map((p) => p.kind));
    const tint = (piece.weight >= 0 ? "esc-" : "des-") + bucket(piece.weight, largest);
    const node = el("span", { className: ["hl", tint, ...kinds].join(" "), tabIndex: 0,
      textContent: words });
    const tip = piece.cover.map((p) => "\u201c" + p.text + "\u201d " + signed(p.weight)).join("; ");
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
        el("strong", { textContent: p.text }), " ", signed(p.weight),
        " (" + (p.kind === "esc" ? "escalating" : "de-escalating") + ", " + p.spans.length +
        " time" + (p.spans.length === 1 ? "" : "s") + ")"));
    }
    const words = current.text.slice(current.u16[piece.start], current.u16[piece.end]);
    $("details").replaceChildren(
      el("p", {}, "\u201c", el("span", { textContent: words }), "\u201d, characters " +
        piece.start + "\u2013" + piece.end + ", tint " + signed(piece.weight) + ", covered by:"),
      list);
  }

  function drawSummary(result) {
    $("score-value").textContent = result.score.toFixed(3);
    $("level-value").textContent = result.level;
    $("level-value").className = "level level-" + result.level;
    $("model-version").textContent = result.model_version;
    $("article-id").textContent = result.id === null ? "-" : result.id;
    const meaning = document.querySelector(
      '[data-level-meaning="' + CSS.escape(result.level) + '"]');
    $("level-meaning").textContent = meaning ? meaning.textContent : "";
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
      const go = el("button", { type: "button", className: "link " + p.kind, textContent: p.text });
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

  function drawBatch(items) {
    const sorted = items.slice().sort((a, b) =>
      (b.result ? b.result.score : -1) - (a.result ? a.result.score : -1));
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
      return el("tr", {}, el("td", { textContent: String(k + 1) }),
        el("td", { textContent: item.id }),
        el("td", { textContent: r ? r.score.toFixed(3) : "-" }),
        el("td", { textContent: r ? r.level : item.error + " (line " + item.line + ")" }),
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
