/* Escaping untrusted text (include/kvq/text.h) and round-trip number text (include/kvq/numtext.h).
 * Expected strings are written out by hand from the rules: UTF-8 per RFC 3629 (no overlong forms,
 * no surrogates, nothing above U+10FFFF), C0/DEL/C1 as \xNN, gnuplot's '' inside single quotes. */
#include "kvq/numtext.h"
#include "kvq/rng.h"
#include "kvq/text.h"

#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void escapes_to(const char *in, const char *want)
{
    char out[256];
    size_t need = kvq_text_escape(out, sizeof out, in);
    cr_assert_str_eq(out, want, "escape(%s)", want);
    cr_assert_eq(need, strlen(want));
}

Test(text, printable_utf8_kept)
{
    escapes_to("k_proj.weight", "k_proj.weight");
    escapes_to("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
               "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    escapes_to("a'b\"c;`$(x)", "a'b\"c;`$(x)");
}

Test(text, controls_and_bad_bytes_escaped)
{
    escapes_to("a\nb\tc\x1b[31m", "a\\x0ab\\x09c\\x1b[31m");
    escapes_to("\x7f", "\\x7f");
    escapes_to("back\\slash", "back\\\\slash");
    escapes_to("\xc2\x9b", "\\xc2\\x9b");                   /* C1 CSI */
    escapes_to("\xc0\xaf", "\\xc0\\xaf");                   /* overlong '/' */
    escapes_to("\xed\xa0\x80", "\\xed\\xa0\\x80");          /* surrogate U+D800 */
    escapes_to("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* above U+10FFFF */
    escapes_to("\xe2\x82", "\\xe2\\x82");                   /* truncated sequence */
    escapes_to("\xff\xfe", "\\xff\\xfe");
}

Test(text, truncation_reported)
{
    char out[8];
    size_t need = kvq_text_escape(out, sizeof out, "\x01\x02\x03");
    cr_assert_eq(need, 12);
    cr_assert_eq(strlen(out), 7);
    cr_assert_eq(kvq_text_escape(NULL, 0, "\x01"), 4);
}

Test(text, gnuplot_literal)
{
    char out[256];
    kvq_text_gnuplot_literal(out, sizeof out, "x';system('touch P');a='");
    cr_assert_str_eq(out, "'x'';system(''touch P'');a='''");
    kvq_text_gnuplot_literal(out, sizeof out, "a\nb\\`c`");
    cr_assert_str_eq(out, "'a\\x0ab\\\\`c`'");
    cr_assert_eq(kvq_text_gnuplot_literal(out, 4, "abc"), 5);
    cr_assert_str_eq(out, "'ab");
}

static void round_trips(double x)
{
    char text[KVQ_NUMTEXT_MAX];
    kvq_numtext(x, text);
    double back = strtod(text, NULL);
    cr_assert(memcmp(&back, &x, sizeof x) == 0, "%.17g -> %s -> %.17g", x, text, back);
}

Test(numtext, shortest_and_exact)
{
    char text[KVQ_NUMTEXT_MAX];
    cr_assert_str_eq(kvq_numtext(0.1, text), "0.1");
    cr_assert_str_eq(kvq_numtext(1.0, text), "1");
    cr_assert_str_eq(kvq_numtext(160.0, text), "160");
    cr_assert_str_eq(kvq_numtext(-2048.0, text), "-2048");
    cr_assert_str_eq(kvq_numtext(1e20, text), "1e+20");
    cr_assert_str_eq(kvq_numtext(0.000123, text), "0.000123");
    cr_assert_str_eq(kvq_numtext(1.0 / 3.0, text), "0.3333333333333333");
    cr_assert_str_eq(kvq_numtext(NAN, text), "NaN");
    cr_assert_str_eq(kvq_numtext(-INFINITY, text), "-Inf");
    cr_assert_str_eq(kvq_numtext(9007199254740991.0, text), "9007199254740991");
    round_trips(DBL_MAX);
    round_trips(DBL_MIN);
    round_trips(4.9406564584124654e-324); /* the smallest subnormal */
    round_trips(-0.0);
    kvq_rng rng;
    kvq_rng_seed(&rng, 42, 54);
    for (int i = 0; i < 100000; i++) {
        uint64_t bits = (uint64_t)kvq_rng_u32(&rng) << 32 | kvq_rng_u32(&rng);
        double x;
        memcpy(&x, &bits, sizeof x);
        if (isfinite(x)) round_trips(x);
        float f = (float)kvq_rng_u32(&rng) / 4294967296.0f; /* scores are floats widened */
        round_trips((double)f);
    }
}
