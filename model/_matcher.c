/* The event reading of the English model, in C: the CAMEO verb pattern matcher, the scope
 * rules and the event block's arithmetic, each the same rules as its Python definition.
 *
 * The matcher of `model.events`, token for token:
 *
 * `model.events.EventPatterns.match_python` is the definition and stays the reference the tests
 * compare against; this file runs it on flat integer tables that `model.events._flat_tables`
 * builds from the compiled dictionary on first use, so a sentence costs one dict lookup per word
 * and integer loops. Nothing calls back into Python; nothing is kept between calls.
 *
 *   Matcher(vocabulary, codes, tables)
 *   matcher.match_sentences(words, bounds) -> [(sentence, code, tokens, verb), ...]
 *
 * vocabulary: dict str -> word id (0 .. V-1), every word the tables name; codes: tuple of the
 * code strings a match may carry; tables: tuple of int32 buffers, in the order of the enum
 * below (each described there). A word of the sentence that is not in the vocabulary has id -1
 * and can only be a plain word; two string tests need its letters ("...'s", "...n't"), read from
 * the str itself. The tables are trusted: `model.events` builds them, and only sizes are checked.
 *
 * The scopes of negation, refusal and demands (`model.clauses.scopes` is their definition) run
 * here too, on tables `model.clauses._flat_tables` builds from the scope rules:
 *
 *   Scopes(vocabulary, suffixes, tables)
 *   scopes.find(words, bounds, text, starts, ends) -> [(sentence, kind, cue, first, last), ...]
 *
 * vocabulary: dict str -> word id of every word the rules name; suffixes: tuple of (ending,
 * kind); kind: an index into the rules' kinds; cue, first, last: the cue's first token, the
 * scope's first and last token, counted from the sentence's first word. The text between two
 * tokens (where boundary characters are seen) is read from `text` at `ends[t]:starts[t + 1]`.
 *
 * The event block of a compiled model reads the matches and scopes of a text into occurrences
 * (`model.eventfeatures.EventReader.read`), weighs them as TF-IDF with the block's coefficients
 * and groups them into phrases (`model.compiled.CompiledModel._with_events`): the same sums in
 * the same order, so the results are those of the definitions to the last bit:
 *
 *   Events(codes, function_words, tables, idf, coef)
 *   events.score(matches, scopes, words, bounds, starts, ends, entries, heads, logits)
 *       -> None | (share, merged, firsts, weights, sizes, spans)
 *
 * codes: dict code -> number; tables: which columns a match of each code has, outside a scope
 * and inside each kind of scope, and each scope kind's own column (`EventBlock.loops`). A phrase
 * is its tokens' kernel entries and which of them are adjacent (so "talks … collapsed" and
 * "talks collapsed" differ); one that reads as a kernel phrase (`heads`) is merged into it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Word flags (tables[W_FLAGS], one int32 per vocabulary word). */
#define F_BE 1           /* a form of "be" (BE_FORMS) */
#define F_NOUN_MARKER 2  /* NOUN_MARKERS */
#define F_VERB_BEFORE 4  /* VERB_BEFORE */
#define F_VERB_AFTER 8   /* VERB_AFTER */
#define F_CONTRACTION 16 /* "it's", "that's": not a possessive */

enum {
    W_FLAGS,      /* [V] flags of each word */
    CONSTANTS,    /* [3] WINDOW_BEFORE, WINDOW_AFTER, PASSIVE_LOOKBACK */
    BIGRAMS,      /* [2 * b] NON_VERB_BIGRAMS as word id pairs */
    FORM_INDEX,   /* [V + 1] CSR: the forms indexed by each word, in `_forms` order */
    FORMS,        /* [7 * f] prefix off, len, suffix off, len, verb, participle, noun */
    VERBS,        /* [3 * v] active code, passive code (-1: None), block */
    BLOCKS,       /* [blocks + 1] CSR into PATTERNS */
    PATTERNS,     /* [8 * p] active, passive, before off, n, after off, n, keys off, n */
    ELEMS,        /* [2 * e] slots off, slots n */
    SLOTS,        /* [2 * s] entries off, entries n */
    ENTRIES,      /* [3 * x] first word, tails off, tails n: sorted by first word within a slot */
    TAILS,        /* [2 * t] off, len into POOL: in the slot's order (longest first) */
    KEYS,         /* [2 * k] off, len into POOL: sorted word ids */
    ANCHOR_INDEX, /* [blocks + 1] CSR into ANCHORS */
    ANCHORS,      /* [3 * a] word, off, n into ANCHOR_POOL: sorted by word within a block */
    ANCHOR_POOL,  /* pattern indices within the block, ascending */
    POOL,         /* word ids */
    N_TABLES
};

typedef struct {
    PyObject_HEAD PyObject *vocabulary; /* dict str -> int */
    PyObject *codes;                    /* tuple of str */
    int32_t *t[N_TABLES];
    Py_ssize_t n[N_TABLES];
} Matcher;

/* A copy of a buffer of `item`-byte items into *out (freed first), its items counted in *n: 0,
 * or -1 with an exception set. */
static int copy_buffer(PyObject *obj, void **out, Py_ssize_t *n, Py_ssize_t item) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0) return -1;
    if (view.len % item) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, item == 4 ? "tables are int32 buffers"
                                                    : "idf and coef are float64 buffers");
        return -1;
    }
    PyMem_Free(*out);
    *out = PyMem_Malloc(view.len ? (size_t)view.len : 8);
    if (!*out) {
        PyBuffer_Release(&view);
        PyErr_NoMemory();
        return -1;
    }
    memcpy(*out, view.buf, (size_t)view.len);
    *n = view.len / item;
    PyBuffer_Release(&view);
    return 0;
}

/* Each buffer of the tuple `tables` (`count` of them) copied as int32 items: 0, or -1 with an
 * exception set. */
static int copy_tables(PyObject *tables, int32_t **t, Py_ssize_t *n, int count) {
    if (PyTuple_GET_SIZE(tables) != count) {
        PyErr_Format(PyExc_ValueError, "%d tables are needed", count);
        return -1;
    }
    for (int i = 0; i < count; i++)
        if (copy_buffer(PyTuple_GET_ITEM(tables, i), (void **)&t[i], &n[i], 4) < 0) return -1;
    return 0;
}

static int Matcher_init(Matcher *m, PyObject *args, PyObject *kwds) {
    PyObject *vocabulary, *codes, *tables;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyDict_Type, &vocabulary, &PyTuple_Type, &codes,
                          &PyTuple_Type, &tables))
        return -1;
    if (m->vocabulary) {
        PyErr_SetString(PyExc_TypeError, "a Matcher is initialised once");
        return -1;
    }
    if (copy_tables(tables, m->t, m->n, N_TABLES) < 0) return -1;
    if (m->n[CONSTANTS] != 3 || m->n[W_FLAGS] + 1 != m->n[FORM_INDEX]) {
        PyErr_SetString(PyExc_ValueError, "Matcher tables disagree in size");
        return -1;
    }
    Py_INCREF(vocabulary);
    Py_XSETREF(m->vocabulary, vocabulary);
    Py_INCREF(codes);
    Py_XSETREF(m->codes, codes);
    return 0;
}

/* The scratch of one call. */
typedef struct {
    const Matcher *m;
    const int32_t *ids; /* word id per token, -1 when unknown */
    Py_ssize_t n;
    const int32_t *sorted; /* the sentence's known ids, sorted (for the keys filter) */
    Py_ssize_t n_sorted;
} Sentence;

static int cmp_int32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* The row in [lo, hi) of `rows` (`stride` ints each, sorted by their first) whose first is
 * `key`, or -1. */
