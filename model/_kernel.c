/* The scoring kernel: tokenising, feature lookup and TF-IDF arithmetic of a compiled model.
 *
 * `model.compiled` owns the model and the policy; this file only does the per-token loops.
 *
 *   Kernel(word_idf, word_coef, char_idf, char_coef, ngram_keys, ngram_cols, width, max_n,
 *          vocabulary, ngram_ids, char_grams, char_min_n, char_max_n)
 *   kernel.tokenize(text) -> the word forms it does not know (list of str, first-seen order)
 *   kernel.resolve(norms, flags) -> (starts: bytes of int64, ends: int64, entries: int32,
 *                                    flags: uint8 per token)
 *   kernel.score(entries, starts, ends, mask, sentence_mask, bounds) -> logits and phrases
 *   kernel.words();  kernel.char_columns(norm);  kernel.clear();  kernel.size()
 *
 * Tokens are what `re.compile(r"\w+(?:[-\u2010\u2011'\u2019]\w+)*")` finds (`\w` as Python's
 * `re` defines it for str). Each distinct word form as written (its *surface*) maps to an entry:
 * a normalised word with its unigram column, its id in the n-gram table, its character n-gram
 * columns and one byte of flags the caller computes (its actor role; bit 4: no character n-grams,
 * the word counts only inside word n-grams). The call is one way:
 * `tokenize` returns the surfaces it does not know; the caller normalises them (the kernel never
 * does: `model.text.normalise` is the one definition) and passes the normalised forms and their
 * flags to `resolve`, which makes the missing entries and returns the text's tokens. Nothing
 * calls back into Python. Every lookup is in a hash table keyed by code points, built once at
 * init (the vocabulary's single words; its character n-grams, packed into the slot when at most
 * PACKED code points long) or grown with the entries (surfaces, normalised forms): a new word
 * costs its character n-gram windows (padded with spaces as `model.text.word_char_ngrams` does),
 * about one memory access each, and no Python object but its normalised form.
 *
 * TF-IDF as scikit-learn computes it: tf = 1 + ln(count), times idf, divided by the block's L2
 * norm; the logit is the sum over blocks of x * coef (the bias is added by the caller).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "_rules.h" /* the character classes of model/features.py, written by setup.py */

typedef struct {
    int64_t key; /* 0: empty (real keys are >= 1: word ids start at 1) */
    int32_t col;
} Slot;

/* One feature column: the model's numbers and the current text's, on one cache line. */
typedef struct {
    double idf, coef;
    double value;   /* contribution to the text being explained (touched columns only) */
    int32_t count;  /* occurrences in the current text; zero between calls */
    int32_t phrase; /* its phrase in the text being explained, else -1 */
} Column;

typedef struct {
    Py_ssize_t size; /* vocabulary size */
    Column *cols;
    int32_t *touched; /* columns with a non-zero count, in first-seen order */
    Py_ssize_t n_touched;
} Block;

/* A hash table keyed by strings of code points (value >= 0), the keys back to back in `cps`. */
typedef struct {
    uint32_t off; /* into cps */
    uint32_t hash, len;
    int32_t value; /* -1: empty */
} TSlot;

typedef struct {
    TSlot *slots;
    uint64_t mask;
    Py_ssize_t count;
    uint32_t *cps;
    Py_ssize_t n_cps, cap_cps;
} Table;

/* A character n-gram of at most PACKED code points (21 bits each), packed into the slot itself:
 * one memory access per lookup, which is most of the cost of a never-seen word. */
#define PACKED 6
typedef struct {
    uint64_t k0, k1; /* code points 0-2 and 3-5, 21 bits each */
    int32_t col;     /* -1: empty */
    uint32_t len;
} GramSlot;

typedef struct {
    PyObject_HEAD
    Block word, chars;
    Slot *table; /* n-gram key -> word column, open addressing */
    uint64_t table_mask;
    int64_t width;
    int max_n;
    PyObject *words;              /* list: normalised form of each entry; NULL until init */
    Table surfaces, norms, known; /* surface -> entry; norm -> entry; vocabulary word -> index */
    int32_t *known_unigram, *known_ngram; /* per vocabulary word: column, n-gram id (or -1) */
    Py_ssize_t cap_known;
    Table grams;                          /* char n-gram -> column (when char_max_n > PACKED) */
    GramSlot *packed;                     /* the same, keys packed in the slot (else) */
    uint64_t packed_mask;
    uint64_t *bloom; /* a blocked Bloom filter of the packed n-grams, 16 bits per n-gram */
    uint64_t bloom_mask;
    int char_min_n, char_max_n;
    Table pending; /* surfaces of the last `tokenize` not yet resolved -> their index */
    int64_t *pending_start;
    int32_t *pending_entry;
    Py_ssize_t cap_pending, n_tokens;
    uint32_t *scratch; /* code points of one word, padded */
    Py_ssize_t cap_scratch;
    /* entries */
    int32_t *unigram, *ngram_id, *slot;
    uint8_t *flags;
    int64_t *char_start; /* n_entries + 1 offsets into chars */
    int32_t *char_cols;
    Py_ssize_t n_entries, cap_entries, n_char_cols, cap_char_cols;
    /* scratch, grown as needed */
    int64_t *tok_start, *tok_end;
    int32_t *tok_entry;
    Py_ssize_t cap_tokens;
    int32_t *occ_col, *occ_phrase, *tok_phrase; /* n-gram occurrences; each token's phrase */
    int64_t *occ_first, *occ_last;
    double *ph_weight;                       /* phrases: n-grams, then single words */
    int64_t *ph_head, *ph_count, *ph_spans;  /* first occurrence's tokens; spans (CSR) */
    Py_ssize_t cap_out;
} Kernel;

/* ---- helpers ---------------------------------------------------------------------------- */

static int grow(void **buf, Py_ssize_t *cap, Py_ssize_t need, size_t item) {
    if (need <= *cap) return 0;
    Py_ssize_t n = *cap ? *cap : 256;
    while (n < need) n *= 2;
    void *p = PyMem_Realloc(*buf, (size_t)n * item);
    if (!p) {
        PyErr_NoMemory();
        return -1;
    }
    *buf = p;
    *cap = n;
    return 0;
}

