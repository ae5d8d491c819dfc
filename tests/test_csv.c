/* Reading CSV (harness/csv_read.c): RFC 4180 quoting, line endings, and refusals that name the
 * file and line. Expected fields are read off the RFC's rules by hand. */
#include "csv.h"

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
    cr_assert_eq(kvq_csv_parse_number("1e999", &x), -1);
    cr_assert_eq(kvq_csv_parse_number("abc", &x), -1);
}
