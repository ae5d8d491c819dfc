/* Messages for the user on stderr. Names in them come from files and the command line, so the
 * whole line is shown through kvq_text_escape: a control byte or a terminal escape sequence in a
 * tensor name or a path is printed as \xNN, never sent to the terminal. */
#ifndef KVQ_MESSAGE_H
#define KVQ_MESSAGE_H

#include <stdio.h>

/* Formats the message, escapes it and writes it to stderr with a newline. */
void kvq_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes s to out escaped as kvq_text_escape does (no newline): a name printed in a table. */
void kvq_put_escaped(FILE *out, const char *s);

/* The width s takes once escaped, for a table's column. */
int kvq_escaped_width(const char *s);

/* Writes s escaped, then spaces up to width: a left-aligned table cell. */
void kvq_put_padded(FILE *out, const char *s, int width);

#endif
