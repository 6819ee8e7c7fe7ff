/*
 * lib/aws internals shared by the XML and CLI-JSON decoders: the element
 * matcher over AWS Query-protocol XML (a strict fast scanner with expat
 * behind it), and the scalar parsers (integers, booleans, ISO 8601 times)
 * both decoders use so that the two paths fill the model identically.
 * Nothing outside lib/aws may include this header, and no expat or jansson
 * type appears in it.
 */
#ifndef HOIST_AWS_XML_INT_H
#define HOIST_AWS_XML_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct hs_arena;

/* ---- element matcher ---- */

/* The parser state a callback may consult (borrowed for the callback). */
struct aws__xml;

/* Flags of a schema node. */
#define AWS__XML_START 0x1u /* the start callback is called when it opens */
#define AWS__XML_END   0x2u /* the end callback is called when it closes (text "") */
#define AWS__XML_TEXT  0x6u /* as END, with the element's direct text */

/* One element a decoder reads, by local name (namespace prefix dropped)
 * below its parent node. nodes[0] is the root element; parent indexes an
 * earlier node. Elements not in the schema are skipped with everything
 * below them, so new AWS fields never break decoding. */
struct aws__xml_node {
    const char *name;
    uint8_t parent;
    uint8_t flags;
};

/* Called when a START node opens. */
typedef enum hs_code (*aws__xml_start_fn)(void *ctx, struct aws__xml *x, unsigned node);
/* Called when an END or TEXT node closes. text (borrowed for the call, NOT
 * NUL-terminated, len bytes) is the element's direct text since its last
 * child, with references resolved and surrounding XML whitespace trimmed;
 * "" for END nodes. */
typedef enum hs_code (*aws__xml_end_fn)(void *ctx, struct aws__xml *x, unsigned node,
                                        const char *text, size_t len);
/* Puts ctx (and what it fills) back as it was before the parse started. */
typedef void (*aws__xml_rewind_fn)(void *ctx);

struct aws__xml_schema {
    const struct aws__xml_node *nodes; /* nodes[0].name: the accepted root, NULL for any */
    unsigned n_nodes;                  /* 1..128 */
    aws__xml_start_fn start;           /* NULL when no node has START */
    aws__xml_end_fn end;               /* NULL when no node has END */
    /* Non-NULL allows the fast scanner: a document it does not fully accept
     * (anything unusual, any error, an error envelope) is rewound and parsed
     * again by expat, so results and messages are expat's. NULL: expat only
     * (secrets: expat's text buffer is wiped element by element). */
    aws__xml_rewind_fn rewind;
};

/* Parses body[0..len) and calls the schema's callbacks (ctx passed through)
 * for the elements below the root that the schema names. s == NULL accepts
 * any root and reads nothing. An error envelope root (ErrorResponse, or
 * EC2's Response) is decoded and returned as HS_EAWS with "<Code>:
 * <Message> (request id <id>)" in err. Malformed XML, a DOCTYPE (no entity
 * expansion, ever), nesting deeper than 64 or a root the schema does not
 * accept is HS_EPARSE naming the element path and line. A callback's
 * non-zero return stops parsing and is returned. */
enum hs_code aws__xml_parse(const char *body, size_t len, const struct aws__xml_schema *s,
                            void *ctx, struct hs_err *err);

/* Records a decode error at the current element: "<what> at <Root/path>
 * (line N)". Returns HS_EPARSE. */
enum hs_code aws__xml_fail(struct aws__xml *x, struct hs_err *err, const char *what);

/* Scalar fields: parse text[0..len) as the type, or fail naming the element. */
enum hs_code aws__xml_i32(struct aws__xml *x, const char *text, size_t len, int32_t *out);
enum hs_code aws__xml_i64(struct aws__xml *x, const char *text, size_t len, int64_t *out);
enum hs_code aws__xml_bool(struct aws__xml *x, const char *text, size_t len, bool *out);
enum hs_code aws__xml_time(struct aws__xml *x, const char *text, size_t len, int64_t *out);

/* The arena list a decoder appends to and the next token it sets, as they
 * were when the parse started, so a rewind can restore them (the arena
 * keeps what the abandoned attempt allocated until the list is released). */
struct aws__xml_undo {
    void **v;
    uint32_t *n, *cap;
    void *v0;
    uint32_t n0, cap0;
    char **next_token; /* may be NULL */
};
#define AWS__XML_UNDO_INIT(u, list, token) \
    aws__xml_undo_init((u), (void **)&(list)->v, &(list)->n, &(list)->cap, (token))
void aws__xml_undo_init(struct aws__xml_undo *u, void **v, uint32_t *n, uint32_t *cap,
                        char **next_token);
/* Restores the list and frees *next_token (leaving it NULL). */
void aws__xml_undo(struct aws__xml_undo *u);

#ifdef HS_UNITTEST_BUILD
/* Which path aws__xml_parse takes, for differential tests. */
enum aws__xml_path {
    AWS__XML_AUTO,       /* fast scanner, expat when it declines (the default) */
    AWS__XML_EXPAT_ONLY, /* as before the fast scanner existed */
    AWS__XML_FAST_ONLY,  /* HS_ENOTSUP (after rewind) where AUTO would use expat */
};
extern enum aws__xml_path aws__xml_path;
#endif

/* ---- scalar parsers (no error detail; callers name the field) ---- */

/* A whole decimal integer in range, no blanks, optional '-'. */
bool aws__parse_i64(const char *s, size_t n, int64_t *out);
bool aws__parse_i32(const char *s, size_t n, int32_t *out);
/* "true" / "false" exactly. */
bool aws__parse_bool(const char *s, size_t n, bool *out);
/* ISO 8601 / RFC 3339 date-time as AWS and the CLI print it:
 * 2013-05-06T17:47:15.107Z, 2023-10-28T02:39:22.152000+00:00, with or
 * without fraction, 'Z' or a +hh:mm / -hh:mm offset. Unix seconds,
 * fraction dropped. */
bool aws__parse_time(const char *s, size_t n, int64_t *out);

#endif
