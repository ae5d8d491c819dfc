/* Variant specs: parsing, errors that name the problem, defaults and typed access. */
#include "kvq/params.h"

#include <criterion/criterion.h>
#include <string.h>

static const kvq_param_doc docs[] = {
    {"bits", "4", "bits per coordinate"},
    {"seed", "0", "rotation seed"},
    {"scale", "1.5", "a real"},
    {"outliers", "0", "a boolean"},
    {NULL, NULL, NULL},
};

Test(params, parses_name_and_pairs)
{
    kvq_params p;
    kvq_error err;
    cr_assert_eq(kvq_params_parse("turboquant:bits=3,seed=1", &p, &err), KVQ_OK);
    cr_assert_str_eq(p.name, "turboquant");
    cr_assert_eq(p.count, 2);
    cr_assert_str_eq(kvq_params_get(&p, "bits"), "3");
    cr_assert_str_eq(kvq_params_get(&p, "seed"), "1");
    cr_assert_null(kvq_params_get(&p, "other"));
}

Test(params, bare_name)
{
    kvq_params p;
    cr_assert_eq(kvq_params_parse("int8", &p, NULL), KVQ_OK);
    cr_assert_str_eq(p.name, "int8");
    cr_assert_eq(p.count, 0);
}

static void expect_error(const char *spec, const char *fragment)
{
    kvq_params p;
    kvq_error err;
    kvq_error_clear(&err);
    cr_assert_eq(kvq_params_parse(spec, &p, &err), KVQ_EINVAL, "'%s' was accepted", spec);
    cr_assert(strstr(err.msg, fragment) != NULL, "message for '%s' lacks '%s': %s", spec, fragment,
              err.msg);
}

Test(params, syntax_errors_name_the_problem)
{
    expect_error("", "empty codec name");
    expect_error(":bits=3", "empty codec name");
    expect_error("turboquant:", "empty parameter list");
    expect_error("turboquant:bits", "'bits' is not key=value");
    expect_error("turboquant:bits=", "empty value");
    expect_error("turboquant:=3", "empty parameter name");
    expect_error("turboquant:bits=3,", "trailing ','");
    expect_error("turboquant:bits=3,bits=4", "'bits' given twice");
    expect_error("Turbo", "character 'T' not allowed");
    expect_error("tq:bits=3 ", "character ' ' not allowed");
    expect_error("a_name_that_is_far_too_long_for_the_field", "longer than 31");
}

Test(params, defaults_fill_missing_keys_and_unknown_keys_fail)
{
    kvq_params p;
    kvq_error err;
    cr_assert_eq(kvq_params_parse("tq:bits=3", &p, &err), KVQ_OK);
    cr_assert_eq(kvq_params_apply_defaults(&p, docs, &err), KVQ_OK);
    cr_assert_eq(p.count, 4);
    cr_assert_str_eq(kvq_params_get(&p, "bits"), "3");
    cr_assert_str_eq(kvq_params_get(&p, "seed"), "0");

    cr_assert_eq(kvq_params_parse("tq:bitz=3", &p, &err), KVQ_OK);
    cr_assert_eq(kvq_params_apply_defaults(&p, docs, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "'tq' has no parameter 'bitz' (known: bits, seed, scale, outliers)"),
              "%s", err.msg);
}

Test(params, typed_getters_check_ranges)
{
    kvq_params p;
    kvq_error err;
    long bits;
    double scale;
    int flag;
    cr_assert_eq(kvq_params_parse("tq:bits=3,scale=2.5e-1,outliers=yes", &p, &err), KVQ_OK);
    cr_assert_eq(kvq_params_apply_defaults(&p, docs, &err), KVQ_OK);
    cr_assert_eq(kvq_params_int(&p, "bits", 1, 8, &bits, &err), KVQ_OK);
    cr_assert_eq(bits, 3);
    cr_assert_eq(kvq_params_double(&p, "scale", 0, 1, &scale, &err), KVQ_OK);
    cr_assert_float_eq(scale, 0.25, 1e-15);
    cr_assert_eq(kvq_params_bool(&p, "outliers", &flag, &err), KVQ_OK);
    cr_assert_eq(flag, 1);

    cr_assert_eq(kvq_params_int(&p, "bits", 4, 8, &bits, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "tq: bits=3 is not an integer in [4, 8]"), "%s", err.msg);
    cr_assert_eq(kvq_params_parse("tq:bits=3x,outliers=maybe", &p, &err), KVQ_OK);
    cr_assert_eq(kvq_params_int(&p, "bits", 1, 8, &bits, &err), KVQ_EINVAL);
    cr_assert_eq(kvq_params_bool(&p, "outliers", &flag, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "outliers=maybe is not a boolean"), "%s", err.msg);
}

Test(params, format_round_trips)
{
    kvq_params p, q;
    char buf[256];
    cr_assert_eq(kvq_params_parse("pq:m=16,nbits=8", &p, NULL), KVQ_OK);
    size_t len = kvq_params_format(&p, buf, sizeof buf);
    cr_assert_eq(len, strlen("pq:m=16,nbits=8"));
    cr_assert_str_eq(buf, "pq:m=16,nbits=8");
    cr_assert_eq(kvq_params_parse(buf, &q, NULL), KVQ_OK);
    cr_assert_eq(memcmp(&p, &q, sizeof p), 0);
    cr_assert_eq(kvq_params_format(&p, buf, 4), len, "needed length when truncated");
    cr_assert_str_eq(buf, "pq:");
}

Test(params, pairs_with_another_separator)
{
    kvq_params p;
    memset(&p, 0, sizeof p);
    cr_assert_eq(kvq_params_parse_pairs("n=10&dim=4", '&', "synthetic:x?n=10&dim=4", &p, NULL),
                 KVQ_OK);
    cr_assert_eq(p.count, 2);
    cr_assert_str_eq(kvq_params_get(&p, "dim"), "4");
}