static Py_ssize_t find_row(const int32_t *rows, Py_ssize_t stride, Py_ssize_t lo, Py_ssize_t hi,
                           int32_t key) {
    Py_ssize_t end = hi;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (rows[stride * mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < end && rows[stride * lo] == key ? lo : -1;
}

static int flag(const Sentence *s, Py_ssize_t i, int32_t f) {
    int32_t id = s->ids[i];
    return id >= 0 && (s->m->t[W_FLAGS][id] & f);
}

static int is_bigram(const Matcher *m, int32_t a, int32_t b) {
    const int32_t *bg = m->t[BIGRAMS];
    if (a < 0 || b < 0) return 0;
    for (Py_ssize_t k = 0; k + 1 < m->n[BIGRAMS]; k += 2)
        if (bg[k] == a && bg[k + 1] == b) return 1;
    return 0;
}

/* Whether `word` ends with the ASCII `suffix`. */
static int ends_with(PyObject *word, const char *suffix) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(word), k = (Py_ssize_t)strlen(suffix);
    if (n < k) return 0;
    int kind = PyUnicode_KIND(word);
    const void *data = PyUnicode_DATA(word);
    for (Py_ssize_t j = 0; j < k; j++)
        if (PyUnicode_READ(kind, data, n - k + j) != (Py_UCS4)(unsigned char)suffix[j]) return 0;
    return 1;
}

/* The entry of `slot` for word id `w`, or NULL. */
static const int32_t *slot_entry(const Matcher *m, int32_t slot, int32_t w) {
    if (w < 0) return NULL;
    Py_ssize_t lo = m->t[SLOTS][2 * slot];
    Py_ssize_t row = find_row(m->t[ENTRIES], 3, lo, lo + m->t[SLOTS][2 * slot + 1], w);
    return row < 0 ? NULL : m->t[ENTRIES] + 3 * row;
}

/* `_fit`: end (exclusive) of the longest fit of the element's slots[k:] at p, or -1. */
static Py_ssize_t fit(const Sentence *s, int32_t elem, int32_t k, Py_ssize_t p, Py_ssize_t hi) {
    const Matcher *m = s->m;
    int32_t slots_off = m->t[ELEMS][2 * elem], slots_n = m->t[ELEMS][2 * elem + 1];
    if (k == slots_n) return p;
    if (p >= hi) return -1;
    const int32_t *entry = slot_entry(m, slots_off + k, s->ids[p]);
    if (!entry) return -1;
    for (int32_t j = 0; j < entry[2]; j++) {
        const int32_t *tail = m->t[TAILS] + 2 * (entry[1] + j);
        const int32_t *words = m->t[POOL] + tail[0];
        Py_ssize_t q = p + 1 + tail[1];
        if (q > hi) continue;
        int same = 1;
        for (int32_t w = 0; w < tail[1] && same; w++) same = s->ids[p + 1 + w] == words[w];
        if (!same) continue;
        Py_ssize_t end = fit(s, elem, k + 1, q, hi);
        if (end >= 0) return end;
    }
    return -1;
}

/* `_in_order`: the tokens of elements [off, off + count) found in order within [lo, hi),
 * appended to out (*n_out grows); 0 when one is not found. */
static int in_order(const Sentence *s, int32_t off, int32_t count, Py_ssize_t lo, Py_ssize_t hi,
                    int32_t *out, Py_ssize_t *n_out) {
    Py_ssize_t pos = lo;
    for (int32_t e = off; e < off + count; e++) {
        int found = 0;
        for (Py_ssize_t p = pos; p < hi; p++) {
            Py_ssize_t end = fit(s, e, 0, p, hi);
            if (end >= 0) {
                for (Py_ssize_t t = p; t < end; t++) out[(*n_out)++] = (int32_t)t;
                pos = end;
                found = 1;
                break;
            }
        }
        if (!found) return 0;
    }
    return 1;
}

/* `_place`: the pattern's before elements in [b_lo, b_hi) and after elements in [a_lo, a_hi). */
static int place(const Sentence *s, const int32_t *pat, Py_ssize_t b_lo, Py_ssize_t b_hi,
                 Py_ssize_t a_lo, Py_ssize_t a_hi, int32_t *out, Py_ssize_t *n_out) {
    *n_out = 0;
    return in_order(s, pat[2], pat[3], b_lo, b_hi, out, n_out) &&
           in_order(s, pat[4], pat[5], a_lo, a_hi, out, n_out);
}

static int32_t pick(int32_t active, int32_t passive_code, int passive) {
    if (passive_code >= 0 && (passive || active < 0)) return passive_code;
    return active;
}

/* One coded verb occurrence. */
typedef struct {
    int32_t code;
    Py_ssize_t verb;       /* first verb token */
    Py_ssize_t off, count; /* its tokens, sorted, in the call's token pool */
    int by_pattern;
} Found;

typedef struct {
    Py_ssize_t s, e;
    int32_t form;
    Py_ssize_t index; /* position among the spans found: the tie-break of a stable sort */
} Span;

/* The order of `_non_overlapping`: longest first, then by start (Python's stable sort). */
static int span_order(const void *pa, const void *pb) {
    const Span *a = pa, *b = pb;
    Py_ssize_t ka = a->s - a->e, kb = b->s - b->e;
    if (ka != kb) return ka < kb ? -1 : 1;
    if (a->s != b->s) return a->s < b->s ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* The id of `word` in `vocabulary` (-1 when it is not there), below `size`: 0, or -1 with an
 * exception set. Only a str itself is read: a subclass's hash or equality could run Python. */
static int word_id(PyObject *vocabulary, PyObject *word, Py_ssize_t size, int32_t *out) {
    if (!PyUnicode_CheckExact(word)) {
        PyErr_SetString(PyExc_TypeError, "words are str");
        return -1;
    }
    PyObject *id = PyDict_GetItemWithError(vocabulary, word);
    if (!id && PyErr_Occurred()) return -1;
    long value = id ? PyLong_AsLong(id) : -1;
    if (value == -1 && PyErr_Occurred()) return -1;
    if (value < -1 || value >= size) {
        PyErr_SetString(PyExc_ValueError, "the vocabulary holds an id out of range");
        return -1;
    }
    *out = (int32_t)value;
    return 0;
}

/* The matches of the n words at `items` (sentence number `sentence`), appended to `result` as
 * (sentence, code, tokens, verb); tokens count from items[0]. 0, or -1 with an exception set. */
static int match_into(const Matcher *m, PyObject *const *items, Py_ssize_t n, Py_ssize_t sentence,
                      PyObject *result) {
    int rc = -1;
    int32_t window_before = m->t[CONSTANTS][0], window_after = m->t[CONSTANTS][1],
            lookback = m->t[CONSTANTS][2];
    /* scratch: ids, sorted ids, spans, pattern buffer, found patterns, tokens */
    int32_t *ids = PyMem_Malloc(sizeof(int32_t) * (size_t)n * 5);
    Span *spans = PyMem_Malloc(sizeof(Span) * (size_t)n);
    Found *found = PyMem_Malloc(sizeof(Found) * (size_t)n);
    /* a match's tokens: at most the two windows and its verb's, whose spans do not overlap */
    int32_t *pool =
        PyMem_Malloc(sizeof(int32_t) * (size_t)n * (size_t)(window_before + window_after + 1));
    char *used = PyMem_Calloc((size_t)n, 1);
    int32_t *cand = NULL;
    Py_ssize_t cand_cap = 0;
    if (!ids || !spans || !found || !pool || !used) {
        PyErr_NoMemory();
        goto done;
    }
    int32_t *sorted = ids + n, *best = ids + 2 * n, *got = ids + 3 * n, *mark = ids + 4 * n;
    Py_ssize_t n_sorted = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (word_id(m->vocabulary, items[i], m->n[W_FLAGS], &ids[i]) < 0) goto done;
        if (ids[i] >= 0) sorted[n_sorted++] = ids[i];
    }
    if (n_sorted > 1) qsort(sorted, (size_t)n_sorted, sizeof(int32_t), cmp_int32);
    Sentence sent = {m, ids, n, sorted, n_sorted};

    /* verb spans: the first form (longest first) that fits at each token */
    Py_ssize_t n_spans = 0;
    int overlap = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (ids[i] < 0) continue;
        for (int32_t f = m->t[FORM_INDEX][ids[i]]; f < m->t[FORM_INDEX][ids[i] + 1]; f++) {
            const int32_t *form = m->t[FORMS] + 7 * f;
            Py_ssize_t s = i - form[1], e = i + form[3];
            if (s < 0 || e >= n) continue;
            int same = 1;
            for (int32_t k = 0; k < form[1] && same; k++)
                same = ids[s + k] == m->t[POOL][form[0] + k];
            for (int32_t k = 0; k < form[3] && same; k++)
                same = ids[i + 1 + k] == m->t[POOL][form[2] + k];
            if (!same) continue;
            spans[n_spans++] = (Span){s, e, f, 0};
            overlap |= e > s;
            break;
        }
    }
    if (n_spans == 0) {
        rc = 0;
        goto done;
    }
    if (overlap) { /* `_non_overlapping`: longest first, the first that fits each place */
        Span *kept = PyMem_Malloc(sizeof(Span) * (size_t)n_spans);
        if (!kept) {
            PyErr_NoMemory();
            goto done;
        }
        for (Py_ssize_t a = 0; a < n_spans; a++) spans[a].index = a;
        qsort(spans, (size_t)n_spans, sizeof(Span), span_order);
        memset(used, 0, (size_t)n);
        for (Py_ssize_t t = 0; t < n; t++) mark[t] = -1; /* the span kept at each start */
        for (Py_ssize_t a = 0; a < n_spans; a++) {
            int free_ = 1;
            for (Py_ssize_t t = spans[a].s; t <= spans[a].e && free_; t++) free_ = !used[t];
            if (!free_) continue;
            for (Py_ssize_t t = spans[a].s; t <= spans[a].e; t++) used[t] = 1;
            mark[spans[a].s] = (int32_t)a;
        }
        Py_ssize_t n_kept = 0; /* back into position order: kept spans start apart */
        for (Py_ssize_t t = 0; t < n; t++)
            if (mark[t] >= 0) kept[n_kept++] = spans[mark[t]];
        memcpy(spans, kept, sizeof(Span) * (size_t)n_kept);
        n_spans = n_kept;
        PyMem_Free(kept);
    }

    Py_ssize_t n_found = 0, pool_used = 0;
    for (Py_ssize_t a = 0; a < n_spans; a++) {
        Py_ssize_t s = spans[a].s, e = spans[a].e;
        const int32_t *form = m->t[FORMS] + 7 * spans[a].form;
        if (s > 0) {
            int marker = flag(&sent, s - 1, F_NOUN_MARKER);
            if (!marker && !flag(&sent, s - 1, F_CONTRACTION)) {
                PyObject *w = items[s - 1];
                marker = (ends_with(w, "'s") || ends_with(w, "s'")) &&
                         PyUnicode_GET_LENGTH(w) > 2;
            }
            if (marker || is_bigram(m, ids[s - 1], ids[s])) continue;
        }
        if (e + 1 < n && is_bigram(m, ids[e], ids[e + 1])) continue;
        int passive = 0;
        if (form[5])
            for (Py_ssize_t k = s - lookback < 0 ? 0 : s - lookback; k < s && !passive; k++)
                passive = flag(&sent, k, F_BE);
        /* `_best`: the candidate patterns of the verb's block, in file order */
        const int32_t *verb = m->t[VERBS] + 3 * form[4];
        int32_t block = verb[2];
        Py_ssize_t b_lo = s - window_before < 0 ? 0 : s - window_before, b_hi = s;
        Py_ssize_t a_lo = e + 1, a_hi = e + 1 + window_after > n ? n : e + 1 + window_after;
        Py_ssize_t n_cand = 0;
        for (Py_ssize_t p = b_lo; p < a_hi; p++) {
            int32_t w = ids[p];
            if (w < 0) continue;
            Py_ssize_t row = find_row(m->t[ANCHORS], 3, m->t[ANCHOR_INDEX][block],
                                      m->t[ANCHOR_INDEX][block + 1], w);
            if (row < 0) continue;
            int32_t off = m->t[ANCHORS][3 * row + 1], count = m->t[ANCHORS][3 * row + 2];
            if (n_cand + count > cand_cap) {
                Py_ssize_t cap = (n_cand + count) * 2;
                int32_t *grown = PyMem_Realloc(cand, sizeof(int32_t) * (size_t)cap);
                if (!grown) {
                    PyErr_NoMemory();
                    goto done;
                }
                cand = grown;
                cand_cap = cap;
            }
            memcpy(cand + n_cand, m->t[ANCHOR_POOL] + off, sizeof(int32_t) * (size_t)count);
            n_cand += count;
        }
        if (n_cand > 1) qsort(cand, (size_t)n_cand, sizeof(int32_t), cmp_int32);
        Py_ssize_t n_best = -1;
        int32_t best_active = -1, best_passive = -1;
        const int32_t *patterns = m->t[PATTERNS] + 8 * m->t[BLOCKS][block];
        for (Py_ssize_t c = 0; c < n_cand; c++) {
            if (c > 0 && cand[c] == cand[c - 1]) continue;
            const int32_t *pat = patterns + 8 * cand[c];
            int possible = 1;
            for (int32_t k = pat[6]; k < pat[6] + pat[7] && possible; k++) {
                const int32_t *key = m->t[KEYS] + 2 * k;
                possible = 0;
                for (int32_t j = 0; j < key[1] && !possible; j++)
                    possible = find_row(sorted, 1, 0, n_sorted, m->t[POOL][key[0] + j]) >= 0;
            }
            if (!possible) continue;
            Py_ssize_t n_got = 0;
            int ok = place(&sent, pat, b_lo, b_hi, a_lo, a_hi, got, &n_got);
            if (!ok && passive) ok = place(&sent, pat, a_lo, a_hi, b_lo, b_hi, got, &n_got);
            if (ok && (n_best < 0 || n_got > n_best)) {
                memcpy(best, got, sizeof(int32_t) * (size_t)n_got);
                n_best = n_got;
                best_active = pat[0];
                best_passive = pat[1];
            }
        }
        Found *out = &found[n_found];
        out->verb = s;
        out->off = pool_used;
        if (n_best >= 0) {
            int32_t code = pick(best_active, best_passive, passive);
            if (code < 0) continue;
            /* the sorted set of the pattern's tokens and the verb's */
            for (Py_ssize_t t = b_lo; t < a_hi; t++) mark[t] = 0;
            for (Py_ssize_t t = 0; t < n_best; t++) mark[best[t]] = 1;
            for (Py_ssize_t t = s; t <= e; t++) mark[t] = 1;
            for (Py_ssize_t t = b_lo; t < a_hi; t++)
                if (mark[t]) pool[pool_used++] = (int32_t)t;
            out->code = code;
            out->by_pattern = 1;
        } else {
            int32_t code = pick(verb[0], verb[1], passive);
            if (code < 0) continue;
            if (form[6] && !passive) { /* `_verbal`: a noun form only where a verb stands */
                int verbal = 0;
                if (s > 0)
                    verbal = flag(&sent, s - 1, F_VERB_BEFORE) || ends_with(items[s - 1], "n't");
                if (!verbal && e + 1 < n) verbal = flag(&sent, e + 1, F_VERB_AFTER);
                if (!verbal) continue;
            }
            for (Py_ssize_t t = s; t <= e; t++) pool[pool_used++] = (int32_t)t;
            out->code = code;
            out->by_pattern = 0;
        }
        out->count = pool_used - out->off;
        n_found++;
    }
    /* a verb-only match whose tokens a pattern match used is dropped */
    memset(used, 0, (size_t)n);
    for (Py_ssize_t a = 0; a < n_found; a++)
        if (found[a].by_pattern)
            for (Py_ssize_t t = 0; t < found[a].count; t++) used[pool[found[a].off + t]] = 1;
    for (Py_ssize_t a = 0; a < n_found; a++) {
        const Found *f = &found[a];
        if (!f->by_pattern) {
            int clash = 0;
            for (Py_ssize_t t = 0; t < f->count && !clash; t++) clash = used[pool[f->off + t]];
            if (clash) continue;
        }
        PyObject *tokens = PyTuple_New(f->count);
        for (Py_ssize_t t = 0; tokens && t < f->count; t++) {
            PyObject *v = PyLong_FromLong(pool[f->off + t]);
            if (!v) Py_CLEAR(tokens);
            else PyTuple_SET_ITEM(tokens, t, v);
        }
        PyObject *code = PyTuple_GET_ITEM(m->codes, f->code), *item = NULL;
        if (tokens) item = Py_BuildValue("(nONn)", sentence, code, tokens, f->verb);
        int appended = item && PyList_Append(result, item) == 0;
        Py_XDECREF(item);
        if (!appended) goto done;
    }
    rc = 0;
done:
    PyMem_Free(ids);
    PyMem_Free(spans);
    PyMem_Free(found);
    PyMem_Free(pool);
    PyMem_Free(used);
    PyMem_Free(cand);
    return rc;
}