static uint64_t mix(uint64_t x) { /* splitmix64 finaliser */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static int32_t table_get(const Kernel *k, int64_t key) {
    if (!k->table || key <= 0) return -1;
    uint64_t i = mix((uint64_t)key) & k->table_mask;
    for (;;) {
        const Slot *s = &k->table[i];
        if (s->key == key) return s->col;
        if (s->key == 0) return -1;
        i = (i + 1) & k->table_mask;
    }
}

static uint32_t hash_cps(const uint32_t *s, Py_ssize_t n) {
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a over code points, then mixed */
    for (Py_ssize_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ULL;
    return (uint32_t)mix(h);
}

static int32_t tfind(const Table *t, const uint32_t *s, Py_ssize_t n, uint32_t h) {
    if (!t->slots) return -1;
    for (uint64_t i = h & t->mask;; i = (i + 1) & t->mask) {
        const TSlot *x = &t->slots[i];
        if (x->value < 0) return -1;
        if (x->hash == h && x->len == (uint32_t)n &&
            (n == 0 || memcmp(t->cps + x->off, s, (size_t)n * sizeof(uint32_t)) == 0))
            return x->value;
    }
}

static void tplace(TSlot *slots, uint64_t mask, TSlot item) {
    uint64_t i = item.hash & mask;
    while (slots[i].value >= 0) i = (i + 1) & mask;
    slots[i] = item;
}

/* Add a key that is not in the table; -1 with an exception on failure (table unchanged). */
static int tinsert(Table *t, const uint32_t *s, Py_ssize_t n, uint32_t h, int32_t value) {
    if (value < 0 || (uint64_t)t->n_cps + (uint64_t)n > UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "table full or bad value");
        return -1;
    }
    uint64_t size = t->slots ? t->mask + 1 : 0;
    if ((uint64_t)(t->count + 1) * 2 > size) { /* load factor at most 1/2 */
        uint64_t bigger = size ? 2 * size : 64;
        TSlot *slots = PyMem_Malloc((size_t)bigger * sizeof(TSlot));
        if (!slots) {
            PyErr_NoMemory();
            return -1;
        }
        memset(slots, 0xff, (size_t)bigger * sizeof(TSlot));
        for (uint64_t i = 0; i < size; i++)
            if (t->slots[i].value >= 0) tplace(slots, bigger - 1, t->slots[i]);
        PyMem_Free(t->slots);
        t->slots = slots;
        t->mask = bigger - 1;
    }
    if (grow((void **)&t->cps, &t->cap_cps, t->n_cps + n, sizeof(uint32_t)) < 0) return -1;
    if (n) memcpy(t->cps + t->n_cps, s, (size_t)n * sizeof(uint32_t));
    tplace(t->slots, t->mask, (TSlot){(uint32_t)t->n_cps, h, (uint32_t)n, value});
    t->n_cps += n;
    t->count++;
    return 0;
}

static void tclear(Table *t) { /* keeps the memory, for a table cleared once per text */
    if (t->slots && t->count) memset(t->slots, 0xff, (size_t)(t->mask + 1) * sizeof(TSlot));
    t->count = 0;
    t->n_cps = 0;
}

static void tfree(Table *t) {
    PyMem_Free(t->slots);
    PyMem_Free(t->cps);
    memset(t, 0, sizeof(*t));
}

static inline void pack_gram(const uint32_t *s, int n, uint64_t *k0, uint64_t *k1) {
    uint64_t a = 0, b = 0;
    for (int i = 0; i < n && i < 3; i++) a |= (uint64_t)s[i] << (21 * i);
    for (int i = 3; i < n; i++) b |= (uint64_t)s[i] << (21 * (i - 3));
    *k0 = a;
    *k1 = b;
}

static inline uint64_t gram_hash(uint64_t k0, uint64_t k1, int n) {
    return mix(k0 ^ mix(k1 ^ ((uint64_t)n << 60)));
}

/* Two bits of one 64-bit word: most n-gram windows of a new word are in no vocabulary, and the
 * filter (small enough to stay in cache) answers those without touching the table. */
static inline uint64_t bloom_bits(uint64_t h) {
    return (1ULL << ((h >> 52) & 63)) | (1ULL << ((h >> 58) & 63));
}

static int32_t packed_find(const Kernel *k, const uint32_t *s, int n) {
    uint64_t k0, k1;
    pack_gram(s, n, &k0, &k1);
    uint64_t h = gram_hash(k0, k1, n), bits = bloom_bits(h);
    if ((k->bloom[(h >> 32) & k->bloom_mask] & bits) != bits) return -1;
    for (uint64_t i = h & k->packed_mask;; i = (i + 1) & k->packed_mask) {
        const GramSlot *g = &k->packed[i];
        if (g->col < 0) return -1;
        if (g->k0 == k0 && g->k1 == k1 && g->len == (uint32_t)n) return g->col;
    }
}

/* The code points of `s` into k->scratch at offset `pad` (one slot before and after it kept for
 * padding); its length, or -1 with an exception. */
static Py_ssize_t read_cps(Kernel *k, PyObject *s, Py_ssize_t start, Py_ssize_t end) {
    Py_ssize_t n = end - start;
    if (grow((void **)&k->scratch, &k->cap_scratch, n + 2, sizeof(uint32_t)) < 0) return -1;
    const int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    for (Py_ssize_t i = 0; i < n; i++) k->scratch[1 + i] = PyUnicode_READ(kind, data, start + i);
    return n;
}

/* A contiguous buffer of `count` items of `item` bytes each; -1 with an exception otherwise. */
static int get_array(PyObject *obj, Py_buffer *view, size_t item, const char *name) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS) < 0) return -1;
    if (view->len % (Py_ssize_t)item != 0) {
        PyErr_Format(PyExc_ValueError, "%s: expected items of %zu bytes", name, item);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* Two arrays of `item`-byte items and the same length: their length, or -1 with an exception
 * (and neither buffer held). */
static Py_ssize_t get_pair(PyObject *a, PyObject *b, Py_buffer *va, Py_buffer *vb, size_t item,
                           const char *what) {
    if (get_array(a, va, item, what) < 0) return -1;
    if (get_array(b, vb, item, what) < 0) {
        PyBuffer_Release(va);
        return -1;
    }
    if (va->len != vb->len) {
        PyErr_Format(PyExc_ValueError, "%s: the two arrays differ in length", what);
        PyBuffer_Release(va);
        PyBuffer_Release(vb);
        return -1;
    }
    return va->len / (Py_ssize_t)item;
}

static int copy_block(Block *b, PyObject *idf, PyObject *coef) {
    Py_buffer vi, vc;
    Py_ssize_t n = get_pair(idf, coef, &vi, &vc, sizeof(double), "idf and coef");
    if (n < 0) return -1;
    int rc = -1;
    b->size = n;
    size_t m = n ? (size_t)n : 1;
    b->cols = PyMem_Malloc(m * sizeof(Column));
    b->touched = PyMem_Malloc(m * sizeof(int32_t));
    if (!b->cols || !b->touched) {
        PyErr_NoMemory();
        goto done;
    }
    const double *idf_values = vi.buf, *coef_values = vc.buf;
    for (Py_ssize_t c = 0; c < n; c++)
        b->cols[c] = (Column){idf_values[c], coef_values[c], 0.0, 0, -1};
    rc = 0;
done:
    PyBuffer_Release(&vi);
    PyBuffer_Release(&vc);
    return rc;
}

static void free_block(Block *b) {
    PyMem_Free(b->cols);
    PyMem_Free(b->touched);
    memset(b, 0, sizeof(*b));
}

/* 1 + ln(count) for small counts, computed with the same log() as larger ones. */
#define TF_TABLE 256
static double tf_table[TF_TABLE];

static inline double tf(int32_t count) {
    return count < TF_TABLE ? tf_table[count] : 1.0 + log((double)count);
}

static inline void add(Block *b, int32_t col) {
    if (b->cols[col].count++ == 0) b->touched[b->n_touched++] = col;
}

static void reset(Block *b) {
    for (Py_ssize_t t = 0; t < b->n_touched; t++) b->cols[b->touched[t]].count = 0;
    b->n_touched = 0;
}

/* The block's logit share. With `keep`, each touched column's contribution goes to its `value`
 * and the counts stay (call `reset` after reading them); otherwise the counts are reset. */
static double finish(Block *b, int keep) {
    double norm2 = 0.0, dot = 0.0;
    for (Py_ssize_t t = 0; t < b->n_touched; t++) {
        Column *c = &b->cols[b->touched[t]];
        double v = tf(c->count) * c->idf;
        norm2 += v * v;
        dot += v * c->coef;
    }
    double logit = 0.0, norm = sqrt(norm2);
    if (norm2 > 0.0) logit = dot / norm;
    if (!keep) {
        reset(b);
    } else if (norm2 > 0.0) {
        for (Py_ssize_t t = 0; t < b->n_touched; t++) {
            Column *c = &b->cols[b->touched[t]];
            c->value = tf(c->count) * c->idf / norm * c->coef;
        }
    }
    return logit;
}

/* Methods of a Kernel whose __init__ did not complete raise instead of crashing. */
static int not_ready(const Kernel *k) {
    if (k->words) return 0;
    PyErr_SetString(PyExc_RuntimeError, "Kernel is not initialised");
    return 1;
}

/* ---- tokenising ------------------------------------------------------------------------- */

static inline int is_word(Py_UCS4 ch) {
    if (ch < 128) return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                         (ch >= '0' && ch <= '9') || ch == '_';
    return Py_UNICODE_ISALNUM(ch);
}

static inline int in_rule(Py_UCS4 ch, const Py_UCS4 *chars, int n) {
    for (int i = 0; i < n; i++)
        if (chars[i] == ch) return 1;
    return 0;
}

static inline int is_joiner(Py_UCS4 ch) {
    return in_rule(ch, RULE_WORD_JOINERS, N_RULE_WORD_JOINERS);
}

/* Realloc each of `count` arrays to `cap` items of its size; the arrays that could not grow
 * keep their old block (the caller's capacity stays the old one then). */
static int realloc_all(void **arrays[], const size_t sizes[], int count, Py_ssize_t cap) {
    int ok = 1;
    for (int a = 0; a < count; a++) {
        void *p = PyMem_Realloc(*arrays[a], (size_t)cap * sizes[a]);
        if (p)
            *arrays[a] = p;
        else
            ok = 0;
    }
    if (!ok) PyErr_NoMemory();
    return ok ? 0 : -1;
}

static int grow_tokens(Kernel *k, Py_ssize_t need) {
    Py_ssize_t cap = k->cap_tokens ? k->cap_tokens : 256;
    while (cap < need) cap *= 2;
    void **arrays[] = {(void **)&k->tok_start, (void **)&k->tok_end, (void **)&k->tok_entry};
    const size_t sizes[] = {sizeof(int64_t), sizeof(int64_t), sizeof(int32_t)};
    if (realloc_all(arrays, sizes, 3, cap) < 0) return -1;
    k->cap_tokens = cap;
    return 0;
}

/* The entry of one surface form, or -(1 + its index among the pending ones); -INT32_MAX - 1
 * with an exception on failure. */
static int32_t entry_of(Kernel *k, PyObject *text, Py_ssize_t s, Py_ssize_t e) {
    Py_ssize_t n = read_cps(k, text, s, e);
    if (n < 0) return INT32_MIN;
    const uint32_t *w = k->scratch + 1;
    uint32_t h = hash_cps(w, n);
    int32_t entry = tfind(&k->surfaces, w, n, h);
    if (entry >= 0) return entry;
    int32_t p = tfind(&k->pending, w, n, h);
    if (p >= 0) return -1 - p;
    p = (int32_t)k->pending.count;
    if (p == INT32_MAX - 1) {
        PyErr_SetString(PyExc_ValueError, "too many new word forms in one text");
        return INT32_MIN;
    }
    Py_ssize_t cap = k->cap_pending;
    if (grow((void **)&k->pending_start, &cap, p + 2, sizeof(int64_t)) < 0) return INT32_MIN;
    if (cap != k->cap_pending) {
        int32_t *pe = PyMem_Realloc(k->pending_entry, (size_t)cap * sizeof(int32_t));
        if (!pe) {
            PyErr_NoMemory();
            return INT32_MIN;
        }
        k->pending_entry = pe;
        k->cap_pending = cap;
    }
    k->pending_start[p] = k->pending.n_cps;
    if (tinsert(&k->pending, w, n, h, p) < 0) return INT32_MIN;
    k->pending_start[p + 1] = k->pending.n_cps;
    return -1 - p;
}

static PyObject *Kernel_tokenize(Kernel *k, PyObject *args) {
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U:tokenize", &text)) return NULL;
    if (not_ready(k)) return NULL;
    tclear(&k->pending); /* a text tokenised and never resolved is forgotten */
    k->n_tokens = 0;
    if (!k->cap_tokens && grow_tokens(k, 1) < 0) return NULL; /* never NULL for "y#" */
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    Py_ssize_t n = 0, i = 0;
    while (i < len) {
        if (!is_word(PyUnicode_READ(kind, data, i))) {
            i++;
            continue;
        }
        Py_ssize_t s = i++;
        while (i < len && is_word(PyUnicode_READ(kind, data, i))) i++;
        while (i + 1 < len && is_joiner(PyUnicode_READ(kind, data, i)) &&
               is_word(PyUnicode_READ(kind, data, i + 1))) {
            i += 2;
            while (i < len && is_word(PyUnicode_READ(kind, data, i))) i++;
        }
        if (n == k->cap_tokens && grow_tokens(k, n + 1) < 0) goto fail;
        int32_t entry = entry_of(k, text, s, i);
        if (entry == INT32_MIN) goto fail;
        k->tok_start[n] = s;
        k->tok_end[n] = i;
        k->tok_entry[n] = entry;
        n++;
    }
    PyObject *forms = PyList_New(k->pending.count);
    if (!forms) goto fail;
    for (Py_ssize_t p = 0; p < k->pending.count; p++) {
        const uint32_t *w = k->pending.cps + k->pending_start[p];
        Py_ssize_t size = (Py_ssize_t)(k->pending_start[p + 1] - k->pending_start[p]);
        PyObject *form = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, w, size);
        if (!form) {
            Py_DECREF(forms);
            goto fail;
        }
        PyList_SET_ITEM(forms, p, form);
    }
    k->n_tokens = n;
    return forms;
fail:
    tclear(&k->pending);
    return NULL;
}

