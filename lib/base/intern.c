/*
 * The string intern table. Each entry is one allocation: a small header
 * (length, hash, reference count) followed by the NUL-terminated characters;
 * callers hold a pointer to the characters and the header is found just
 * before them. The table is an open-addressing array of entry pointers with
 * linear probing and backward-shift deletion (no tombstones), sized to a power
 * of two, grown at 3/4 load and shrunk at 1/4, so its memory follows the live
 * count under any churn. It must never keep an entry whose count reached zero
 * and never hand out two pointers for equal strings. Not thread-safe.
 */
#include "base/intern.h"

#include <stddef.h>
#include <string.h>

#include "base/alloc.h"
#include "base/common.h"

#define MIN_CAP ((size_t)16)

struct entry {
    size_t len;    /* bytes before the NUL */
    uint32_t hash; /* hash_bytes() of the characters */
    uint32_t refs; /* references handed out and not yet dropped */
    char str[];    /* len bytes and a NUL */
};

struct hs_intern {
    struct entry **slots; /* cap slots, NULL when empty */
    uint32_t *hashes;     /* hash of slots[i], read while probing to skip compares */
    size_t cap;           /* power of two >= MIN_CAP */
    size_t count;         /* live entries */
    size_t bytes;         /* allocation size of the live entries */
};

/* The entry whose characters istr points at. Callers hand back the const
 * pointer they were given; the entry itself is ours to modify, hence the
 * const is dropped here (through uintptr_t, deliberately). */
static struct entry *entry_of(const char *istr)
{
    return (struct entry *)(uintptr_t)(istr - offsetof(struct entry, str));
}

static size_t entry_size(size_t len)
{
    return sizeof(struct entry) + len + 1;
}

static uint64_t load_word(const unsigned char *p, size_t n)
{
    uint64_t w = 0;
    memcpy(&w, p, n);
    return w;
}

/* A multiply-xorshift hash over 8-byte words with a final avalanche. Each
 * step is a bijection of the state for a given word, so two strings of equal
 * length that differ in one word never collide before the final mix. The
 * value depends on byte order, so it is for in-process tables only. */
static uint32_t hash_bytes(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    const uint64_t m = 0x9fb21c651e98df25ULL;
    uint64_t h = 0x243f6a8885a308d3ULL ^ ((uint64_t)n * m);

    while (n >= 8) {
        h = (h ^ load_word(p, 8)) * m;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    if (n) {
        h = (h ^ load_word(p, n)) * m;
        h ^= h >> 29;
    }
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

static void alloc_slots(struct hs_intern *t, size_t cap)
{
    t->slots = hs_calloc(cap, sizeof(*t->slots));
    t->hashes = hs_calloc(cap, sizeof(*t->hashes));
    t->cap = cap;
}

/* Moves every entry into a fresh array of new_cap slots. */
static void rehash(struct hs_intern *t, size_t new_cap)
{
    struct entry **old = t->slots;
    uint32_t *old_hashes = t->hashes;
    size_t old_cap = t->cap;

    alloc_slots(t, new_cap);
    size_t mask = new_cap - 1;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i] == NULL)
            continue;
        size_t j = old_hashes[i] & mask;
        while (t->slots[j])
            j = (j + 1) & mask;
        t->slots[j] = old[i];
        t->hashes[j] = old_hashes[i];
    }
    hs_free(old);
    hs_free(old_hashes);
}

struct hs_intern *hs_intern_new(void)
{
    struct hs_intern *t = hs_calloc(1, sizeof(*t));
    alloc_slots(t, MIN_CAP);
    return t;
}

void hs_intern_free(struct hs_intern **tp)
{
    struct hs_intern *t = tp ? *tp : NULL;
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->cap; i++)
        hs_free(t->slots[i]);
    hs_free(t->slots);
    hs_free(t->hashes);
    hs_free(t);
    *tp = NULL;
}

const char *hs_intern(struct hs_intern *t, const char *s, size_t len)
{
    HS_BUG_ON(s == NULL && len != 0);
    if (s == NULL)
        s = "";
    uint32_t h = hash_bytes(s, len);
    size_t mask = t->cap - 1;
    size_t i = h & mask;
    for (; t->slots[i]; i = (i + 1) & mask) {
        struct entry *e = t->slots[i];
        if (t->hashes[i] == h && e->len == len && memcmp(e->str, s, len) == 0) {
            HS_BUG_ON(e->refs == UINT32_MAX);
            e->refs++;
            return e->str;
        }
    }

    HS_BUG_ON(len > SIZE_MAX - sizeof(struct entry) - 1);
    struct entry *e = hs_malloc(entry_size(len));
    e->len = len;
    e->hash = h;
    e->refs = 1;
    if (len)
        memcpy(e->str, s, len);
    e->str[len] = '\0';
    t->count++;
    t->bytes += entry_size(len);

    if (t->count > t->cap / 4 * 3) {
        rehash(t, t->cap * 2);
        mask = t->cap - 1;
        i = h & mask;
        while (t->slots[i])
            i = (i + 1) & mask;
    }
    t->slots[i] = e;
    t->hashes[i] = h;
    return e->str;
}

const char *hs_intern_cstr(struct hs_intern *t, const char *s)
{
    return hs_intern(t, s, strlen(s));
}

const char *hs_intern_ref(const char *istr)
{
    struct entry *e = entry_of(istr);
    HS_BUG_ON(e->refs == 0 || e->refs == UINT32_MAX);
    e->refs++;
    return istr;
}

/* Empties slot i and shifts later members of its probe run back so every
 * entry stays reachable from its home slot without tombstones. */
static void remove_slot(struct hs_intern *t, size_t i)
{
    size_t mask = t->cap - 1;
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (t->slots[j] == NULL)
            break;
        size_t home = t->hashes[j] & mask;
        /* The entry at j may move to the hole at i only if its home is not in
         * the cyclic range (i, j]: otherwise it would land before its home. */
        size_t dist_home = (j - home) & mask;
        size_t dist_hole = (j - i) & mask;
        if (dist_home >= dist_hole) {
            t->slots[i] = t->slots[j];
            t->hashes[i] = t->hashes[j];
            i = j;
        }
    }
    t->slots[i] = NULL;
    t->hashes[i] = 0;
}

void hs_intern_unref(struct hs_intern *t, const char *istr)
{
    if (istr == NULL)
        return;
    struct entry *e = entry_of(istr);
    HS_BUG_ON(e->refs == 0);
    if (--e->refs > 0)
        return;

    size_t mask = t->cap - 1;
    size_t i = e->hash & mask;
    while (t->slots[i] != e) {
        HS_BUG_ON(t->slots[i] == NULL); /* not from this table */
        i = (i + 1) & mask;
    }
    remove_slot(t, i);
    t->count--;
    t->bytes -= entry_size(e->len);
    hs_free(e);

    if (t->cap > MIN_CAP && t->count < t->cap / 4)
        rehash(t, t->cap / 2);
}

size_t hs_intern_len(const char *istr)
{
    return entry_of(istr)->len;
}

uint32_t hs_intern_hash(const char *istr)
{
    return entry_of(istr)->hash;
}

size_t hs_intern_count(const struct hs_intern *t)
{
    return t->count;
}

size_t hs_intern_bytes(const struct hs_intern *t)
{
    return t->bytes;
}

size_t hs_intern_capacity(const struct hs_intern *t)
{
    return t->cap;
}

size_t hs_intern_refs(const char *istr)
{
    return entry_of(istr)->refs;
}
