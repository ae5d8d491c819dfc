/* Untrusted text made safe to show: names that come from files (tensor names, population paths,
 * run folders) may hold control bytes, terminal escape sequences, quotes or bytes that are not
 * UTF-8. Everything kvqeval prints to a terminal, and every string it hands to gnuplot, passes
 * through these two functions. */
#ifndef KVQ_TEXT_H
#define KVQ_TEXT_H

#include <stddef.h>

/* Copies s into out (size bytes, always NUL-terminated when size > 0) with every byte that is not
 * printable text shown as an escape: C0 control bytes, DEL, the C1 controls (U+0080..U+009F) and
 * bytes that are not valid UTF-8 as \xNN, the backslash itself as \\. Valid printable UTF-8 is
 * copied as it is. Returns the length the whole result needs (as snprintf does): a return value
 * >= size means out was truncated. */
size_t kvq_text_escape(char *out, size_t size, const char *s);

/* s as a gnuplot single-quoted string literal, quotes included: the text escaped as by
 * kvq_text_escape and each ' doubled (gnuplot's only escape inside single quotes, where neither
 * backquote substitution nor @ macros apply). Returns the length needed, as kvq_text_escape. */
size_t kvq_text_gnuplot_literal(char *out, size_t size, const char *s);

#endif
