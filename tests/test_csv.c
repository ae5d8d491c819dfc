/* Reading CSV (io/csv_read.c): RFC 4180 quoting, line endings, and refusals that name the
 * file and line. Expected fields are read off the RFC's rules by hand. */
#include "io/csv_read.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char path[64];

static void write_file(const char *bytes, size_t len)
{
    snprintf(path, sizeof path, "/tmp/kvq-csv-%ld.csv", (long)getpid());
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(bytes, 1, len, f), len);
    fclose(f);
}

static void expect_error(const char *bytes, size_t len, const char *fragment)
{
    write_file(bytes, len);
    kvq_csv_table t;
    kvq_error err;
    kvq_error_clear(&err);
    cr_assert_eq(kvq_csv_read(path, &t, &err), KVQ_EFORMAT, "accepted: %s", bytes);
    cr_assert(strstr(err.msg, fragment) && strstr(err.msg, path), "message: %s", err.msg);
    unlink(path);
}

Test(csv, quoting_line_endings_and_bom)
{
    const char text[] = "\xEF\xBB\xBF"
                        "a,b,c\r\n"
                        "1,\"x,y\",\"say \"\"hi\"\"\"\r\n"
                        "\n"
                        "2,\"two\nlines\",\n"
                        "3,,z";
    write_file(text, sizeof text - 1);
    kvq_csv_table t;
    kvq_error err;
    cr_assert_eq(kvq_csv_read(path, &t, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(t.ncols, 3);
    cr_assert_eq(t.nrows, 3);
    cr_assert_str_eq(t.header[0], "a");
    cr_assert_str_eq(kvq_csv_field(&t, 0, 1), "x,y");
    cr_assert_str_eq(kvq_csv_field(&t, 0, 2), "say \"hi\"");
    cr_assert_str_eq(kvq_csv_field(&t, 1, 1), "two\nlines");
    cr_assert_str_eq(kvq_csv_field(&t, 1, 2), "");
    cr_assert_str_eq(kvq_csv_field(&t, 2, 2), "z");
    cr_assert_eq(t.line[1], 2);
    cr_assert_eq(t.line[2], 4);
    cr_assert_eq(t.line[3], 6);
    cr_assert_eq(kvq_csv_column(&t, "c"), 2);
    cr_assert_eq(kvq_csv_column(&t, "d"), -1);
    kvq_csv_free(&t);
    unlink(path);
}

Test(csv, refusals_name_file_and_line)
{
    expect_error("a,b\n1,2\n3\n", 10,
                 ":3: 1 fields, but the header has 2: no value for column 2 'b'");
    expect_error("a,b\n1,2,3\n", 10, ":2: 3 fields, but the header has 2: field 3 has no column");
    expect_error("a,b\n1,\"open\n", 12, ":2: unterminated quoted field");
    expect_error("a,b\n1,x\"y\n", 10, ":2: quote inside an unquoted field");
    expect_error("a,b\n1,\"q\"x\n", 11, ":2: characters after a closing quote");
    expect_error("a,b\n1,\0\n", 8, "NUL byte");
    expect_error("", 0, "empty file");
}

Test(csv, numbers)
{
    double x;
    cr_assert_eq(kvq_csv_parse_number("-1.5e3", &x), 0);
    cr_assert_eq(x, -1500.0);
    cr_assert_eq(kvq_csv_parse_number("NaN", &x), 0);
    cr_assert(isnan(x));
    cr_assert_eq(kvq_csv_parse_number("-Inf", &x), 0);
    cr_assert(isinf(x) && x < 0);
    cr_assert_eq(kvq_csv_parse_number("", &x), -1);
    cr_assert_eq(kvq_csv_parse_number("1.5x", &x), -1);
    cr_assert_eq(kvq_csv_parse_number("1e999", &x), KVQ_CSV_OVERFLOW);
    cr_assert_eq(kvq_csv_parse_number("abc", &x), -1);
}

/* strtod flags an underflow with ERANGE, but the value it returns is the correctly rounded one: a
 * subnormal, or zero below half the smallest subnormal (2^-1075). Only overflow is refused. The
 * expected values are the compiler's own reading of the same decimal literals. */
Test(csv, underflow_is_a_number_overflow_is_not)
{
    double x;
    cr_assert_eq(kvq_csv_parse_number("1e-320", &x), 0);
    cr_assert(x == 1e-320 && x > 0.0 && x < 2.2250738585072014e-308);
    cr_assert_eq(kvq_csv_parse_number("-4.9406564584124654e-324", &x), 0);
    cr_assert(x == -4.9406564584124654e-324 && x < 0.0);
    cr_assert_eq(kvq_csv_parse_number("1e-400", &x), 0);
    cr_assert(x == 0.0 && !signbit(x));
    cr_assert_eq(kvq_csv_parse_number("-1e-400", &x), 0);
    cr_assert(x == 0.0 && signbit(x));
    cr_assert_eq(kvq_csv_parse_number("1e308", &x), 0);
    cr_assert_eq(x, 1e308);
    cr_assert_eq(kvq_csv_parse_number("-1e999", &x), KVQ_CSV_OVERFLOW);
    cr_assert_eq(kvq_csv_parse_number("1.8e308", &x), KVQ_CSV_OVERFLOW);
    cr_assert_eq(kvq_csv_parse_number("0x1p2000", &x), KVQ_CSV_OVERFLOW);
}

/* Every spelling of a non-finite value (C11 7.22.1.3: INF, INFINITY, NAN, NAN(chars), any case,
 * either sign) reads as that value, whichever program wrote it. */
Test(csv, every_spelling_of_non_finite)
{
    static const char *const infinities[] = {"inf",  "Inf",      "INF",      "+inf",
                                             "-inf", "infinity", "Infinity", "-INFINITY"};
    static const char *const nans[] = {"nan",  "NaN",      "NAN",   "-nan",
                                       "+NaN", "nan(0x1)", "nan()", "NA"};
    double x;
    for (size_t i = 0; i < sizeof infinities / sizeof *infinities; i++) {
        x = 0.0;
        cr_assert_eq(kvq_csv_parse_number(infinities[i], &x), 0, "%s", infinities[i]);
        cr_assert(isinf(x) && (x < 0) == (infinities[i][0] == '-'), "%s", infinities[i]);
    }
    for (size_t i = 0; i < sizeof nans / sizeof *nans; i++) {
        x = 0.0;
        cr_assert_eq(kvq_csv_parse_number(nans[i], &x), 0, "%s", nans[i]);
        cr_assert(isnan(x), "%s", nans[i]);
    }
    static const char *const not_numbers[] = {"infinit", "in", "nan(",   "nan(1", "nanx",
                                              "inf ",    "na", "1.#INF", "--inf"};
    for (size_t i = 0; i < sizeof not_numbers / sizeof *not_numbers; i++)
        cr_assert_eq(kvq_csv_parse_number(not_numbers[i], &x), -1, "%s", not_numbers[i]);
}