/* The character n-gram columns of a normalised word whose code points are at scratch + 1, in
 * `model.text.word_char_ngrams` order, appended to char_cols; -1 with an exception. */
static int add_char_columns(Kernel *k, Py_ssize_t n) {
    if (!k->chars.size) return 0;
    uint32_t *padded = k->scratch;
    padded[0] = padded[n + 1] = RULE_CHAR_NGRAM_PAD[0];
    Py_ssize_t size = n + 2;
    for (int g = k->char_min_n; g <= k->char_max_n; g++)
        for (Py_ssize_t i = 0; i + g <= size; i++) {
            int32_t col = k->packed ? packed_find(k, padded + i, g)
                                    : tfind(&k->grams, padded + i, g, hash_cps(padded + i, g));
            if (col < 0) continue;
            if (grow((void **)&k->char_cols, &k->cap_char_cols, k->n_char_cols + 1,
                     sizeof(int32_t)) < 0)
                return -1;
            k->char_cols[k->n_char_cols++] = col;
        }
    return 0;
}

/* A new entry for the normalised form `norm`, whose code points are at scratch + 1. */
static int32_t new_entry(Kernel *k, PyObject *norm, Py_ssize_t n, uint32_t h, uint8_t flags) {
    int32_t known = tfind(&k->known, k->scratch + 1, n, h);
    int32_t unigram = known < 0 ? -1 : k->known_unigram[known];
    int32_t ngram = known < 0 ? -1 : k->known_ngram[known];
    if (k->n_entries >= INT32_MAX - 1) {
        PyErr_SetString(PyExc_ValueError, "too many entries");
        return -1;
    }
    Py_ssize_t cap = k->cap_entries;
    if (grow((void **)&k->unigram, &cap, k->n_entries + 1, sizeof(int32_t)) < 0) return -1;
    if (cap != k->cap_entries) {
        void **arrays[] = {(void **)&k->ngram_id, (void **)&k->slot, (void **)&k->flags,
                           (void **)&k->char_start};
        const size_t sizes[] = {sizeof(int32_t), sizeof(int32_t), 1, sizeof(int64_t)};
        /* char_start holds one more: realloc it to cap + 1 items of its size */
        if (realloc_all(arrays, sizes, 3, cap) < 0 || realloc_all(arrays + 3, sizes + 3, 1,
                                                                   cap + 1) < 0)
            return -1;
        k->cap_entries = cap;
    }
    Py_ssize_t before = k->n_char_cols;
    /* flag bit 4: a word that counts only inside n-grams has no character n-grams */
    if (((flags & 16) == 0 && add_char_columns(k, n) < 0) || tinsert(&k->norms, k->scratch + 1, n, h,
                                              (int32_t)k->n_entries) < 0 ||
        PyList_Append(k->words, norm) < 0) {
        k->n_char_cols = before;
        return -1; /* the caller clears every table: they may disagree now */
    }
    Py_ssize_t e = k->n_entries++;
    k->unigram[e] = (int32_t)unigram;
    k->ngram_id[e] = (int32_t)ngram;
    k->slot[e] = -1;
    k->flags[e] = flags;
    k->char_start[e + 1] = k->n_char_cols;
    return (int32_t)e;
}

