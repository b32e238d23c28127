/* The CAMEO verb pattern matcher of `model.events`, in C: the same rules, token for token.
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
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
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

static int Matcher_init(Matcher *m, PyObject *args, PyObject *kwds) {
    PyObject *vocabulary, *codes, *tables;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyDict_Type, &vocabulary, &PyTuple_Type, &codes,
                          &PyTuple_Type, &tables))
        return -1;
    if (m->vocabulary) {
        PyErr_SetString(PyExc_TypeError, "a Matcher is initialised once");
        return -1;
    }
    if (PyTuple_GET_SIZE(tables) != N_TABLES) {
        PyErr_Format(PyExc_ValueError, "Matcher needs %d tables", N_TABLES);
        return -1;
    }
    for (int i = 0; i < N_TABLES; i++) {
        Py_buffer view;
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(tables, i), &view, PyBUF_SIMPLE) < 0) return -1;
        if (view.len % 4) {
            PyBuffer_Release(&view);
            PyErr_SetString(PyExc_ValueError, "tables are int32 buffers");
            return -1;
        }
        PyMem_Free(m->t[i]);
        m->t[i] = PyMem_Malloc(view.len ? (size_t)view.len : 4);
        if (!m->t[i]) {
            PyBuffer_Release(&view);
            PyErr_NoMemory();
            return -1;
        }
        memcpy(m->t[i], view.buf, (size_t)view.len);
        m->n[i] = view.len / 4;
        PyBuffer_Release(&view);
    }
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
        PyObject *word = items[i];
        if (!PyUnicode_CheckExact(word)) { /* no str subclass: its hash could run Python */
            PyErr_SetString(PyExc_TypeError, "match(words): words are str");
            goto done;
        }
        PyObject *id = PyDict_GetItemWithError(m->vocabulary, word);
        if (!id && PyErr_Occurred()) goto done;
        long value = id ? PyLong_AsLong(id) : -1;
        if (value == -1 && PyErr_Occurred()) goto done;
        if (value < -1 || value >= m->n[W_FLAGS]) {
            PyErr_SetString(PyExc_ValueError, "the Matcher's vocabulary holds an id out of range");
            goto done;
        }
        ids[i] = (int32_t)value;
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

/* The items of a list or tuple of words (each checked as exact str when matched) and their
 * number: 0, or -1 with an exception set. */
static int word_items(const Matcher *m, PyObject *words, PyObject *const **items, Py_ssize_t *n) {
    if (!m->vocabulary) {
        PyErr_SetString(PyExc_RuntimeError, "the Matcher was not initialised");
        return -1;
    }
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
    Py_ssize_t n;
    PyObject *const *items;
    if (word_items(m, words, &items, &n) < 0) return NULL;
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

static struct PyModuleDef matcher_module = {
    PyModuleDef_HEAD_INIT, "model._matcher", "The CAMEO verb pattern matcher's loops.", -1,
    NULL, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__matcher(void) {
    if (PyType_Ready(&MatcherType) < 0) return NULL;
    PyObject *m = PyModule_Create(&matcher_module);
    if (!m) return NULL;
    Py_INCREF(&MatcherType);
    if (PyModule_AddObject(m, "Matcher", (PyObject *)&MatcherType) < 0) {
        Py_DECREF(&MatcherType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
