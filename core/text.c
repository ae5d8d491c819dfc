/* Escaping untrusted text for terminals and gnuplot (include/kvq/text.h). */
#include "kvq/text.h"

#include <stdio.h>

/* The length of the valid, printable UTF-8 sequence at s (1..4), or 0 when s starts a byte to be
 * escaped: a control byte, a C1 control, or anything not well-formed UTF-8 (overlong forms,
 * surrogates, code points above U+10FFFF, a truncated sequence). */
static size_t printable_sequence(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x20 || c == 0x7f) return 0;
    if (c < 0x80) return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf; /* the range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        if (c == 0xc2) lo = 0xa0; /* U+0080..U+009F are the C1 controls */
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf) return 0;
    return len;
}

/* Appends the n bytes at p to out[*used..], counting them even where out has no room. */
static void put(char *out, size_t size, size_t *used, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++, (*used)++)
        if (*used + 1 < size) out[*used] = p[i];
}

/* Escapes s; with quote set, each occurrence of quote is written twice. */
static size_t escape(char *out, size_t size, const char *s, char quote)
{
    size_t used = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t len = printable_sequence(p);
        if (len == 0) {
            char hex[5];
            snprintf(hex, sizeof hex, "\\x%02x", *p);
            put(out, size, &used, hex, 4);
            p++;
        } else if (*p == '\\') {
            put(out, size, &used, "\\\\", 2);
            p++;
        } else {
            put(out, size, &used, (const char *)p, len);
            if (quote && *p == (unsigned char)quote) put(out, size, &used, &quote, 1);
            p += len;
        }
    }
    if (size) out[used < size ? used : size - 1] = '\0';
    return used;
}

size_t kvq_text_escape(char *out, size_t size, const char *s)
{
    return escape(out, size, s, 0);
}

size_t kvq_text_gnuplot_literal(char *out, size_t size, const char *s)
{
    size_t used = 0;
    put(out, size, &used, "'", 1);
    used += escape(size > used ? out + used : NULL, size > used ? size - used : 0, s, '\'');
    put(out, size, &used, "'", 1);
    if (size) out[used < size ? used : size - 1] = '\0';
    return used;
}