/* The items of a list or tuple of words (each checked as exact str when read) and their
 * number: 0, or -1 with an exception set. */
static int word_items(PyObject *words, PyObject *const **items, Py_ssize_t *n) {
    if (!PyList_Check(words) && !PyTuple_Check(words)) {
        PyErr_SetString(PyExc_TypeError, "words: a list or tuple of str");
        return -1;
    }
    *n = PySequence_Fast_GET_SIZE(words);
    if (*n > INT32_MAX / 2) {
        PyErr_SetString(PyExc_ValueError, "words: too many");
        return -1;
    }
    *items = PySequence_Fast_ITEMS(words);
    return 0;
}

static PyObject *Matcher_match_sentences(Matcher *m, PyObject *args) {
    PyObject *words, *bounds;
    if (!PyArg_ParseTuple(args, "OO!:match_sentences", &words, &PyList_Type, &bounds)) return NULL;
    if (!m->vocabulary) {
        PyErr_SetString(PyExc_RuntimeError, "the Matcher was not initialised");
        return NULL;
    }
    Py_ssize_t n;
    PyObject *const *items;
    if (word_items(words, &items, &n) < 0) return NULL;
    Py_ssize_t m_bounds = PyList_GET_SIZE(bounds);
    if (m_bounds == 0) {
        PyErr_SetString(PyExc_ValueError, "bounds must run from 0 to len(words), not down");
        return NULL;
    }
    PyObject *result = PyList_New(0);
    Py_ssize_t lo = 0;
    for (Py_ssize_t k = 0; result && k < m_bounds; k++) {
        Py_ssize_t hi = PyLong_AsSsize_t(PyList_GET_ITEM(bounds, k));
        if (hi == -1 && PyErr_Occurred()) {
            Py_CLEAR(result);
        } else if ((k == 0 && hi != 0) || hi < lo || hi > n || (k == m_bounds - 1 && hi != n)) {
            PyErr_SetString(PyExc_ValueError, "bounds must run from 0 to len(words), not down");
            Py_CLEAR(result);
        } else if (k > 0 && hi > lo && match_into(m, items + lo, hi - lo, k - 1, result) < 0) {
            Py_CLEAR(result);
        }
        lo = hi;
    }
    return result;
}

static int Matcher_traverse(Matcher *m, visitproc visit, void *arg) {
    Py_VISIT(m->vocabulary);
    Py_VISIT(m->codes);
    return 0;
}

static int Matcher_clear_refs(Matcher *m) {
    Py_CLEAR(m->vocabulary);
    Py_CLEAR(m->codes);
    return 0;
}

static void Matcher_dealloc(Matcher *m) {
    PyObject_GC_UnTrack(m);
    Matcher_clear_refs(m);
    for (int i = 0; i < N_TABLES; i++) PyMem_Free(m->t[i]);
    Py_TYPE(m)->tp_free((PyObject *)m);
}