static PyObject *Kernel_clear(Kernel *k, PyObject *Py_UNUSED(ignored));

static PyObject *Kernel_resolve(Kernel *k, PyObject *args) {
    PyObject *norms;
    Py_buffer vf;
    if (!PyArg_ParseTuple(args, "O!y*:resolve", &PyList_Type, &norms, &vf)) return NULL;
    PyObject *result = NULL;
    if (not_ready(k)) goto done;
    Py_ssize_t count = k->pending.count;
    if (PyList_GET_SIZE(norms) != count || vf.len != count) {
        PyErr_SetString(PyExc_ValueError,
                        "resolve needs one normalised form and one flag byte per new word form "
                        "of the last tokenize");
        goto done;
    }
    const uint8_t *flags = vf.buf;
    for (Py_ssize_t p = 0; p < count; p++) {
        PyObject *norm = PyList_GET_ITEM(norms, p);
        if (!PyUnicode_Check(norm)) {
            PyErr_SetString(PyExc_TypeError, "normalised forms must be str");
            goto fail;
        }
        Py_ssize_t n = read_cps(k, norm, 0, PyUnicode_GET_LENGTH(norm));
        if (n < 0) goto fail;
        uint32_t h = hash_cps(k->scratch + 1, n);
        int32_t e = tfind(&k->norms, k->scratch + 1, n, h);
        if (e < 0 && (e = new_entry(k, norm, n, h, flags[p])) < 0) goto fail;
        const uint32_t *w = k->pending.cps + k->pending_start[p];
        Py_ssize_t size = (Py_ssize_t)(k->pending_start[p + 1] - k->pending_start[p]);
        if (tinsert(&k->surfaces, w, size, hash_cps(w, size), e) < 0) goto fail;
        k->pending_entry[p] = e;
    }
    const Py_ssize_t n = k->n_tokens;
    PyObject *tflags = PyBytes_FromStringAndSize(NULL, n);
    if (!tflags) goto fail;
    uint8_t *tf = (uint8_t *)PyBytes_AS_STRING(tflags);
    for (Py_ssize_t i = 0; i < n; i++) {
        int32_t e = k->tok_entry[i];
        if (e < 0) e = k->tok_entry[i] = k->pending_entry[-1 - e];
        tf[i] = k->flags[e];
    }
    tclear(&k->pending);
    k->n_tokens = 0;
    result = Py_BuildValue("(y#y#y#N)", (const char *)k->tok_start, n * (Py_ssize_t)sizeof(int64_t),
                           (const char *)k->tok_end, n * (Py_ssize_t)sizeof(int64_t),
                           (const char *)k->tok_entry, n * (Py_ssize_t)sizeof(int32_t), tflags);
    goto done;
fail: { /* entries, surfaces and norms may disagree now: forget them all */
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyObject *ok = Kernel_clear(k, NULL);
    Py_XDECREF(ok);
    PyErr_Restore(type, value, tb);
}
done:
    PyBuffer_Release(&vf);
    return result;
}

static PyObject *Kernel_char_columns(Kernel *k, PyObject *args) {
    PyObject *norm;
    if (!PyArg_ParseTuple(args, "U:char_columns", &norm)) return NULL;
    if (not_ready(k)) return NULL;
    Py_ssize_t n = read_cps(k, norm, 0, PyUnicode_GET_LENGTH(norm));
    if (n < 0) return NULL;
    Py_ssize_t before = k->n_char_cols;
    if (grow((void **)&k->char_cols, &k->cap_char_cols, before + 1, sizeof(int32_t)) < 0 ||
        add_char_columns(k, n) < 0) {
        k->n_char_cols = before;
        return NULL;
    }
    PyObject *out = PyBytes_FromStringAndSize((const char *)(k->char_cols + before),
                                              (k->n_char_cols - before) * (Py_ssize_t)4);
    k->n_char_cols = before;
    return out;
}

/* ---- scoring ---------------------------------------------------------------------------- */

/* Count the features of tokens [lo, hi) whose mask is 0; with `occurrences`, record each
 * n-gram occurrence (column, first and last token) in the output scratch. */
