/* Messages on stderr, escaped (io/message.h). */
#include "io/message.h"
#include "kvq/text.h"

#include <stdarg.h>
#include <stdlib.h>

void kvq_say(const char *fmt, ...)
{
    char text[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    kvq_put_escaped(stderr, text);
    fputc('\n', stderr);
}

int kvq_escaped_width(const char *s)
{
    return (int)kvq_text_escape(NULL, 0, s);
}

void kvq_put_padded(FILE *out, const char *s, int width)
{
    kvq_put_escaped(out, s);
    fprintf(out, "%*s", width > kvq_escaped_width(s) ? width - kvq_escaped_width(s) : 0, "");
}

void kvq_put_escaped(FILE *out, const char *s)
{
    char small[1024];
    size_t need = kvq_text_escape(small, sizeof small, s);
    if (need < sizeof small) {
        fputs(small, out);
        return;
    }
    char *big = malloc(need + 1);
    if (big) kvq_text_escape(big, need + 1, s);
    fputs(big ? big : small, out);
    free(big);
}