static PyMethodDef Matcher_methods[] = {
    {"match_sentences", (PyCFunction)Matcher_match_sentences, METH_VARARGS,
     "match_sentences(words, bounds) -> [(sentence, code, tokens, verb), ...]: the matches of "
     "each sentence words[bounds[k]:bounds[k + 1]], tokens counted from its first word."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject MatcherType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "model._matcher.Matcher",
    .tp_basicsize = sizeof(Matcher),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The CAMEO verb pattern matcher on the flat tables of one compiled dictionary.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Matcher_init,
    .tp_dealloc = (destructor)Matcher_dealloc,
    .tp_traverse = (traverseproc)Matcher_traverse,
    .tp_clear = (inquiry)Matcher_clear_refs,
    .tp_methods = Matcher_methods,
};

/* ---- scopes of negation, refusal and demands (`model.clauses`) ---- */

enum {
    S_CUE,          /* [V] the kind of a one-word cue, or -1 */
    S_START,        /* [V] 1: a cue or the first word of a multi-word cue or non-cue phrase */
    S_FOLLOW,       /* [V] bit k: follows a cue of kind k (`cue_followers`) */
    S_BOUND,        /* [V] bit k: ends a scope of kind k (`boundary_words`, `kind_boundaries`) */
    S_PHRASE_INDEX, /* [V + 1] CSR: the phrases starting with each word, longest first */
    S_PHRASES,      /* [3 * p] off, len into S_POOL (the first word included), kind or -1 */
    S_POOL,         /* word ids */
    S_STOPS,        /* code points of the boundary characters */
    S_MAX,          /* [kinds] the longest scope of each kind */
    N_SCOPE_TABLES
};

typedef struct {
    PyObject_HEAD PyObject *vocabulary; /* dict str -> int */
    PyObject *suffixes;                 /* tuple of (str, int) */
    int32_t *t[N_SCOPE_TABLES];
    Py_ssize_t n[N_SCOPE_TABLES];
} Scopes;

static int Scopes_init(Scopes *r, PyObject *args, PyObject *kwds) {
    PyObject *vocabulary, *suffixes, *tables;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyDict_Type, &vocabulary, &PyTuple_Type, &suffixes,
                          &PyTuple_Type, &tables))
        return -1;
    if (r->vocabulary) {
        PyErr_SetString(PyExc_TypeError, "a Scopes is initialised once");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(suffixes); i++) {
        PyObject *item = PyTuple_GET_ITEM(suffixes, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2 ||
            !PyUnicode_CheckExact(PyTuple_GET_ITEM(item, 0)) ||
            !PyLong_CheckExact(PyTuple_GET_ITEM(item, 1))) {
            PyErr_SetString(PyExc_TypeError, "suffixes: a tuple of (str, int)");
            return -1;
        }
    }
    if (copy_tables(tables, r->t, r->n, N_SCOPE_TABLES) < 0) return -1;
    Py_ssize_t v = r->n[S_CUE], kinds = r->n[S_MAX], n_phrases = r->n[S_PHRASES] / 3;
    int ok = r->n[S_START] == v && r->n[S_FOLLOW] == v && r->n[S_BOUND] == v &&
             r->n[S_PHRASE_INDEX] == v + 1 && kinds >= 1 && kinds <= 31 &&
             r->n[S_PHRASES] % 3 == 0 && r->t[S_PHRASE_INDEX][0] == 0 &&
             r->t[S_PHRASE_INDEX][v] == n_phrases;
    for (Py_ssize_t i = 0; ok && i < v; i++)
        ok = r->t[S_CUE][i] >= -1 && r->t[S_CUE][i] < kinds &&
             r->t[S_PHRASE_INDEX][i] <= r->t[S_PHRASE_INDEX][i + 1];
    for (Py_ssize_t p = 0; ok && p < n_phrases; p++) {
        const int32_t *phrase = r->t[S_PHRASES] + 3 * p;
        ok = phrase[1] >= 1 && phrase[0] >= 0 && phrase[0] <= r->n[S_POOL] - phrase[1] &&
             phrase[2] >= -1 && phrase[2] < kinds;
    }
    for (Py_ssize_t i = 0; ok && i < r->n[S_POOL]; i++)
        ok = r->t[S_POOL][i] >= 0 && r->t[S_POOL][i] < v;
    for (Py_ssize_t k = 0; ok && k < kinds; k++) ok = r->t[S_MAX][k] >= 1;
    for (Py_ssize_t i = 0; ok && i < PyTuple_GET_SIZE(suffixes); i++) {
        long kind = PyLong_AsLong(PyTuple_GET_ITEM(PyTuple_GET_ITEM(suffixes, i), 1));
        if (kind == -1 && PyErr_Occurred()) return -1;
        ok = kind >= 0 && kind < kinds;
    }
    if (!ok) {
        PyErr_SetString(PyExc_ValueError, "Scopes tables disagree in size or content");
        return -1;
    }
    Py_INCREF(vocabulary);
    Py_XSETREF(r->vocabulary, vocabulary);
    Py_INCREF(suffixes);
    Py_XSETREF(r->suffixes, suffixes);
    return 0;
}

/* One sentence being read: its word ids, and whether the text after each token (up to the
 * next) holds a boundary character, read once where asked (-1: not read yet). */
typedef struct {
    const Scopes *r;
    PyObject *const *items;
    const int32_t *ids;
    Py_ssize_t n;
    const int64_t *starts, *ends; /* of the sentence's tokens */
    int kind;                     /* of the text */
    const void *data;
    signed char *stop;
} Clause;

static int gap_stops(Clause *c, Py_ssize_t i) {
    if (c->stop[i] >= 0) return c->stop[i];
    int64_t a = c->ends[i], b = c->starts[i + 1];
    int found = 0;
    if (!(b - a == 1 && PyUnicode_READ(c->kind, c->data, a) == ' ')) {
        const int32_t *stops = c->r->t[S_STOPS];
        for (int64_t p = a; p < b && !found; p++) {
            Py_UCS4 ch = PyUnicode_READ(c->kind, c->data, p);
            for (Py_ssize_t k = 0; k < c->r->n[S_STOPS] && !found; k++)
                found = (Py_UCS4)stops[k] == ch;
        }
    }
    c->stop[i] = (signed char)found;
    return found;
}

/* The kind of the first cue ending `word` ends with, -1 for none, -2 on an error. */
static int suffix_kind(const Scopes *r, PyObject *word) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(r->suffixes); i++) {
        PyObject *item = PyTuple_GET_ITEM(r->suffixes, i);
        PyObject *suffix = PyTuple_GET_ITEM(item, 0);
        Py_ssize_t ends = PyUnicode_Tailmatch(word, suffix, 0, PY_SSIZE_T_MAX, 1);
        if (ends < 0) return -2;
        if (ends) return (int)PyLong_AsLong(PyTuple_GET_ITEM(item, 1));
    }
    return -1;
}

/* Whether token i may start a cue or a non-cue phrase (1), not (0), or -1 on an error. */
static int may_start(Clause *c, Py_ssize_t i) {
    int32_t id = c->ids[i];
    if (id >= 0 && c->r->t[S_START][id]) return 1;
    int kind = suffix_kind(c->r, c->items[i]);
    return kind == -2 ? -1 : kind >= 0;
}

/* `_match`: what starts at token i: 0 a plain word, 1 a cue (*kind, *end: after its last token,
 * a follower included), 2 a non-cue phrase (*end), -1 on an error. */
static int cue_at(Clause *c, Py_ssize_t i, int *kind, Py_ssize_t *end) {
    const Scopes *r = c->r;
    int32_t id = c->ids[i];
    int k = -1;
    Py_ssize_t e = i + 1;
    if (id >= 0) {
        for (int32_t p = r->t[S_PHRASE_INDEX][id]; p < r->t[S_PHRASE_INDEX][id + 1]; p++) {
            const int32_t *phrase = r->t[S_PHRASES] + 3 * p;
            Py_ssize_t j = i + phrase[1];
            if (j > c->n) continue;
            int same = 1;
            for (int32_t q = 1; q < phrase[1] && same; q++)
                same = c->ids[i + q] == r->t[S_POOL][phrase[0] + q] && !gap_stops(c, i + q - 1);
            if (!same) continue;
            if (phrase[2] < 0) {
                *end = j;
                return 2;
            }
            k = phrase[2];
            e = j;
            break;
        }
        if (k < 0) k = r->t[S_CUE][id];
    }
    if (k < 0) {
        k = suffix_kind(r, c->items[i]);
        if (k == -2) return -1;
        if (k < 0) return 0;
    }
    if (e < c->n && c->ids[e] >= 0 && (r->t[S_FOLLOW][c->ids[e]] >> k & 1) && !gap_stops(c, e - 1))
        e++;
    *kind = k;
    *end = e;
    return 1;
}

/* `scopes` of one sentence (number `sentence`), appended to `result`: 0, or -1 with an
 * exception set. */
static int scopes_into(Clause *c, Py_ssize_t sentence, PyObject *result) {
    const Scopes *r = c->r;
    Py_ssize_t n = c->n, i = 0;
    while (i < n) {
        int kind = 0;
        Py_ssize_t start = 0;
        int what = may_start(c, i);
        if (what > 0) what = cue_at(c, i, &kind, &start);
        if (what < 0) return -1;
        if (what == 0) {
            i++;
            continue;
        }
        if (what == 2) {
            i = start;
            continue;
        }
        Py_ssize_t limit = start + r->t[S_MAX][kind] < n ? start + r->t[S_MAX][kind] : n;
        Py_ssize_t k = start, resume = -1;
        while (k < limit) {
            int32_t id = c->ids[k];
            if (gap_stops(c, k - 1) || (id >= 0 && (r->t[S_BOUND][id] >> kind & 1))) break;
            int here = may_start(c, k);
            if (here < 0) return -1;
            if (!here) {
                k++;
                continue;
            }
            int inner_kind;
            Py_ssize_t inner_end;
            int inner = cue_at(c, k, &inner_kind, &inner_end);
            if (inner < 0) return -1;
            if (inner == 1) {
                if (k == start) { /* two cues in a row: the scope is the second cue */
                    k = inner_end;
                    resume = start;
                }
                break;
            }
            if (inner == 2) {
                k = inner_end < limit ? inner_end : limit;
                continue;
            }
            k++;
        }
        if (k > start) {
            PyObject *item = Py_BuildValue("(nnnnn)", sentence, (Py_ssize_t)kind, i, start, k - 1);
            int appended = item && PyList_Append(result, item) == 0;
            Py_XDECREF(item);
            if (!appended) return -1;
        }
        i = resume < 0 ? k : resume;
    }
    return 0;
}

