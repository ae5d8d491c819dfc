/* .npy reader: versions 1-3 read bit for bit as numpy wrote them (f32, f16, a 3-D array whose
 * leading dimensions flatten into rows); Fortran order, other dtypes and malformed headers are
 * refused with a message naming the file and what was expected. Golden files:
 * tests/golden/gen_populations.py. */
#include "kvq/npy.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE(name) KVQ_TEST_DATA "/golden/populations/" name

static void expect_file_bits(const char *file, const char *key, kvq_dtype dtype, size_t rows_want,
                             size_t dim_want, int major)
{
    kvq_npy npy;
    kvq_error err;
    cr_assert_eq(kvq_npy_open(&npy, file, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(npy.major, major);
    cr_assert_eq(npy.tensor.dtype, dtype);
    size_t rows, dim, n;
    cr_assert_eq(kvq_tensor_rows(&npy.tensor, 0, &rows, &dim, NULL), KVQ_OK);
    cr_assert_eq(rows, rows_want);
    cr_assert_eq(dim, dim_want);
    cJSON *golden = kvq_test_golden("populations/populations.json");
    double *want = kvq_test_doubles(cJSON_GetObjectItemCaseSensitive(golden, key), &n);
    cr_assert_eq(n, rows * dim);
    float *row = malloc(dim * sizeof *row);
    for (size_t r = 0; r < rows; r++) {
        kvq_tensor_read_row(&npy.tensor, 0, r, row);
        for (size_t j = 0; j < dim; j++) {
            uint32_t got;
            memcpy(&got, &row[j], sizeof got);
            cr_assert_eq(got, (uint32_t)want[r * dim + j], "%s[%zu][%zu]", key, r, j);
        }
    }
    free(row);
    free(want);
    cJSON_Delete(golden);
    kvq_npy_close(&npy);
}

Test(npy, versions_1_2_3_bit_for_bit)
{
    expect_file_bits(FIXTURE("keys_v1.npy"), "keys_v1_bits", KVQ_DTYPE_F32, 40, 8, 1);
    expect_file_bits(FIXTURE("half_v2.npy"), "half_v2_bits", KVQ_DTYPE_F16, 30, 8, 2);
    expect_file_bits(FIXTURE("cube_v3.npy"), "cube_v3_bits", KVQ_DTYPE_F32, 20, 8, 3);
}

Test(npy, tensor_named_after_file)
{
    kvq_npy npy;
    cr_assert_eq(kvq_npy_open(&npy, FIXTURE("keys_v1.npy"), NULL), KVQ_OK);
    cr_assert_str_eq(npy.tensor.name, "keys_v1");
    kvq_npy_close(&npy);
}

static void expect_file_refused(const char *file, int code, const char *fragment)
{
    kvq_npy npy;
    kvq_error err;
    kvq_error_clear(&err);
    cr_assert_eq(kvq_npy_open(&npy, file, &err), code, "%s: %s", file, err.msg);
    cr_assert(strstr(err.msg, file), "message lacks the file: %s", err.msg);
    cr_assert(strstr(err.msg, fragment), "message lacks '%s': %s", fragment, err.msg);
}

Test(npy, refuses_fortran_and_other_dtypes)
{
    expect_file_refused(FIXTURE("fortran.npy"), KVQ_EUNSUPPORTED, "Fortran-order");
    expect_file_refused(FIXTURE("bigendian.npy"), KVQ_EUNSUPPORTED, "dtype '>f4' is not supported");
    expect_file_refused(FIXTURE("missing.npy"), KVQ_EIO, "cannot open");
}

/* A version-1 image with the given header text and data_len data bytes. */
static uint8_t *image(const char *header, size_t data_len, size_t *size)
{
    size_t h = strlen(header);
    *size = 10 + h + data_len;
    uint8_t *b = calloc(1, *size);
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = (uint8_t)(h & 0xff);
    b[9] = (uint8_t)(h >> 8);
    memcpy(b + 10, header, h);
    return b;
}

static void expect_bad_bytes(const uint8_t *b, size_t size, int code, const char *fragment)
{
    kvq_npy npy;
    kvq_error err;
    kvq_error_clear(&err);
    cr_assert_eq(kvq_npy_parse(&npy, b, size, "bad.npy", &err), code, "'%s' expected: %s", fragment,
                 err.msg);
    cr_assert(strstr(err.msg, "bad.npy"), "message lacks the file: %s", err.msg);
    cr_assert(strstr(err.msg, fragment), "message lacks '%s': %s", fragment, err.msg);
    cr_assert_null(npy.tensor.name);
}

static void expect_bad(const char *header, size_t data_len, int code, const char *fragment)
{
    size_t size;
    uint8_t *b = image(header, data_len, &size);
    expect_bad_bytes(b, size, code, fragment);
    free(b);
}

#define GOOD "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }      \n"

Test(npy, accepts_numpy_header)
{
    size_t size;
    uint8_t *b = image(GOOD, 24, &size);
    kvq_npy npy;
    kvq_error err;
    cr_assert_eq(kvq_npy_parse(&npy, b, size, "ok.npy", &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(npy.tensor.ndim, 2);
    cr_assert_eq(npy.tensor.shape[1], 3);
    cr_assert_eq(npy.tensor.offset, 10 + strlen(GOOD));
    kvq_npy_close(&npy);
    free(b);
}

Test(npy, reads_token_ids_refuses_other_integers)
{
    kvq_npy npy;
    kvq_error err;
    cr_assert_eq(kvq_npy_open(&npy, FIXTURE("int32.npy"), &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(npy.tensor.dtype, KVQ_DTYPE_I32);
    cr_assert_eq(npy.tensor.shape[0], 5);
    int32_t last;
    memcpy(&last, npy.tensor.data + 39 * 4, 4);
    cr_assert_eq(last, 39); /* np.arange(40) */
    kvq_npy_close(&npy);
    expect_bad("{'descr': '<u2', 'fortran_order': False, 'shape': (2, 3), }      \n", 12,
               KVQ_EUNSUPPORTED, "dtype '<u2' is not supported");
}

Test(npy, refuses_malformed)
{
    uint8_t junk[12] = "NUMPY-ish..";
    expect_bad_bytes(junk, sizeof junk, KVQ_EFORMAT, "no \\x93NUMPY magic at offset 0");
    size_t size;
    uint8_t *b = image(GOOD, 24, &size);
    b[6] = 4;
    expect_bad_bytes(b, size, KVQ_EUNSUPPORTED, "format version 4.0");
    b[6] = 1;
    b[8] = 0xff;
    expect_bad_bytes(b, size, KVQ_EFORMAT, "header length 255 at offset 8 exceeds the file");
    free(b);
    expect_bad(GOOD, 20, KVQ_EFORMAT, "need 24 data bytes from offset");
    expect_bad(GOOD, 28, KVQ_EFORMAT, "the file has 28");
    expect_bad("{'descr': '<f4', 'shape': (2, 3), }", 24, KVQ_EFORMAT, "header lacks");
    expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", 24, KVQ_EFORMAT,
               "header key 'x' is unknown");
    expect_bad("{'descr': '<f4', 'descr': '<f4'}", 24, KVQ_EFORMAT, "given twice");
    expect_bad("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2, 3)}", 24, KVQ_EFORMAT,
               "expected True or False");
    expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2; 3)}", 24, KVQ_EFORMAT,
               "',' or ')' in the shape");
    expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}", 24, KVQ_EFORMAT,
               "expected an integer");
    expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", 24,
               KVQ_EFORMAT, "below 2^64");
    expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}", 0,
               KVQ_EFORMAT, "shape overflows");
    expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} trailing", 24,
               KVQ_EFORMAT, "only padding after the header dict");
    expect_bad("{'descr: '<f4'}", 24, KVQ_EFORMAT, "expected ':' after a key");
    expect_bad("('descr', '<f4')", 24, KVQ_EFORMAT, "expected '{' opening the header dict");
    expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}", 4,
               KVQ_EFORMAT, "at most 8 dimensions");
}