static Py_ssize_t count_range(Kernel *k, const int32_t *entries, const uint8_t *mask,
                              Py_ssize_t lo, Py_ssize_t hi, int occurrences) {
    Py_ssize_t n_occ = 0;
    for (Py_ssize_t i = lo; i < hi; i++) {
        if (mask[i]) continue;
        int32_t e = entries[i];
        if (k->unigram[e] >= 0) add(&k->word, k->unigram[e]);
        if (k->table && k->ngram_id[e] >= 0) {
            /* key < width^size <= INT64_MAX for size <= max_n (checked in Kernel_init) */
            uint64_t key = (uint64_t)k->ngram_id[e];
            for (int size = 2; size <= k->max_n; size++) {
                Py_ssize_t j = i + size - 1;
                if (j >= hi || mask[j]) break;
                int32_t id = k->ngram_id[entries[j]];
                if (id < 0) break;
                key = key * (uint64_t)k->width + (uint64_t)id;
                int32_t col = table_get(k, (int64_t)key);
                if (col < 0) continue;
                add(&k->word, col);
                if (occurrences) {
                    k->occ_col[n_occ] = col;
                    k->occ_first[n_occ] = i;
                    k->occ_last[n_occ] = j;
                    n_occ++;
                }
            }
        }
        if (k->chars.size)
            for (int64_t c = k->char_start[e]; c < k->char_start[e + 1]; c++)
                add(&k->chars, k->char_cols[c]);
    }
    return n_occ;
}


/* Fold the whole text's contributions onto phrases (the counts and contributions of its
 * features are in the blocks; its n-gram occurrences in occ_*): n-grams in first-seen order,
 * then single words in first-seen order, each with the spans of all its occurrences. */
static Py_ssize_t fold_phrases(Kernel *k, const int32_t *entries, const uint8_t *mask,
                               const int64_t *starts, const int64_t *ends, Py_ssize_t n,
                               Py_ssize_t n_occ) {
    Py_ssize_t n_phrases = 0;
    for (Py_ssize_t o = 0; o < n_occ; o++) {
        Column *c = &k->word.cols[k->occ_col[o]];
        int32_t p = c->phrase;
        if (p < 0) {
            p = c->phrase = (int32_t)n_phrases++;
            k->ph_weight[p] = c->value;
            k->ph_head[2 * p] = k->occ_first[o];
            k->ph_head[2 * p + 1] = k->occ_last[o];
            k->ph_count[p] = 0;
        }
        k->ph_count[p]++;
        k->occ_phrase[o] = p;
    }
    const Py_ssize_t n_ngrams = n_phrases;
    /* A word: its unigram's contribution once, plus its share of every character n-gram
     * occurrence inside it (contribution / count), i.e. its occurrences times the shares of
     * the character n-grams of one occurrence. */
    for (Py_ssize_t i = 0; i < n; i++) {
        k->tok_phrase[i] = -1;
        if (mask[i]) continue;
        int32_t e = entries[i];
        int has_chars = k->chars.size && k->char_start[e + 1] > k->char_start[e];
        if (k->unigram[e] < 0 && !has_chars) continue;
        int32_t p = k->slot[e];
        if (p < 0) {
            p = k->slot[e] = (int32_t)n_phrases++;
            k->ph_weight[p] = k->unigram[e] >= 0 ? k->word.cols[k->unigram[e]].value : 0.0;
            k->ph_head[2 * p] = k->ph_head[2 * p + 1] = i;
            k->ph_count[p] = 0;
        }
        k->ph_count[p]++;
        k->tok_phrase[i] = p;
    }
    for (Py_ssize_t p = n_ngrams; p < n_phrases; p++) {
        int32_t e = entries[k->ph_head[2 * p]];
        double share = 0.0;
        for (int64_t c = k->char_start[e]; c < k->char_start[e + 1]; c++) {
            const Column *col = &k->chars.cols[k->char_cols[c]];
            share += col->value / col->count;
        }
        k->ph_weight[p] += (double)k->ph_count[p] * share;
    }
    /* Spans, grouped by phrase: ph_count becomes each phrase's write cursor. */
    int64_t total = 0;
    for (Py_ssize_t p = 0; p < n_phrases; p++) {
        int64_t c = k->ph_count[p];
        k->ph_count[p] = total;
        total += c;
    }
    for (Py_ssize_t o = 0; o < n_occ; o++) {
        int64_t at = k->ph_count[k->occ_phrase[o]]++;
        k->ph_spans[2 * at] = starts[k->occ_first[o]];
        k->ph_spans[2 * at + 1] = ends[k->occ_last[o]];
        k->word.cols[k->occ_col[o]].phrase = -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (k->tok_phrase[i] < 0) continue;
        int64_t at = k->ph_count[k->tok_phrase[i]]++;
        k->ph_spans[2 * at] = starts[i];
        k->ph_spans[2 * at + 1] = ends[i];
        k->slot[entries[i]] = -1;
    }
    return n_phrases; /* ph_count[p] is now the end of phrase p's spans */
}

static PyObject *bytes_of(const void *p, Py_ssize_t n, size_t item) {
    return PyBytes_FromStringAndSize((const char *)p, n * (Py_ssize_t)item);
}