/* An int64 buffer's items and number: 0, or -1 with an exception set (`view` to release). */
static int int64_items(PyObject *obj, Py_buffer *view, const char *name) {
    if (PyObject_GetBuffer(obj, view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) return -1;
    const char *format = view->format;
    if (view->itemsize != 8 || !format || (strcmp(format, "q") && strcmp(format, "l"))) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_TypeError, "%s: an int64 buffer", name);
        return -1;
    }
    return 0;
}

/* Whether the m sentence bounds run from 0 to n, never down: 0, or -1 with an exception set. */
static int check_bounds(const int64_t *bounds, Py_ssize_t m, Py_ssize_t n) {
    int ok = m > 0 && bounds[0] == 0 && bounds[m - 1] == n;
    for (Py_ssize_t k = 1; ok && k < m; k++) ok = bounds[k] >= bounds[k - 1];
    if (!ok) PyErr_SetString(PyExc_ValueError, "bounds must run from 0 to len(words), not down");
    return ok ? 0 : -1;
}

static PyObject *Scopes_find(Scopes *r, PyObject *args) {
    PyObject *words, *bounds_obj, *text, *starts_obj, *ends_obj;
    if (!PyArg_ParseTuple(args, "OOUOO:find", &words, &bounds_obj, &text, &starts_obj, &ends_obj))
        return NULL;
    if (!r->vocabulary) {
        PyErr_SetString(PyExc_RuntimeError, "the Scopes was not initialised");
        return NULL;
    }
    Py_ssize_t n;
    PyObject *const *items;
    if (word_items(words, &items, &n) < 0) return NULL;
    Py_buffer bv, sv, ev;
    if (int64_items(bounds_obj, &bv, "bounds") < 0) return NULL;
    if (int64_items(starts_obj, &sv, "starts") < 0) {
        PyBuffer_Release(&bv);
        return NULL;
    }
    if (int64_items(ends_obj, &ev, "ends") < 0) {
        PyBuffer_Release(&bv);
        PyBuffer_Release(&sv);
        return NULL;
    }
    PyObject *result = NULL;
    int32_t *ids = NULL;
    signed char *stop = NULL;
    const int64_t *bounds = bv.buf, *starts = sv.buf, *ends = ev.buf;
    Py_ssize_t m = bv.len / 8, length = PyUnicode_GET_LENGTH(text);
    if (sv.len / 8 != n || ev.len / 8 != n) {
        PyErr_SetString(PyExc_ValueError, "starts and ends: one per word");
        goto done;
    }
    if (check_bounds(bounds, m, n) < 0) goto done;
    for (Py_ssize_t t = 0; t < n; t++)
        if (starts[t] < 0 || starts[t] > ends[t] || ends[t] > length ||
            (t > 0 && starts[t] < ends[t - 1])) {
            PyErr_SetString(PyExc_ValueError, "starts and ends: ordered tokens of the text");
            goto done;
        }
    ids = PyMem_Malloc(sizeof(int32_t) * (size_t)(n ? n : 1));
    stop = PyMem_Malloc((size_t)(n ? n : 1));
    if (!ids || !stop) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (word_id(r->vocabulary, items[i], r->n[S_CUE], &ids[i]) < 0) goto done;
    memset(stop, -1, (size_t)(n ? n : 1));
    result = PyList_New(0);
    for (Py_ssize_t k = 1; result && k < m; k++) {
        Py_ssize_t lo = (Py_ssize_t)bounds[k - 1], hi = (Py_ssize_t)bounds[k];
        if (hi == lo) continue;
        Clause c = {r,           items + lo, ids + lo, hi - lo, starts + lo, ends + lo,
                    PyUnicode_KIND(text), PyUnicode_DATA(text), stop + lo};
        if (scopes_into(&c, k - 1, result) < 0) Py_CLEAR(result);
    }
done:
    PyMem_Free(ids);
    PyMem_Free(stop);
    PyBuffer_Release(&bv);
    PyBuffer_Release(&sv);
    PyBuffer_Release(&ev);
    return result;
}

static int Scopes_traverse(Scopes *r, visitproc visit, void *arg) {
    Py_VISIT(r->vocabulary);
    Py_VISIT(r->suffixes);
    return 0;
}

static int Scopes_clear_refs(Scopes *r) {
    Py_CLEAR(r->vocabulary);
    Py_CLEAR(r->suffixes);
    return 0;
}

static void Scopes_dealloc(Scopes *r) {
    PyObject_GC_UnTrack(r);
    Scopes_clear_refs(r);
    for (int i = 0; i < N_SCOPE_TABLES; i++) PyMem_Free(r->t[i]);
    Py_TYPE(r)->tp_free((PyObject *)r);
}

static PyMethodDef Scopes_methods[] = {
    {"find", (PyCFunction)Scopes_find, METH_VARARGS,
     "find(words, bounds, text, starts, ends) -> [(sentence, kind, cue, first, last), ...]: the "
     "scopes of each sentence words[bounds[k]:bounds[k + 1]], tokens counted from its first "
     "word; bounds, starts and ends are int64 buffers."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ScopesType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "model._matcher.Scopes",
    .tp_basicsize = sizeof(Scopes),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The scope rules of negation, refusal and demands on flat tables.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Scopes_init,
    .tp_dealloc = (destructor)Scopes_dealloc,
    .tp_traverse = (traverseproc)Scopes_traverse,
    .tp_clear = (inquiry)Scopes_clear_refs,
    .tp_methods = Scopes_methods,
};

/* ---- the event block of a compiled model (`model.compiled.CompiledModel._with_events`) ---- */

enum {
    E_SETTINGS,     /* [2] scope kinds K, content_only (`EventReader`) */
    E_HAS,          /* [codes * (K + 1)] 1: a match of this code, outside a scope (0) or in a
                       scope of kind s (s + 1), has features (`EventReader._features`) */
    E_INDEX,        /* [codes * (K + 1) + 1] CSR into E_COLUMNS: the model's columns of them */
    E_COLUMNS,      /* column numbers, each below the number of idf values */
    E_SCOPE_COLUMN, /* [K] the column of a scope of kind s as a feature, or -1 */
    N_EVENT_TABLES
};

typedef struct {
    PyObject_HEAD PyObject *codes; /* dict str -> code number */
    PyObject *function_words;      /* frozenset of str */
    int32_t *t[N_EVENT_TABLES];
    Py_ssize_t n[N_EVENT_TABLES];
    double *idf, *coef;
    Py_ssize_t n_columns, n_codes; /* the tables' numbers of columns and codes */
} Events;

static int Events_init(Events *ev, PyObject *args, PyObject *kwds) {
    PyObject *codes, *function_words, *tables, *idf, *coef;
    if (!PyArg_ParseTuple(args, "O!O!O!OO", &PyDict_Type, &codes, &PyFrozenSet_Type,
                          &function_words, &PyTuple_Type, &tables, &idf, &coef))
        return -1;
    if (ev->codes) {
        PyErr_SetString(PyExc_TypeError, "an Events is initialised once");
        return -1;
    }
    if (copy_tables(tables, ev->t, ev->n, N_EVENT_TABLES) < 0) return -1;
    Py_ssize_t n_idf, n_coef;
    if (copy_buffer(idf, (void **)&ev->idf, &n_idf, 8) < 0 ||
        copy_buffer(coef, (void **)&ev->coef, &n_coef, 8) < 0)
        return -1;
    Py_ssize_t kinds = ev->n[E_SETTINGS] == 2 ? ev->t[E_SETTINGS][0] : -1;
    Py_ssize_t cells = PyDict_GET_SIZE(codes) * (kinds + 1);
    int ok = kinds >= 0 && n_idf == n_coef && ev->n[E_HAS] == cells &&
             ev->n[E_INDEX] == cells + 1 && ev->n[E_SCOPE_COLUMN] == kinds;
    for (Py_ssize_t i = 0; ok && i < ev->n[E_COLUMNS]; i++)
        ok = ev->t[E_COLUMNS][i] >= 0 && ev->t[E_COLUMNS][i] < n_idf;
    for (Py_ssize_t i = 0; ok && i < kinds; i++) ok = ev->t[E_SCOPE_COLUMN][i] < n_idf;
    PyObject *key, *value;
    for (Py_ssize_t pos = 0; ok && PyDict_Next(codes, &pos, &key, &value);) {
        Py_ssize_t number = PyLong_Check(value) ? PyLong_AsSsize_t(value) : -1;
        if (number == -1 && PyErr_Occurred()) return -1;
        ok = PyUnicode_CheckExact(key) && number >= 0 && number < PyDict_GET_SIZE(codes);
    }
    for (Py_ssize_t i = 0; ok && i < cells; i++)
        ok = ev->t[E_INDEX][i] <= ev->t[E_INDEX][i + 1] && ev->t[E_INDEX][i] >= 0 &&
             ev->t[E_INDEX][i + 1] <= ev->n[E_COLUMNS];
    if (!ok) {
        PyErr_SetString(PyExc_ValueError, "Events tables disagree in size");
        return -1;
    }
    ev->n_columns = n_idf;
    ev->n_codes = PyDict_GET_SIZE(codes);
    PyObject *copy = PyDict_Copy(codes); /* its own: the numbers stay those checked */
    if (!copy) return -1;
    Py_XSETREF(ev->codes, copy);
    Py_INCREF(function_words);
    Py_XSETREF(ev->function_words, function_words);
    return 0;
}

/* `model.text.is_function_word`: in the function words, or every character a decimal digit
 * (`str.isdecimal`). 1, 0, or -1 on an error. */
static int is_function_word(const Events *ev, PyObject *word) {
    int found = PySet_Contains(ev->function_words, word);
    if (found) return found;
    Py_ssize_t n = PyUnicode_GET_LENGTH(word);
    int kind = PyUnicode_KIND(word);
    const void *data = PyUnicode_DATA(word);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, i))) return 0;
    return n > 0;
}

