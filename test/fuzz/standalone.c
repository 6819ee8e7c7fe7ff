/*
 * A stand-in for libFuzzer when hoist is not built with clang's fuzzer:
 * runs LLVMFuzzerTestOneInput on every file of the directories (or files)
 * given, then on deterministic mutations of them (HOIST_FUZZ_RUNS, default
 * 4000), so every build exercises the targets. It must never depend on time
 * or randomness from outside: the same build runs the same inputs.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seed {
    uint8_t *data;
    size_t size;
};

static struct seed *seeds;
static size_t n_seeds, cap_seeds;

static void add_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "standalone: cannot open %s\n", path);
        exit(2);
    }
    uint8_t *buf = NULL;
    size_t size = 0, cap = 0, n;
    uint8_t chunk[4096];
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (size + n > cap) {
            cap = (size + n) * 2;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        memcpy(buf + size, chunk, n);
        size += n;
    }
    fclose(f);
    if (n_seeds == cap_seeds) {
        cap_seeds = cap_seeds ? cap_seeds * 2 : 16;
        seeds = realloc(seeds, cap_seeds * sizeof(*seeds));
        if (!seeds)
            abort();
    }
    seeds[n_seeds].data = buf;
    seeds[n_seeds].size = size;
    n_seeds++;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "standalone: cannot stat %s\n", path);
        exit(2);
    }
    if (!S_ISDIR(st.st_mode)) {
        add_file(path);
        return;
    }
    DIR *d = opendir(path);
    if (!d)
        exit(2);
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (n + 1) * sizeof(*names));
        if (!names)
            abort();
        size_t l = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(l);
        if (!names[n])
            abort();
        snprintf(names[n], l, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_names); /* the same order on every machine */
    for (size_t i = 0; i < n; i++) {
        add_file(names[i]);
        free(names[i]);
    }
    free(names);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static const char *const tokens[] = { "\"",
                                      "{",
                                      "}",
                                      "[",
                                      "]",
                                      "\\",
                                      ",",
                                      ":",
                                      "e",
                                      "E",
                                      "Ki",
                                      ".",
                                      "-",
                                      "+",
                                      "0",
                                      "9",
                                      "null",
                                      "1e400",
                                      "\\u0000",
                                      "\"items\":[",
                                      "\"kind\":\"Pod\"",
                                      "999999999999999999999" };

/* One deterministic mutation of a seed into out (capacity cap); returns size. */
static size_t mutate(const struct seed *s, uint8_t *out, size_t cap)
{
    size_t n = s->size < cap ? s->size : cap;
    memcpy(out, s->data, n);
    int steps = 1 + (int)(next() % 4);
    for (int k = 0; k < steps; k++) {
        size_t pos = n ? (size_t)(next() % n) : 0;
        switch (next() % 5) {
        case 0: /* flip a byte */
            if (n)
                out[pos] ^= (uint8_t)(1u << (next() % 8));
            break;
        case 1: /* delete a run */
            if (n) {
                size_t len = 1 + (size_t)(next() % 8);
                if (pos + len > n)
                    len = n - pos;
                memmove(out + pos, out + pos + len, n - pos - len);
                n -= len;
            }
            break;
        case 2: { /* insert a token */
            const char *t = tokens[next() % (sizeof(tokens) / sizeof(tokens[0]))];
            size_t len = strlen(t);
            if (n + len <= cap) {
                memmove(out + pos + len, out + pos, n - pos);
                memcpy(out + pos, t, len);
                n += len;
            }
            break;
        }
        case 3: /* truncate */
            n = pos;
            break;
        default: /* duplicate a chunk */
            if (n) {
                size_t len = 1 + (size_t)(next() % 32);
                if (pos + len > n)
                    len = n - pos;
                if (n + len <= cap) {
                    memmove(out + pos + len, out + pos, n - pos);
                    n += len;
                }
            }
            break;
        }
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        add_path(argv[i]);
    if (n_seeds == 0) {
        fprintf(stderr, "standalone: no seeds\n");
        return 2;
    }
    for (size_t i = 0; i < n_seeds; i++)
        LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].size);
    const char *env = getenv("HOIST_FUZZ_RUNS");
    long runs = env ? atol(env) : 4000;
    size_t cap = 1 << 16;
    uint8_t *buf = malloc(cap);
    if (!buf)
        abort();
    for (long r = 0; r < runs; r++) {
        size_t n = mutate(&seeds[(size_t)r % n_seeds], buf, cap);
        /* a fresh heap copy of exactly n bytes, so ASan sees overreads */
        uint8_t *in = malloc(n ? n : 1);
        if (!in)
            abort();
        memcpy(in, buf, n);
        LLVMFuzzerTestOneInput(in, n);
        free(in);
    }
    free(buf);
    for (size_t i = 0; i < n_seeds; i++)
        free(seeds[i].data);
    free(seeds);
    printf("standalone: %zu seeds, %ld mutations\n", n_seeds, runs);
    return 0;
}