static PyObject *Kernel_score(Kernel *k, PyObject *args) {
    PyObject *o_entries, *o_starts, *o_ends, *o_mask, *o_smask, *o_bounds;
    if (!PyArg_ParseTuple(args, "OOOOOO:score", &o_entries, &o_starts, &o_ends, &o_mask, &o_smask,
                          &o_bounds))
        return NULL;
    if (not_ready(k)) return NULL;
    Py_buffer ve = {0}, vst = {0}, ven = {0}, vm = {0}, vs = {0}, vb = {0};
    PyObject *result = NULL, *logits = NULL;
    if (get_array(o_entries, &ve, sizeof(int32_t), "entries") < 0) goto done;
    if (get_array(o_starts, &vst, sizeof(int64_t), "starts") < 0) goto done;
    if (get_array(o_ends, &ven, sizeof(int64_t), "ends") < 0) goto done;
    if (get_array(o_mask, &vm, 1, "mask") < 0) goto done;
    if (get_array(o_smask, &vs, 1, "sentence_mask") < 0) goto done;
    if (get_array(o_bounds, &vb, sizeof(int64_t), "bounds") < 0) goto done;
    const Py_ssize_t n = ve.len / (Py_ssize_t)sizeof(int32_t);
    const Py_ssize_t m = vb.len / (Py_ssize_t)sizeof(int64_t) - 1; /* sentences */
    const int32_t *entries = ve.buf;
    const int64_t *starts = vst.buf, *ends = ven.buf, *bounds = vb.buf;
    const uint8_t *mask = vm.buf, *smask = vs.buf;
    if (vm.len != n || vs.len != n || vst.len != 8 * n || ven.len != 8 * n) {
        PyErr_SetString(PyExc_ValueError, "entries, starts, ends and masks differ in length");
        goto done;
    }
    if (m < 0 || bounds[0] != 0 || (m > 0 && bounds[m] != n)) {
        PyErr_SetString(PyExc_ValueError, "bounds must run from 0 to the number of tokens");
        goto done;
    }
    for (Py_ssize_t s = 0; s < m; s++)
        if (bounds[s + 1] < bounds[s]) {
            PyErr_SetString(PyExc_ValueError, "bounds must not decrease");
            goto done;
        }
    for (Py_ssize_t i = 0; i < n; i++)
        if (entries[i] < 0 || entries[i] >= k->n_entries) {
            PyErr_SetString(PyExc_ValueError, "entries holds an id this kernel never made");
            goto done;
        }
    /* n-gram occurrences <= n * (max_n - 1); phrases and spans <= n + occurrences */
    Py_ssize_t need = n * (k->max_n > 1 ? k->max_n : 2) + 1;
    if (need > k->cap_out) {
        Py_ssize_t cap = k->cap_out ? k->cap_out : 256;
        while (cap < need) cap *= 2;
        void **arrays[] = {(void **)&k->occ_col,    (void **)&k->occ_phrase,
                           (void **)&k->tok_phrase, (void **)&k->occ_first,
                           (void **)&k->occ_last,   (void **)&k->ph_weight,
                           (void **)&k->ph_head,    (void **)&k->ph_count,
                           (void **)&k->ph_spans};
        const size_t sizes[] = {sizeof(int32_t), sizeof(int32_t),     sizeof(int32_t),
                                sizeof(int64_t), sizeof(int64_t),     sizeof(double),
                                2 * sizeof(int64_t), sizeof(int64_t), 2 * sizeof(int64_t)};
        if (realloc_all(arrays, sizes, 9, cap) < 0) goto done;
        k->cap_out = cap;
    }
    logits = PyBytes_FromStringAndSize(NULL, (1 + m) * (Py_ssize_t)sizeof(double));
    if (!logits) goto done;
    double *lg = (double *)PyBytes_AS_STRING(logits);

    /* The arithmetic reads and writes only the kernel's own buffers and the arrays held above
     * (the caller's lock keeps other threads off this kernel): other threads, the worker's event
     * loop among them, run meanwhile. */
    Py_ssize_t n_phrases;
    Py_BEGIN_ALLOW_THREADS
    /* The whole text, its contributions kept for its phrases. */
    Py_ssize_t n_occ = count_range(k, entries, mask, 0, n, 1);
    lg[0] = finish(&k->word, 1) + finish(&k->chars, 1);
    n_phrases = fold_phrases(k, entries, mask, starts, ends, n, n_occ);
    reset(&k->word);
    reset(&k->chars);
    /* Each sentence on its own, with its own mask. */
    for (Py_ssize_t s = 0; s < m; s++) {
        count_range(k, entries, smask, bounds[s], bounds[s + 1], 0);
        lg[1 + s] = finish(&k->word, 0) + finish(&k->chars, 0);
    }
    Py_END_ALLOW_THREADS
    /* Offsets of each phrase's spans: 0, then each phrase's end. */
    PyObject *offsets = PyBytes_FromStringAndSize(NULL, (n_phrases + 1) * 8);
    if (offsets) {
        int64_t *off = (int64_t *)PyBytes_AS_STRING(offsets);
        off[0] = 0;
        memcpy(off + 1, k->ph_count, (size_t)n_phrases * 8);
    }
    Py_ssize_t n_spans = n_phrases ? k->ph_count[n_phrases - 1] : 0;
    result = Py_BuildValue("(NNNNN)", logits,
                           bytes_of(k->ph_weight, n_phrases, sizeof(double)),
                           bytes_of(k->ph_head, 2 * n_phrases, sizeof(int64_t)), offsets,
                           bytes_of(k->ph_spans, 2 * n_spans, sizeof(int64_t)));
    logits = NULL; /* stolen by "N" (also on failure) */
done:
    Py_XDECREF(logits);
    PyBuffer_Release(&ve);
    PyBuffer_Release(&vst);
    PyBuffer_Release(&ven);
    PyBuffer_Release(&vm);
    PyBuffer_Release(&vs);
    PyBuffer_Release(&vb);
    return result;
}

/* ---- entries ---------------------------------------------------------------------------- */

static PyObject *Kernel_clear(Kernel *k, PyObject *Py_UNUSED(ignored)) {
    if (not_ready(k)) return NULL;
    PyObject *words = PyList_New(0); /* a new list: an `Analysed` keeps the one it was made with */
    if (!words) return NULL;
    Py_SETREF(k->words, words);
    /* freed, not emptied: one huge text must not leave its tables' size behind */
    tfree(&k->surfaces);
    tfree(&k->norms);
    tfree(&k->pending);
    k->n_tokens = 0;
    k->n_entries = 0;
    k->n_char_cols = 0;
    Py_RETURN_NONE;
}

static PyObject *Kernel_size(Kernel *k, PyObject *Py_UNUSED(ignored)) {
    if (not_ready(k)) return NULL;
    return Py_BuildValue("(nnnn)", k->n_entries, k->surfaces.count, k->n_char_cols,
                         k->surfaces.n_cps + k->norms.n_cps);
}

static PyObject *Kernel_words(Kernel *k, PyObject *Py_UNUSED(ignored)) {
    if (not_ready(k)) return NULL;
    return Py_NewRef(k->words);
}

/* ---- sentences ------------------------------------------------------------------------- */

static inline int is_end_mark(Py_UCS4 ch) {
    return in_rule(ch, RULE_SENTENCE_END_MARKS, N_RULE_SENTENCE_END_MARKS);
}

static inline int is_closer(Py_UCS4 ch) {
    return in_rule(ch, RULE_SENTENCE_CLOSERS, N_RULE_SENTENCE_CLOSERS);
}

static inline int is_break(Py_UCS4 ch) {
    return in_rule(ch, RULE_SENTENCE_BREAK, N_RULE_SENTENCE_BREAK);
}

/* Whether the period at `dot` ends an abbreviation: the letters and periods before it form a
 * word that holds a period, is one letter long, or lowercases to one of `abbreviations`. */
static int is_abbreviation(PyObject *text, int kind, const void *data, Py_ssize_t dot,
                           PyObject *abbreviations) {
    Py_ssize_t start = dot;
    int has_dot = 0;
    while (start > 0) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, start - 1);
        if (ch == '.')
            has_dot = 1;
        else if (!Py_UNICODE_ISALPHA(ch))
            break;
        start--;
    }
    if (has_dot || dot - start == 1) return 1;
    PyObject *word = PyUnicode_Substring(text, start, dot);
    if (!word) return -1;
    PyObject *lower = PyObject_CallMethod(word, "lower", NULL);
    Py_DECREF(word);
    if (!lower) return -1;
    int found = PySet_Contains(abbreviations, lower);
    Py_DECREF(lower);
    return found;
}