/* A growable int32 array. */
typedef struct {
    int32_t *v;
    Py_ssize_t n, cap;
} Ints;

static int push(Ints *a, int32_t x) {
    if (a->n == a->cap) {
        Py_ssize_t cap = a->cap ? a->cap * 2 : 64;
        int32_t *grown = PyMem_Realloc(a->v, sizeof(int32_t) * (size_t)cap);
        if (!grown) {
            PyErr_NoMemory();
            return -1;
        }
        a->v = grown;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

/* One occurrence the model has columns for. */
typedef struct {
    Py_ssize_t sentence;
    Py_ssize_t cols, n_cols; /* into the columns pool */
    Py_ssize_t toks, n_toks; /* into the tokens pool: text-level, ascending */
    double share;
    uint64_t hash; /* of its phrase: its tokens' entries and which are adjacent */
} Occ;

typedef struct {
    Occ *v;
    Py_ssize_t n, cap;
} Occs;

static Occ *new_occ(Occs *a) {
    if (a->n == a->cap) {
        Py_ssize_t cap = a->cap ? a->cap * 2 : 32;
        Occ *grown = PyMem_Realloc(a->v, sizeof(Occ) * (size_t)cap);
        if (!grown) {
            PyErr_NoMemory();
            return NULL;
        }
        a->v = grown;
        a->cap = cap;
    }
    return &a->v[a->n++];
}

/* The scratch of one `score` call. */
typedef struct {
    const Events *ev;
    Ints cols, toks;
    Occs occs;
    double *value;    /* per column: the block's value x * coef, then shared */
    int32_t *count;   /* per column: occurrences giving it (0: not touched) */
    int32_t *order;   /* the columns touched, in the order first touched */
    const int32_t *entries;
} Reading;

/* `EventBlock.contributions` of occurrences [lo, hi): value[c] = x_c * coef_c and count[c]
 * for each touched column, `order` their first-touched order (its size returned). */
static Py_ssize_t contributions(Reading *r, Py_ssize_t lo, Py_ssize_t hi) {
    Py_ssize_t touched = 0;
    for (Py_ssize_t o = lo; o < hi; o++) {
        const Occ *occ = &r->occs.v[o];
        for (Py_ssize_t j = 0; j < occ->n_cols; j++) {
            int32_t c = r->cols.v[occ->cols + j];
            if (r->count[c]++ == 0) r->order[touched++] = c;
        }
    }
    double square = 0.0;
    for (Py_ssize_t j = 0; j < touched; j++) {
        int32_t c = r->order[j];
        double v = (1.0 + log((double)r->count[c])) * r->ev->idf[c];
        r->value[c] = v;
        square += v * v;
    }
    double norm = sqrt(square);
    for (Py_ssize_t j = 0; j < touched; j++) {
        int32_t c = r->order[j];
        r->value[c] = r->value[c] / norm * r->ev->coef[c];
    }
    return touched;
}

/* The sum of the touched columns' values, in first-touched order; the counts reset. */
static double logit_of(Reading *r, Py_ssize_t touched) {
    double sum = 0.0;
    for (Py_ssize_t j = 0; j < touched; j++) {
        int32_t c = r->order[j];
        sum += r->value[c];
    }
    return sum;
}

static void reset(Reading *r, Py_ssize_t touched) {
    for (Py_ssize_t j = 0; j < touched; j++) r->count[r->order[j]] = 0;
}

static uint64_t phrase_hash(const Reading *r, const Occ *o) {
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t j = 0; j < o->n_toks; j++) {
        int32_t t = r->toks.v[o->toks + j];
        int adjacent = j > 0 && t == r->toks.v[o->toks + j - 1] + 1;
        h = (h ^ (uint64_t)(uint32_t)r->entries[t]) * 1099511628211ULL;
        h = (h ^ (uint64_t)adjacent) * 1099511628211ULL;
    }
    return h;
}

/* Whether two occurrences read as the same phrase: the same entries, adjacent alike. */
static int same_phrase(const Reading *r, const Occ *a, const Occ *b) {
    if (a->hash != b->hash || a->n_toks != b->n_toks) return 0;
    const int32_t *x = r->toks.v + a->toks, *y = r->toks.v + b->toks;
    for (Py_ssize_t j = 0; j < a->n_toks; j++) {
        if (r->entries[x[j]] != r->entries[y[j]]) return 0;
        if (j && (x[j] == x[j - 1] + 1) != (y[j] == y[j - 1] + 1)) return 0;
    }
    return 1;
}

static const Reading *sorting; /* the reading whose occurrences `by_phrase` sorts (GIL held) */

/* Occurrences by phrase (hash, then the whole key: length, entries, adjacency), then position:
 * those that read alike are consecutive, the first one first. */
static int by_phrase(const void *pa, const void *pb) {
    Py_ssize_t a = *(const Py_ssize_t *)pa, b = *(const Py_ssize_t *)pb;
    const Reading *r = sorting;
    const Occ *x = &r->occs.v[a], *y = &r->occs.v[b];
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    if (x->n_toks != y->n_toks) return x->n_toks < y->n_toks ? -1 : 1;
    const int32_t *s = r->toks.v + x->toks, *t = r->toks.v + y->toks;
    for (Py_ssize_t j = 0; j < x->n_toks; j++) {
        int32_t e = r->entries[s[j]], f = r->entries[t[j]];
        if (e != f) return e < f ? -1 : 1;
        int p = j && s[j] == s[j - 1] + 1, q = j && t[j] == t[j - 1] + 1;
        if (p != q) return p < q ? -1 : 1;
    }
    return (a > b) - (a < b);
}

/* A kernel phrase: its first token and length, its row. */
typedef struct {
    Py_ssize_t first, length, row;
} Head;

static const int32_t *head_entries; /* the entries `by_head` reads (GIL held) */

/* The entries of `n` tokens from `s` against those from `t`, in order. */
static int entries_order(const int32_t *entries, Py_ssize_t s, Py_ssize_t t, Py_ssize_t n) {
    for (Py_ssize_t j = 0; j < n; j++)
        if (entries[s + j] != entries[t + j]) return entries[s + j] < entries[t + j] ? -1 : 1;
    return 0;
}

/* Kernel phrases by length, then entries, then row. */
static int by_head(const void *pa, const void *pb) {
    const Head *a = pa, *b = pb;
    if (a->length != b->length) return a->length < b->length ? -1 : 1;
    int order = entries_order(head_entries, a->first, b->first, a->length);
    if (order) return order;
    return (a->row > b->row) - (a->row < b->row);
}

/* Whether `item` is a tuple of `size` items: 0, or -1 with an exception set. */
static int tuple_of(PyObject *item, Py_ssize_t size, const char *what) {
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != size) {
        PyErr_Format(PyExc_TypeError, "%s: tuples of %zd items", what, size);
        return -1;
    }
    return 0;
}

/* An int in [lo, hi), or -1 with an exception set. */
static Py_ssize_t small_int(PyObject *obj, Py_ssize_t lo, Py_ssize_t hi, const char *what) {
    Py_ssize_t v = PyLong_AsSsize_t(obj);
    if (v == -1 && PyErr_Occurred()) return -1;
    if (v < lo || v >= hi) {
        PyErr_Format(PyExc_ValueError, "%s out of range", what);
        return -1;
    }
    return v;
}

/* A scope of `Scopes.find`, its token numbers made text-level. */
typedef struct {
    Py_ssize_t sentence, kind, cue, first, last;
} ScopeAt;

