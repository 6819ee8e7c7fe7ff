/*
 * Secret masking for log lines. It works on the finished text, so it protects
 * every line whatever a caller formatted into it: a request dump, an error
 * body (JSON or AWS XML), a kubeconfig fragment. It must never leave a
 * secret readable; masking something harmless (a pagination token) is
 * acceptable.
 */
#include "base/log.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"

#define MASK "[REDACTED]"

/* Parts of a field name that mark its value as secret (lower case). */
static const char *const secret_words[] = {
    "token",      "secret",   "password", "passwd",     "signature",   "authorization",
    "credential", "key-data", "key_data", "privatekey", "private-key", "private_key",
    "apikey",     "api-key",  "api_key",  "cookie",
};

/* Field names whose value runs to the end of the quoted string or line, spaces
 * included ("Authorization: AWS4-HMAC-SHA256 Credential=..., Signature=..."). */
static const char *const whole_value_words[] = { "authorization", "cookie" };

static int is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

static int contains_word(const char *name, size_t n, const char *const *words, size_t nwords)
{
    char low[64];
    if (n >= sizeof(low))
        n = sizeof(low) - 1;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    low[n] = '\0';
    for (size_t i = 0; i < nwords; i++)
        if (strstr(low, words[i]))
            return 1;
    return 0;
}

static int is_value_end(char c)
{
    return c == '\0' || isspace((unsigned char)c) || c == '"' || c == '\'' || c == '&' ||
           c == ',' || c == ';' || c == '}' || c == ')' || c == ']' || c == '\\';
}

static int is_b64url(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_';
}

/* Length of a JWT (three base64url parts joined by dots, starting "eyJ") at s, or 0. */
static size_t jwt_len(const char *s)
{
    if (strncmp(s, "eyJ", 3) != 0)
        return 0;
    size_t i = 0;
    int dots = 0;
    while (is_b64url(s[i]) || (s[i] == '.' && dots < 2)) {
        if (s[i] == '.')
            dots++;
        i++;
    }
    return dots == 2 && i > 20 ? i : 0;
}

/* Length of an AWS access key id (AKIA/ASIA + 16 upper-case letters or digits) at s, or 0. */
static size_t access_key_len(const char *s)
{
    if (strncmp(s, "AKIA", 4) != 0 && strncmp(s, "ASIA", 4) != 0)
        return 0;
    size_t i = 4;
    while (isupper((unsigned char)s[i]) || isdigit((unsigned char)s[i]))
        i++;
    if (i < 20 || is_name_char(s[i]))
        return 0;
    return i;
}

/* If a field name ends at s[i] (exclusive) and a separator follows, returns the
 * offset where its value starts and sets *quote to the quote that opens the
 * value (or 0). Returns 0 when no separator follows. */
static size_t value_start(const char *s, size_t i, char *quote)
{
    size_t j = i;
    /* The name may be quoted, and the quote may be escaped when JSON sits
     * inside a JSON string or a text line's quoted value: {\"token\":\"x\"}. */
    if (s[j] == '"' || s[j] == '\'')
        j++;
    else if (s[j] == '\\' && s[j + 1] == '"')
        j += 2;
    while (s[j] == ' ')
        j++;
    if (s[j] != ':' && s[j] != '=')
        return 0;
    j++;
    while (s[j] == ' ')
        j++;
    *quote = 0;
    if (s[j] == '"' || s[j] == '\'') {
        *quote = s[j];
        j++;
    } else if (s[j] == '\\' && s[j + 1] == '"') {
        *quote = '\\';
        j += 2;
    }
    return j;
}

/* If s[i] opens an XML element whose name is secret-like
 * ("<SecretAccessKey>", "<SessionToken>", "<ns:Password a='1'>") and text
 * follows it, returns the offset just past the '>' and sets *text_end to
 * where the text stops (the next '<' or the end). Returns 0 otherwise: not an
 * element, not secret-like, self-closing, or only whitespace inside (a
 * "<Credentials>" wrapper around child elements). */
static size_t xml_secret_text(const char *s, size_t i, size_t *text_end)
{
    if (s[i] != '<' || !is_name_char(s[i + 1]))
        return 0;
    size_t end = i + 1;
    while (is_name_char(s[end]) || s[end] == ':')
        end++;
    if (!contains_word(s + i + 1, end - i - 1, secret_words, HS_ARRAY_LEN(secret_words)))
        return 0;
    size_t gt = end;
    while (s[gt] && s[gt] != '>' && s[gt] != '<' && s[gt] != '\n')
        gt++;
    if (s[gt] != '>' || s[gt - 1] == '/')
        return 0;
    size_t j = gt + 1, blank = 1;
    while (s[j] && s[j] != '<') {
        if (!isspace((unsigned char)s[j]))
            blank = 0;
        j++;
    }
    if (blank)
        return 0;
    *text_end = j;
    return gt + 1;
}

size_t hs_redact(struct hs_buf *b)
{
    struct hs_buf out;
    const char *s = b->data;
    size_t i = 0, masked = 0;

    hs_buf_init(&out);
    while (s[i]) {
        size_t n;
        size_t text_end;
        if ((n = xml_secret_text(s, i, &text_end)) > 0) {
            hs_buf_add(&out, s + i, n - i);
            hs_buf_adds(&out, MASK);
            i = text_end;
            masked++;
            continue;
        }
        if ((i == 0 || !is_b64url(s[i - 1])) && (n = jwt_len(s + i)) > 0) {
            hs_buf_adds(&out, MASK);
            i += n;
            masked++;
            continue;
        }
        if ((i == 0 || !is_name_char(s[i - 1])) && (n = access_key_len(s + i)) > 0) {
            hs_buf_add(&out, s + i, 4);
            hs_buf_adds(&out, MASK);
            i += n;
            masked++;
            continue;
        }
        if ((i == 0 || !isalpha((unsigned char)s[i - 1])) &&
            strncasecmp(s + i, "bearer ", 7) == 0) {
            size_t j = i + 7;
            while (s[j] == ' ')
                j++;
            if (!is_value_end(s[j])) {
                hs_buf_add(&out, s + i, j - i);
                hs_buf_adds(&out, MASK);
                while (!is_value_end(s[j]))
                    j++;
                i = j;
                masked++;
                continue;
            }
        }
        if (is_name_char(s[i]) && (i == 0 || !is_name_char(s[i - 1]))) {
            size_t end = i;
            while (is_name_char(s[end]))
                end++;
            char quote;
            size_t v = value_start(s, end, &quote);
            if (v && contains_word(s + i, end - i, secret_words, HS_ARRAY_LEN(secret_words))) {
                int whole = contains_word(s + i, end - i, whole_value_words,
                                          HS_ARRAY_LEN(whole_value_words));
                size_t j = v;
                if (quote == '\\') {
                    while (s[j] && !(s[j] == '\\' && s[j + 1] == '"'))
                        j++;
                } else if (quote) {
                    while (s[j] && s[j] != quote)
                        j++;
                } else if (whole) {
                    while (s[j] && s[j] != '\n')
                        j++;
                } else {
                    while (!is_value_end(s[j]))
                        j++;
                }
                hs_buf_add(&out, s + i, v - i);
                if (j > v) {
                    hs_buf_adds(&out, MASK);
                    masked++;
                }
                i = j;
                continue;
            }
            hs_buf_add(&out, s + i, end - i);
            i = end;
            continue;
        }
        hs_buf_addc(&out, s[i]);
        i++;
    }
    if (masked) {
        hs_buf_release(b);
        *b = out;
    } else {
        hs_buf_release(&out);
    }
    return masked;
}