/* `model.text.split_sentences`, character for character: see its docstring for the rules. */
static PyObject *split_sentences(PyObject *module, PyObject *args) {
    PyObject *text, *abbreviations;
    if (!PyArg_ParseTuple(args, "UO!:split_sentences", &text, &PyFrozenSet_Type, &abbreviations))
        return NULL;
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    int64_t *spans = NULL;
    Py_ssize_t n = 0, cap = 0, start = 0, p = 0;
    PyObject *result = NULL;
    for (;;) {
        Py_ssize_t end = -1; /* end of the next sentence-ending match, -1: the text's end */
        while (p < len) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, p);
            if (is_break(ch)) {
                end = ++p;
                break;
            }
            if (!is_end_mark(ch)) {
                p++;
                continue;
            }
            Py_ssize_t q = p;
            while (q < len && is_end_mark(PyUnicode_READ(kind, data, q))) q++;
            Py_ssize_t r = q;
            while (r < len && is_closer(PyUnicode_READ(kind, data, r))) r++;
            if (r < len && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, r))) {
                int abbreviation = 0;
                if (ch == '.') {
                    abbreviation = is_abbreviation(text, kind, data, p, abbreviations);
                    if (abbreviation < 0) goto done;
                }
                p = r;
                if (!abbreviation) {
                    end = r;
                    break;
                }
            } else {
                p = q; /* no match starts inside this run of marks */
            }
        }
        Py_ssize_t s = start, e = end < 0 ? len : end;
        while (s < e && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, s))) s++;
        while (e > s && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, e - 1))) e--;
        if (s < e) {
            if (grow((void **)&spans, &cap, 2 * (n + 1), sizeof(int64_t)) < 0) goto done;
            spans[2 * n] = s;
            spans[2 * n + 1] = e;
            n++;
        }
        if (end < 0) break;
        start = end;
    }
    result = PyBytes_FromStringAndSize((const char *)spans, 2 * n * (Py_ssize_t)sizeof(int64_t));
done:
    PyMem_Free(spans);
    return result;
}

static PyMethodDef module_methods[] = {
    {"split_sentences", split_sentences, METH_VARARGS,
     "split_sentences(text, abbreviations) -> [start, end) spans as bytes of int64 pairs."},
    {NULL, NULL, 0, NULL},
};

/* ---- the type --------------------------------------------------------------------------- */

/* Each single word of `dict` (str -> int: unigram columns, or with `ids` n-gram ids) into the
 * table of known words; -1 with an exception. */
static int add_known(Kernel *k, PyObject *dict, int ids) {
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(dict, &pos, &key, &value)) {
        if (!PyUnicode_Check(key)) {
            PyErr_SetString(PyExc_TypeError, "vocabulary keys must be str");
            return -1;
        }
        long v = PyLong_AsLong(value);
        if (v == -1 && PyErr_Occurred()) return -1;
        if (ids ? (v < 1 || v >= k->width) : (v < 0 || v >= k->word.size)) {
            PyErr_SetString(PyExc_ValueError, ids ? "n-gram id out of range"
                                                  : "unigram column out of range");
            return -1;
        }
        if (!ids && PyUnicode_FindChar(key, ' ', 0, PyUnicode_GET_LENGTH(key), 1) != -1)
            continue; /* a multi-word n-gram: its column is reached through the n-gram table */
        Py_ssize_t n = read_cps(k, key, 0, PyUnicode_GET_LENGTH(key));
        if (n < 0) return -1;
        const uint32_t *w = k->scratch + 1;
        uint32_t h = hash_cps(w, n);
        int32_t at = tfind(&k->known, w, n, h);
        if (at < 0) {
            at = (int32_t)k->known.count;
            Py_ssize_t cap = k->cap_known;
            if (grow((void **)&k->known_unigram, &cap, at + 1, sizeof(int32_t)) < 0) return -1;
            if (cap != k->cap_known) {
                int32_t *g = PyMem_Realloc(k->known_ngram, (size_t)cap * sizeof(int32_t));
                if (!g) {
                    PyErr_NoMemory();
                    return -1;
                }
                k->known_ngram = g;
                k->cap_known = cap;
            }
            k->known_unigram[at] = k->known_ngram[at] = -1;
            if (tinsert(&k->known, w, n, h, at) < 0) return -1;
        }
        (ids ? k->known_ngram : k->known_unigram)[at] = (int32_t)v;
    }
    return 0;
}

static int Kernel_init(Kernel *k, PyObject *args, PyObject *kwds) {
    static char *names[] = {"word_idf",   "word_coef",  "char_idf",   "char_coef",
                            "ngram_keys", "ngram_cols", "width",      "max_n",
                            "vocabulary", "ngram_ids",  "char_grams", "char_min_n",
                            "char_max_n", NULL};
    PyObject *wi, *wc, *ci, *cc, *keys, *cols, *vocabulary, *ngram_ids, *grams;
    long long width;
    int max_n, char_min_n, char_max_n;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOOLiO!O!O!ii:Kernel", names, &wi, &wc, &ci,
                                     &cc, &keys, &cols, &width, &max_n, &PyDict_Type, &vocabulary,
                                     &PyDict_Type, &ngram_ids, &PyList_Type, &grams, &char_min_n,
                                     &char_max_n))
        return -1;
    if (k->words || k->word.cols || k->chars.cols || k->table) {
        PyErr_SetString(PyExc_RuntimeError, "Kernel.__init__ runs once");
        return -1;
    }
    if (width < 1 || width > INT32_MAX || max_n < 1) {
        PyErr_SetString(PyExc_ValueError, "width and max_n must be positive");
        return -1;
    }
    /* An n-gram key of n ids in [1, width) is below width^n: it must fit in int64 for every n
     * up to max_n, whatever the caller checked. */
    uint64_t bound = 1;
    for (int n = 0; n < max_n; n++) {
        if (bound > (uint64_t)INT64_MAX / (uint64_t)width) {
            PyErr_SetString(PyExc_ValueError, "width^max_n overflows the n-gram keys");
            return -1;
        }
        bound *= (uint64_t)width;
    }
    k->width = width;
    k->max_n = max_n;
    if (char_min_n < 1 || char_max_n < char_min_n) {
        PyErr_SetString(PyExc_ValueError, "need 1 <= char_min_n <= char_max_n");
        return -1;
    }
    if (copy_block(&k->word, wi, wc) < 0 || copy_block(&k->chars, ci, cc) < 0) return -1;
    if (PyList_GET_SIZE(grams) != k->chars.size) {
        PyErr_SetString(PyExc_ValueError, "char_grams must name each character column once");
        return -1;
    }
    if (char_max_n <= PACKED && k->chars.size) {
        uint64_t capacity = 16;
        while (capacity < (uint64_t)k->chars.size * 2) capacity *= 2;
        k->packed = PyMem_Malloc((size_t)capacity * sizeof(GramSlot));
        if (!k->packed) {
            PyErr_NoMemory();
            return -1;
        }
        memset(k->packed, 0xff, (size_t)capacity * sizeof(GramSlot));
        k->packed_mask = capacity - 1;
        uint64_t words = 1; /* 16 bits per n-gram, a power of two of 64-bit words */
        while (words * 4 < (uint64_t)k->chars.size) words *= 2;
        k->bloom = PyMem_Calloc((size_t)words, sizeof(uint64_t));
        if (!k->bloom) {
            PyErr_NoMemory();
            return -1;
        }
        k->bloom_mask = words - 1;
    }
    for (Py_ssize_t c = 0; c < k->chars.size; c++) {
        PyObject *gram = PyList_GET_ITEM(grams, c);
        if (!PyUnicode_Check(gram)) {
            PyErr_SetString(PyExc_TypeError, "char_grams must be str");
            return -1;
        }
        Py_ssize_t n = read_cps(k, gram, 0, PyUnicode_GET_LENGTH(gram));
        if (n < 0) return -1;
        const uint32_t *w = k->scratch + 1;
        if (n < char_min_n || n > char_max_n) {
            PyErr_SetString(PyExc_ValueError, "a char_grams entry has the wrong length");
            return -1;
        }
        if (k->packed ? packed_find(k, w, (int)n) >= 0 : tfind(&k->grams, w, n, hash_cps(w, n)) >= 0) {
            PyErr_SetString(PyExc_ValueError, "char_grams holds a duplicate");
            return -1;
        }
        if (k->packed) {
            GramSlot slot = {0, 0, (int32_t)c, (uint32_t)n};
            pack_gram(w, (int)n, &slot.k0, &slot.k1);
            uint64_t h = gram_hash(slot.k0, slot.k1, (int)n), i = h & k->packed_mask;
            k->bloom[(h >> 32) & k->bloom_mask] |= bloom_bits(h);
            while (k->packed[i].col >= 0) i = (i + 1) & k->packed_mask;
            k->packed[i] = slot;
        } else if (tinsert(&k->grams, w, n, hash_cps(w, n), (int32_t)c) < 0) {
            return -1;
        }
    }
    if (add_known(k, vocabulary, 0) < 0 || add_known(k, ngram_ids, 1) < 0) return -1;
    k->char_min_n = char_min_n;
    k->char_max_n = char_max_n;
    Py_buffer vk, vc;
    Py_ssize_t nk = get_pair(keys, cols, &vk, &vc, sizeof(int64_t), "ngram_keys and ngram_cols");
    if (nk < 0) return -1;
    int rc = -1;
    if (nk) {
        uint64_t capacity = 16;
        while (capacity < (uint64_t)nk * 2) capacity *= 2;
        k->table = PyMem_Calloc((size_t)capacity, sizeof(Slot));
        if (!k->table) {
            PyErr_NoMemory();
            goto done;
        }
        k->table_mask = capacity - 1;
        const int64_t *kv = vk.buf, *cv = vc.buf;
        for (Py_ssize_t t = 0; t < nk; t++) {
            if (kv[t] < 1 || cv[t] < 0 || cv[t] >= k->word.size) {
                PyErr_SetString(PyExc_ValueError, "n-gram keys must be >= 1, columns in range");
                goto done;
            }
            uint64_t i = mix((uint64_t)kv[t]) & k->table_mask;
            while (k->table[i].key != 0 && k->table[i].key != kv[t]) i = (i + 1) & k->table_mask;
            k->table[i].key = kv[t];
            k->table[i].col = (int32_t)cv[t];
        }
    }
    k->char_start = PyMem_Calloc(1, sizeof(int64_t));
    k->words = PyList_New(0);
    if (!k->char_start || !k->words) {
        PyErr_NoMemory();
        goto done;
    }
    rc = 0;
