/* The deployed formats against golden codes computed independently in numpy/Python from the
 * formats' public descriptions (tests/golden/gen_deployed.py -> tests/golden/deployed.json): for
 * two fixed rows of dimension 256 (Gaussian; half-scale with an outlier of 25, a zero block and a
 * block of 1e-4-scale values reaching half and E4M3 subnormals), each codec's code must equal the
 * golden bytes and its reconstruction the golden floats, bit for bit. Codecs with a per-tensor
 * scale (nvfp4, fp8:scale=tensor) are fitted on the two rows first.
 *
 * How the golden was checked: the Python of the ggml formats (q8_0, q4_0, q4_1, q5_0, q5_1,
 * iq4_nl, q2_k ... q6_k) was compared byte for byte, codes and dequantized floats, with ggml commit
 * d99724f2b141fed9e1a9f402213506c081433465 (github.com/ggml-org/ggml) built outside this
 * repository (src/ggml-quants.c, gcc -ffp-contract=off, a small driver): quantize_row_*_ref for
 * the legacy types, quantize_iq4_nl and quantize_q*_K with no importance matrix (which call the
 * k-quants' _ref functions), dequantize_row_*: identical. Its mxfp4 was compared with the same
 * commit's quantize_row_mxfp4_ref: identical once the negative zeros that round-to-nearest-even
 * keeps (ggml writes +0) are written as +0; decoded floats identical. The C codecs themselves were
 * also run against that build on 3000 random rows of 256 (Gaussian, uniform, heavy-tailed, with
 * zero blocks, values on exact ties, one-signed; scales 1e-4 to 1e4): identical codes and decodes
 * for every ggml type, except q4_1 and q5_1 rows whose minimum lies beyond the half range
 * (|min| > 65504: ggml stores infinity, these codecs saturate) and mxfp4 on exact ties (ggml
 * rounds them towards zero, OCP to even). mxfp8, nvfp4, fp8 and nf4 have no ggml counterpart of
 * this layout: their Python rounds exactly (fractions) against the table of every value of each
 * format, independently of backends/minifloat.c's bit arithmetic; nf4 uses bitsandbytes' table
 * and dQuantizeNF4 thresholds (csrc/kernels.cu at bitsandbytes commit
 * 95f9af309d4d5793847169c39288dcd3fcbdf564). */
#include "kvq/backend.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The k-quants are built but not registered while the contract test runs every registered codec
 * at dimension 128, which they refuse (tests/test_deployed_kquants.c): opened by descriptor. */
extern const kvq_backend kvq_backend_q2_k, kvq_backend_q3_k, kvq_backend_q4_k, kvq_backend_q5_k,
    kvq_backend_q6_k;

static int open_spec(kvq_codec *codec, const char *spec, size_t dim, kvq_rng *rng, kvq_error *err)
{
    const kvq_backend *const kquants[] = {&kvq_backend_q2_k, &kvq_backend_q3_k, &kvq_backend_q4_k,
                                          &kvq_backend_q5_k, &kvq_backend_q6_k};
    for (size_t k = 0; k < sizeof kquants / sizeof *kquants; k++)
        if (strcmp(spec, kquants[k]->name) == 0 && !kvq_backend_find(spec)) {
            kvq_params p;
            memset(&p, 0, sizeof p);
            return kvq_codec_open_backend(codec, kquants[k], &p, dim, rng, err);
        }
    return kvq_codec_open(codec, spec, dim, rng, err);
}

static uint8_t *hex_bytes(const char *hex, size_t *n)
{
    *n = strlen(hex) / 2;
    uint8_t *out = malloc(*n + 1);
    cr_assert_not_null(out);
    for (size_t i = 0; i < *n; i++) {
        unsigned v;
        cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return out;
}

static void check_codec(const cJSON *entry, const float *rows, size_t nrows, size_t dim)
{
    const char *spec = cJSON_GetObjectItem(entry, "spec")->valuestring;
    int fit = cJSON_IsTrue(cJSON_GetObjectItem(entry, "fit"));
    kvq_codec codec;
    kvq_error err;
    kvq_rng rng;
    kvq_rng_seed(&rng, 1, 1);
    cr_assert_eq(open_spec(&codec, spec, dim, &rng, &err), KVQ_OK, "%s: %s", spec, err.msg);
    if (fit)
        cr_assert_eq(kvq_codec_fit(&codec, rows, nrows, &rng, &err), KVQ_OK, "%s: %s", spec,
                     err.msg);
    uint8_t *codes = malloc(nrows * codec.code_bytes);
    float *back = malloc(nrows * dim * sizeof *back);
    cr_assert(codes && back);
    cr_assert_eq(kvq_codec_encode(&codec, rows, nrows, codes, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(kvq_codec_reconstruct(&codec, codes, nrows, back, &err), KVQ_OK, "%s", err.msg);
    const cJSON *want_codes = cJSON_GetObjectItem(entry, "codes");
    const cJSON *want_rows = cJSON_GetObjectItem(entry, "decoded");
    for (size_t r = 0; r < nrows; r++) {
        size_t n, m;
        uint8_t *want = hex_bytes(cJSON_GetArrayItem(want_codes, (int)r)->valuestring, &n);
        cr_assert_eq(n, codec.code_bytes, "%s: golden code of %zu bytes, codec %zu", spec, n,
                     codec.code_bytes);
        const uint8_t *got = codes + r * codec.code_bytes;
        for (size_t b = 0; b < n; b++)
            cr_assert_eq(got[b], want[b], "%s row %zu: byte %zu is %02x, golden %02x", spec, r, b,
                         got[b], want[b]);
        float *decoded = kvq_test_floats(cJSON_GetArrayItem(want_rows, (int)r), &m);
        cr_assert_eq(m, dim);
        for (size_t j = 0; j < dim; j++)
            cr_assert_eq(memcmp(&back[r * dim + j], &decoded[j], sizeof(float)), 0,
                         "%s row %zu: coordinate %zu decodes to %.9g, golden %.9g", spec, r, j,
                         (double)back[r * dim + j], (double)decoded[j]);
        free(want);
        free(decoded);
    }
    free(codes);
    free(back);
    kvq_codec_close(&codec);
}

Test(deployed_golden, codes_and_decodes_match)
{
    cJSON *g = kvq_test_golden("deployed.json");
    size_t dim = (size_t)kvq_test_num(g, "dim");
    const cJSON *rows_json = cJSON_GetObjectItem(g, "rows");
    size_t nrows = (size_t)cJSON_GetArraySize(rows_json);
    float *rows = malloc(nrows * dim * sizeof *rows);
    cr_assert_not_null(rows);
    for (size_t r = 0; r < nrows; r++) {
        size_t n;
        float *row = kvq_test_floats(cJSON_GetArrayItem(rows_json, (int)r), &n);
        cr_assert_eq(n, dim);
        memcpy(rows + r * dim, row, dim * sizeof *row);
        free(row);
    }
    size_t checked = 0;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, cJSON_GetObjectItem(g, "codecs"))
    {
        check_codec(entry, rows, nrows, dim);
        checked++;
    }
    cr_assert_geq(checked, 19);
    free(rows);
    cJSON_Delete(g);
}