static PyObject *Events_score(Events *ev, PyObject *args) {
    PyObject *matches, *scopes, *words, *bounds_obj, *starts_obj, *ends_obj, *entries_obj,
        *heads_obj, *logits_obj;
    if (!PyArg_ParseTuple(args, "O!O!O!OOOOOO:score", &PyList_Type, &matches, &PyList_Type,
                          &scopes, &PyList_Type, &words, &bounds_obj, &starts_obj, &ends_obj,
                          &entries_obj, &heads_obj, &logits_obj))
        return NULL;
    if (!ev->codes) {
        PyErr_SetString(PyExc_RuntimeError, "the Events was not initialised");
        return NULL;
    }
    PyObject *result = NULL;
    Py_buffer bv = {0}, sv = {0}, endv = {0}, entv = {0}, hv = {0}, lv = {0};
    Reading r = {ev};
    ScopeAt *found = NULL;
    Py_ssize_t *byp = NULL, *group = NULL;
    Head *heads = NULL;
    PyObject *merged = NULL, *firsts = NULL;
    double *weights = NULL;
    int64_t *sizes = NULL, *spans = NULL;
    int has_logits = logits_obj != Py_None;
    if (int64_items(bounds_obj, &bv, "bounds") < 0 || int64_items(starts_obj, &sv, "starts") < 0 ||
        int64_items(ends_obj, &endv, "ends") < 0 || int64_items(heads_obj, &hv, "heads") < 0)
        goto done;
    if (PyObject_GetBuffer(entries_obj, &entv, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) goto done;
    if (entv.itemsize != 4 || !entv.format || strcmp(entv.format, "i")) {
        PyErr_SetString(PyExc_TypeError, "entries: an int32 buffer");
        goto done;
    }
    if (has_logits && PyObject_GetBuffer(logits_obj, &lv, PyBUF_WRITABLE | PyBUF_FORMAT |
                                                              PyBUF_C_CONTIGUOUS) < 0)
        goto done;
    Py_ssize_t n = PyList_GET_SIZE(words), m = bv.len / 8, n_heads = hv.len / 16;
    const int64_t *bounds = bv.buf, *starts = sv.buf, *ends = endv.buf, *head = hv.buf;
    r.entries = entv.buf;
    if (sv.len / 8 != n || endv.len / 8 != n || entv.len / 4 != n || hv.len % 16 ||
        (has_logits && (lv.itemsize != 8 || strcmp(lv.format, "d") || lv.len / 8 != m - 1))) {
        PyErr_SetString(PyExc_ValueError, "score: words, starts, ends, entries and logits "
                                          "disagree in size");
        goto done;
    }
    if (check_bounds(bounds, m, n) < 0) goto done;
    for (Py_ssize_t i = 0; i < 2 * n_heads; i++)
        if (head[i] < 0 || head[i] >= n || (i % 2 && head[i] < head[i - 1])) {
            PyErr_SetString(PyExc_ValueError, "heads: first and last tokens of phrases");
            goto done;
        }
    if (n > INT32_MAX / 2) {
        PyErr_SetString(PyExc_ValueError, "words: too many");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (!PyUnicode_CheckExact(PyList_GET_ITEM(words, i))) { /* a subclass's hash runs Python */
            PyErr_SetString(PyExc_TypeError, "score(words): words are str");
            goto done;
        }
    Py_ssize_t kinds = ev->t[E_SETTINGS][0], n_codes = ev->n_codes;
    int content_only = ev->t[E_SETTINGS][1];

    /* the scopes, text-level */
    Py_ssize_t n_found = PyList_GET_SIZE(scopes);
    found = PyMem_Malloc(sizeof(ScopeAt) * (size_t)(n_found ? n_found : 1));
    r.value = PyMem_Calloc((size_t)(ev->n_columns ? ev->n_columns : 1), sizeof(double));
    r.count = PyMem_Calloc((size_t)(ev->n_columns ? ev->n_columns : 1), sizeof(int32_t));
    r.order = PyMem_Malloc(sizeof(int32_t) * (size_t)(ev->n_columns ? ev->n_columns : 1));
    if (!found || !r.value || !r.count || !r.order) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t j = 0; j < n_found; j++) {
        PyObject *item = PyList_GET_ITEM(scopes, j);
        if (tuple_of(item, 5, "scopes") < 0) goto done;
        ScopeAt *f = &found[j];
        f->sentence = small_int(PyTuple_GET_ITEM(item, 0), 0, m - 1, "a scope's sentence");
        if (f->sentence < 0) goto done;
        if (j && f->sentence < found[j - 1].sentence) {
            PyErr_SetString(PyExc_ValueError, "scopes: in sentence order");
            goto done;
        }
        Py_ssize_t lo = bounds[f->sentence], size = bounds[f->sentence + 1] - lo;
        if ((f->kind = small_int(PyTuple_GET_ITEM(item, 1), 0, kinds, "a scope's kind")) < 0 ||
            (f->cue = small_int(PyTuple_GET_ITEM(item, 2), 0, size, "a scope's cue")) < 0 ||
            (f->first = small_int(PyTuple_GET_ITEM(item, 3), f->cue + 1, size, "a scope")) < 0 ||
            (f->last = small_int(PyTuple_GET_ITEM(item, 4), f->first, size, "a scope")) < 0)
            goto done;
        f->cue += lo;
        f->first += lo;
        f->last += lo;
    }

    /* `EventReader.read`: a sentence's scopes, then its matches, in text order */
    Py_ssize_t next = 0, here = 0; /* the next scope to read; the first of its sentence's */
    Py_ssize_t at = 0, at_sentence = -1, at_verb = 0; /* the scope the last match was held to */
    Py_ssize_t n_matches = PyList_GET_SIZE(matches);
    for (Py_ssize_t j = 0; j <= n_matches; j++) {
        Py_ssize_t k = m; /* past the last sentence: the scopes left */
        PyObject *item = NULL;
        if (j < n_matches) {
            item = PyList_GET_ITEM(matches, j);
            if (tuple_of(item, 4, "matches") < 0) goto done;
            k = small_int(PyTuple_GET_ITEM(item, 0), 0, m - 1, "a match's sentence");
            if (k < 0) goto done;
        }
        for (; next < n_found && found[next].sentence <= k; next++) {
            const ScopeAt *f = &found[next];
            if (next == 0 || found[next - 1].sentence != f->sentence) here = next;
            int32_t column = ev->t[E_SCOPE_COLUMN][f->kind];
            if (column < 0) continue;
            Occ *o = new_occ(&r.occs);
            if (!o) goto done;
            *o = (Occ){f->sentence, r.cols.n, 1, r.toks.n, f->last - f->cue + 1, 0.0, 0};
            if (push(&r.cols, column) < 0) goto done;
            for (Py_ssize_t t = f->cue; t <= f->last; t++)
                if (push(&r.toks, (int32_t)t) < 0) goto done;
        }
        if (!item) break;
        Py_ssize_t lo = bounds[k], size = bounds[k + 1] - lo;
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(item, 1))) {
            PyErr_SetString(PyExc_TypeError, "a match's code: a str");
            goto done;
        }
        PyObject *code = PyDict_GetItemWithError(ev->codes, PyTuple_GET_ITEM(item, 1));
        if (!code) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "a match's code is unknown");
            goto done;
        }
        Py_ssize_t c = small_int(code, 0, n_codes, "a code's number"), verb = -1;
        if (c < 0 || (verb = small_int(PyTuple_GET_ITEM(item, 3), 0, size, "a match's verb")) < 0)
            goto done;
        PyObject *tokens = PyTuple_GET_ITEM(item, 2);
        if (!PyTuple_Check(tokens) || PyTuple_GET_SIZE(tokens) == 0) {
            PyErr_SetString(PyExc_TypeError, "a match's tokens: a tuple, not empty");
            goto done;
        }
        Py_ssize_t n_tokens = PyTuple_GET_SIZE(tokens), mark = r.toks.n;
        for (Py_ssize_t q = 0; q < n_tokens; q++) {
            Py_ssize_t t = small_int(PyTuple_GET_ITEM(tokens, q), 0, size, "a match's token");
            if (t < 0 || push(&r.toks, (int32_t)(lo + t)) < 0) goto done;
            if (q && r.toks.v[r.toks.n - 1] <= r.toks.v[r.toks.n - 2]) {
                PyErr_SetString(PyExc_ValueError, "a match's tokens: ascending");
                goto done;
            }
        }
        r.toks.n = mark; /* read again below, once it is kept */
        if (content_only) {
            int function = is_function_word(ev, PyList_GET_ITEM(words, lo + verb));
            for (Py_ssize_t q = 0; function == 1 && q < n_tokens; q++)
                function = is_function_word(ev, PyList_GET_ITEM(words, r.toks.v[mark + q]));
            if (function < 0) goto done;
            if (function) continue;
        }
        /* the scope holding its verb: a sentence's scopes are disjoint and in order, and its
         * matches come by verb, so one pointer walks them (back to the first if not in order) */
        if (k != at_sentence || lo + verb < at_verb) at = here;
        at_sentence = k;
        at_verb = lo + verb;
        while (at < next && found[at].sentence == k && found[at].last < lo + verb) at++;
        const ScopeAt *inside = NULL;
        if (at < next && found[at].sentence == k && found[at].first <= lo + verb)
            inside = &found[at];
        Py_ssize_t cell = c * (kinds + 1) + (inside ? inside->kind + 1 : 0);
        if (!ev->t[E_HAS][cell]) continue; /* no event there: negated, or a refused conflict */
        int32_t c_lo = ev->t[E_INDEX][cell], c_hi = ev->t[E_INDEX][cell + 1];
        if (c_lo == c_hi) continue; /* features the model does not know: no weight, no phrase */
        Occ *o = new_occ(&r.occs);
        if (!o) goto done;
        *o = (Occ){k, r.cols.n, c_hi - c_lo, mark, 0, 0.0, 0};
        for (int32_t q = c_lo; q < c_hi; q++)
            if (push(&r.cols, ev->t[E_COLUMNS][q]) < 0) goto done;
        if (!inside) {
            r.toks.n = mark + n_tokens; /* kept as read */
        } else { /* led by its cue: the sorted union of the cue's tokens and the match's */
            Ints merged_tokens = {0};
            Py_ssize_t a = 0, cue = inside->cue;
            while (a < n_tokens || cue < inside->first) {
                int32_t x = a < n_tokens ? r.toks.v[mark + a] : INT32_MAX;
                int32_t y = cue < inside->first ? (int32_t)cue : INT32_MAX;
                int32_t t = x < y ? x : y;
                if (x == t) a++;
                if (y == t) cue++;
                if (push(&merged_tokens, t) < 0) {
                    PyMem_Free(merged_tokens.v);
                    goto done;
                }
            }
            r.toks.n = mark;
            for (Py_ssize_t q = 0; q < merged_tokens.n; q++)
                if (push(&r.toks, merged_tokens.v[q]) < 0) {
                    PyMem_Free(merged_tokens.v);
                    goto done;
                }
            PyMem_Free(merged_tokens.v);
        }
        o = &r.occs.v[r.occs.n - 1]; /* the pools may have moved, not the occurrences */
        o->n_toks = r.toks.n - mark;
    }
    Py_ssize_t n_occ = r.occs.n;
    if (n_occ == 0) { /* nothing the model weighs: the kernel's scores stand */
        result = Py_NewRef(Py_None);
        goto done;
    }

    /* the article's share and each occurrence's (`EventBlock.weigh`) */
    Py_ssize_t touched = contributions(&r, 0, n_occ);
    double share = logit_of(&r, touched);
    for (Py_ssize_t o = 0; o < n_occ; o++) {
        Occ *occ = &r.occs.v[o];
        double w = 0.0;
        for (Py_ssize_t j = 0; j < occ->n_cols; j++) {
            int32_t col = r.cols.v[occ->cols + j];
            w += r.value[col] / (double)r.count[col];
        }
        occ->share = w;
        occ->hash = phrase_hash(&r, occ);
    }
    reset(&r, touched);
    /* each sentence's share (`EventBlock.logit`): its occurrences are contiguous */
    if (has_logits) {
        double *logits = lv.buf;
        for (Py_ssize_t lo = 0, hi; lo < n_occ; lo = hi) {
            for (hi = lo + 1; hi < n_occ && r.occs.v[hi].sentence == r.occs.v[lo].sentence; hi++)
                ;
            Py_ssize_t t = contributions(&r, lo, hi);
            logits[r.occs.v[lo].sentence] += logit_of(&r, t);
            reset(&r, t);
        }
    }

    /* phrases: occurrences that read alike, in the order each phrase first occurs */
    byp = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)n_occ);
    group = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)n_occ); /* the phrase's first occurrence */
    if (!byp || !group) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t o = 0; o < n_occ; o++) byp[o] = o;
    sorting = &r;
    qsort(byp, (size_t)n_occ, sizeof(Py_ssize_t), by_phrase);
    sorting = NULL;
    /* each occurrence joins the first one that reads alike: its run's first */
    for (Py_ssize_t a = 0; a < n_occ; a++) {
        Py_ssize_t o = byp[a], before = a ? byp[a - 1] : -1;
        group[o] = before >= 0 && same_phrase(&r, &r.occs.v[before], &r.occs.v[o])
                       ? group[before]
                       : o;
    }
    /* each phrase's weight (its shares, in text order) and spans */
    double *wsum = PyMem_Calloc((size_t)n_occ, sizeof(double));
    Py_ssize_t *span_at = PyMem_Calloc((size_t)n_occ + 1, sizeof(Py_ssize_t));
    heads = PyMem_Malloc(sizeof(Head) * (size_t)(n_heads ? n_heads : 1));
    weights = PyMem_Malloc(sizeof(double) * (size_t)n_occ);
    sizes = PyMem_Malloc(sizeof(int64_t) * (size_t)n_occ);
    merged = PyList_New(0);
    firsts = PyList_New(0);
    if (!wsum || !span_at || !heads || !weights || !sizes || !merged || !firsts) {
        PyMem_Free(wsum);
        PyMem_Free(span_at);
        if (!PyErr_Occurred()) PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t o = 0; o < n_occ; o++) wsum[group[o]] += r.occs.v[o].share;
    for (Py_ssize_t h = 0; h < n_heads; h++)
        heads[h] = (Head){head[2 * h], head[2 * h + 1] - head[2 * h] + 1, h};
    head_entries = r.entries;
    if (n_heads > 1) qsort(heads, (size_t)n_heads, sizeof(Head), by_head);
    head_entries = NULL;
    /* the new phrases' numbers (-1: it reads as a kernel phrase, or is not a phrase's first) */
    Py_ssize_t *number = byp; /* reused: the sort is done */
    Py_ssize_t n_new = 0;
    for (Py_ssize_t o = 0; o < n_occ; o++) {
        number[o] = -1;
        if (group[o] != o) continue;
        const int32_t *tok = r.toks.v + r.occs.v[o].toks;
        Py_ssize_t len = r.occs.v[o].n_toks, row = -1;
        if (tok[len - 1] - tok[0] == len - 1) { /* adjacent: the kernel phrase it reads as */
            Py_ssize_t lo = 0, hi = n_heads; /* past the last with these entries */
            while (lo < hi) {
                Py_ssize_t mid = (lo + hi) / 2;
                int order = heads[mid].length != len
                                ? (heads[mid].length < len ? -1 : 1)
                                : entries_order(r.entries, heads[mid].first, tok[0], len);
                if (order <= 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo > 0 && heads[lo - 1].length == len &&
                entries_order(r.entries, heads[lo - 1].first, tok[0], len) == 0)
                row = heads[lo - 1].row; /* the last row that reads so */
        }
        PyObject *item = NULL;
        if (row >= 0) {
            item = Py_BuildValue("(nd)", row, wsum[o]);
            if (item && PyList_Append(merged, item) < 0) Py_CLEAR(item);
        } else {
            item = PyTuple_New(len);
            for (Py_ssize_t q = 0; item && q < len; q++) {
                PyObject *v = PyLong_FromLong(tok[q]);
                if (!v) Py_CLEAR(item);
                else PyTuple_SET_ITEM(item, q, v);
            }
            if (item && PyList_Append(firsts, item) < 0) Py_CLEAR(item);
            if (item) {
                weights[n_new] = wsum[o];
                number[o] = n_new++;
            }
        }
        if (!item) {
            PyMem_Free(wsum);
            PyMem_Free(span_at);
            goto done;
        }
        Py_DECREF(item);
    }
    PyMem_Free(wsum);
    for (Py_ssize_t k = 0; k < n_new; k++) sizes[k] = 0;
    for (Py_ssize_t o = 0; o < n_occ; o++)
        if (number[group[o]] >= 0) sizes[number[group[o]]] += r.occs.v[o].n_toks;
    for (Py_ssize_t k = 0; k < n_new; k++) span_at[k + 1] = span_at[k] + sizes[k];
    spans = PyMem_Malloc(sizeof(int64_t) * 2 * (size_t)(span_at[n_new] ? span_at[n_new] : 1));
    if (!spans) {
        PyMem_Free(span_at);
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t o = 0; o < n_occ; o++) { /* each phrase's spans in text order */
        Py_ssize_t k = number[group[o]];
        if (k < 0) continue;
        const Occ *occ = &r.occs.v[o];
        for (Py_ssize_t j = 0; j < occ->n_toks; j++) {
            int32_t t = r.toks.v[occ->toks + j];
            spans[2 * span_at[k]] = starts[t];
            spans[2 * span_at[k] + 1] = ends[t];
            span_at[k]++;
        }
    }
    Py_ssize_t n_new_spans = n_new ? span_at[n_new - 1] : 0;
    PyMem_Free(span_at);
    result = Py_BuildValue("(dOOy#y#y#)", share, merged, firsts, (const char *)weights,
                           (Py_ssize_t)(8 * n_new), (const char *)sizes, (Py_ssize_t)(8 * n_new),
                           (const char *)spans, (Py_ssize_t)(16 * n_new_spans));
done:
    if (bv.obj) PyBuffer_Release(&bv);
    if (sv.obj) PyBuffer_Release(&sv);
    if (endv.obj) PyBuffer_Release(&endv);
    if (entv.obj) PyBuffer_Release(&entv);
    if (hv.obj) PyBuffer_Release(&hv);
    if (lv.obj) PyBuffer_Release(&lv);
    PyMem_Free(r.cols.v);
    PyMem_Free(r.toks.v);
    PyMem_Free(r.occs.v);
    PyMem_Free(r.value);
    PyMem_Free(r.count);
    PyMem_Free(r.order);
    PyMem_Free(found);
    PyMem_Free(byp);
    PyMem_Free(group);
    PyMem_Free(heads);
    PyMem_Free(weights);
    PyMem_Free(sizes);
    PyMem_Free(spans);
    Py_XDECREF(merged);
    Py_XDECREF(firsts);
    return result;
}