done:
    PyBuffer_Release(&vk);
    PyBuffer_Release(&vc);
    return rc;
}

static int Kernel_traverse(Kernel *k, visitproc visit, void *arg) {
    Py_VISIT(k->words);
    return 0;
}

static int Kernel_clear_refs(Kernel *k) {
    Py_CLEAR(k->words);
    return 0;
}

static void Kernel_dealloc(Kernel *k) {
    PyObject_GC_UnTrack(k);
    Kernel_clear_refs(k);
    free_block(&k->word);
    free_block(&k->chars);
    Table *tables[] = {&k->surfaces, &k->norms, &k->grams, &k->pending, &k->known};
    for (size_t t = 0; t < 5; t++) tfree(tables[t]);
    void *bufs[] = {k->packed, k->bloom, k->known_unigram, k->known_ngram, k->flags, k->pending_start, k->pending_entry, k->scratch,k->table,      k->unigram,    k->ngram_id,   k->slot,      k->char_start,
                    k->char_cols,  k->tok_start,  k->tok_end,    k->tok_entry, k->occ_col,
                    k->occ_phrase, k->tok_phrase, k->occ_first,  k->occ_last,  k->ph_weight,
                    k->ph_head,    k->ph_count,   k->ph_spans};
    for (size_t b = 0; b < sizeof(bufs) / sizeof(bufs[0]); b++) PyMem_Free(bufs[b]);
    Py_TYPE(k)->tp_free((PyObject *)k);
}

static PyMethodDef Kernel_methods[] = {
    {"tokenize", (PyCFunction)Kernel_tokenize, METH_VARARGS,
     "tokenize(text) -> the word forms this kernel does not know, for resolve."},
    {"resolve", (PyCFunction)Kernel_resolve, METH_VARARGS,
     "resolve(norms, flags) -> (starts, ends, entries, flags) of the last tokenized text as "
     "bytes of int64, int64, int32, uint8."},
    {"char_columns", (PyCFunction)Kernel_char_columns, METH_VARARGS,
     "char_columns(norm) -> the character n-gram columns of a normalised word (int32 bytes)."},
    {"words", (PyCFunction)Kernel_words, METH_NOARGS,
     "The list of each entry's normalised form (a new list after clear)."},
    {"score", (PyCFunction)Kernel_score, METH_VARARGS,
     "score(entries, starts, ends, mask, sentence_mask, bounds) -> (logits, weights, heads, "
     "offsets, spans): see model.compiled.Scored."},
    {"clear", (PyCFunction)Kernel_clear, METH_NOARGS, "Forget every entry and surface form."},
    {"size", (PyCFunction)Kernel_size, METH_NOARGS,
     "(entries, surface forms, character n-gram columns, code points of forms) held."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject KernelType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "model._kernel.Kernel",
    .tp_basicsize = sizeof(Kernel),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Tokenising, feature lookup and TF-IDF arithmetic of one compiled model.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Kernel_init,
    .tp_dealloc = (destructor)Kernel_dealloc,
    .tp_traverse = (traverseproc)Kernel_traverse,
    .tp_clear = (inquiry)Kernel_clear_refs,
    .tp_methods = Kernel_methods,
};

static struct PyModuleDef kernel_module = {
    PyModuleDef_HEAD_INIT, "model._kernel", "The compiled model's per-token loops.", -1,
    module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__kernel(void) {
    for (int c = 1; c < TF_TABLE; c++) tf_table[c] = 1.0 + log((double)c);
    if (PyType_Ready(&KernelType) < 0) return NULL;
    PyObject *m = PyModule_Create(&kernel_module);
    if (!m) return NULL;
    Py_INCREF(&KernelType);
    if (PyModule_AddObject(m, "Kernel", (PyObject *)&KernelType) < 0) {
        Py_DECREF(&KernelType);
        Py_DECREF(m);
        return NULL;
    }
    /* RULES: the character classes this kernel was built with, name -> str (model.kernel
     * compares them with model/features.py). */
    PyObject *rules = PyDict_New();
    for (int r = 0; rules && r < N_RULES; r++) {
        PyObject *chars = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, RULES[r].chars,
                                                    RULES[r].n);
        if (!chars || PyDict_SetItemString(rules, RULES[r].name, chars) < 0) Py_CLEAR(rules);
        Py_XDECREF(chars);
    }
    if (!rules || PyModule_AddObject(m, "RULES", rules) < 0) {
        Py_XDECREF(rules);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