static int Events_traverse(Events *ev, visitproc visit, void *arg) {
    Py_VISIT(ev->codes);
    Py_VISIT(ev->function_words);
    return 0;
}

static int Events_clear_refs(Events *ev) {
    Py_CLEAR(ev->codes);
    Py_CLEAR(ev->function_words);
    return 0;
}

static void Events_dealloc(Events *ev) {
    PyObject_GC_UnTrack(ev);
    Events_clear_refs(ev);
    for (int i = 0; i < N_EVENT_TABLES; i++) PyMem_Free(ev->t[i]);
    PyMem_Free(ev->idf);
    PyMem_Free(ev->coef);
    Py_TYPE(ev)->tp_free((PyObject *)ev);
}

static PyMethodDef Events_methods[] = {
    {"score", (PyCFunction)Events_score, METH_VARARGS,
     "score(matches, scopes, words, bounds, starts, ends, entries, heads, logits) -> "
     "None, or (share, merged, firsts, weights, sizes, spans): the event block of one text."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject EventsType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "model._matcher.Events",
    .tp_basicsize = sizeof(Events),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The event block of a compiled model: occurrences, their weights and phrases.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Events_init,
    .tp_dealloc = (destructor)Events_dealloc,
    .tp_traverse = (traverseproc)Events_traverse,
    .tp_clear = (inquiry)Events_clear_refs,
    .tp_methods = Events_methods,
};

static struct PyModuleDef matcher_module = {
    PyModuleDef_HEAD_INIT, "model._matcher",
    "The loops of the CAMEO verb pattern matcher and of the scope rules.", -1,
    NULL, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__matcher(void) {
    if (PyType_Ready(&MatcherType) < 0 || PyType_Ready(&ScopesType) < 0 ||
        PyType_Ready(&EventsType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&matcher_module);
    if (!m) return NULL;
    if (PyModule_AddObjectRef(m, "Matcher", (PyObject *)&MatcherType) < 0 ||
        PyModule_AddObjectRef(m, "Scopes", (PyObject *)&ScopesType) < 0 ||
        PyModule_AddObjectRef(m, "Events", (PyObject *)&EventsType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
