/* kvqeval encode --codec SPEC --npy IN.npy --out CODES.bin [--seed S]
 *     fits the codec on every row of IN (when it learns), encodes them and writes the codes back
 *     to back: rows x bytes_per_row bytes, nothing else.
 * kvqeval decode --codec SPEC --codes CODES.bin --dim D --out OUT.npy [--seed S]
 *     decodes the codes of a codec that needs no fitted state into a rows x D float32 .npy. A
 *     codec whose codes depend on what fit learned from the rows (checked: two instances fitted
 *     on different rows must encode the same probe rows alike) or that cannot decode (signature
 *     grade) is refused.
 * The codec's random stream (rotations, projections) derives from the seed (default 1) and the
 * spec alone, so decode with the same --seed reads what encode wrote. Output is written
 * atomically. Exit 0; 2 for a usage error or input refused (naming the file and what); 3 when the
 * output cannot be written. */
#include "cli/commands.h"
#include "harness/run.h"
#include "io/atomic_file.h"
#include "io/message.h"
#include "io/npy_write.h"
#include "kvq/backend.h"
#include "kvq/npy.h"
#include "kvq/params.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct codec_args {
    const char *codec, *npy, *codes, *out, *dim;
    uint64_t seed;
} codec_args;

static int codec_usage(const char *cmd, const char *why, const char *arg)
{
    fprintf(stderr, "kvqeval %s: ", cmd);
    kvq_put_escaped(stderr, why);
    if (arg) kvq_put_escaped(stderr, arg);
    fputs("\nusage: kvqeval encode --codec SPEC --npy IN.npy --out CODES.bin [--seed S]\n"
          "       kvqeval decode --codec SPEC --codes CODES.bin --dim D --out OUT.npy [--seed S]\n",
          stderr);
    return KVQ_EXIT_USAGE;
}

static int parse(int argc, char **argv, codec_args *a)
{
    *a = (codec_args){.seed = 1};
    static const char *const flags[] = {"--codec", "--npy", "--codes", "--out", "--dim", "--seed"};
    for (int i = 1; i < argc; i += 2) {
        size_t k = 0;
        while (k < 6 && strcmp(argv[i], flags[k]) != 0) k++;
        if (k == 6) return codec_usage(argv[0], "unknown argument ", argv[i]);
        if (i + 1 >= argc) return codec_usage(argv[0], "missing value after ", argv[i]);
        const char *v = argv[i + 1];
        const char **slot[] = {&a->codec, &a->npy, &a->codes, &a->out, &a->dim, NULL};
        if (k == 5) {
            if (kvq_parse_seed(v, &a->seed))
                return codec_usage(argv[0], "--seed takes an integer in [0, 2^53), got ", v);
        } else {
            *slot[k] = v;
        }
    }
    int encode = strcmp(argv[0], "encode") == 0;
    if (!a->codec || !a->out) return codec_usage(argv[0], "--codec and --out are required", NULL);
    if (encode && (!a->npy || a->codes || a->dim))
        return codec_usage(argv[0], "encode takes --npy (not --codes or --dim)", NULL);
    if (!encode && (!a->codes || !a->dim || a->npy))
        return codec_usage(argv[0], "decode takes --codes and --dim (not --npy)", NULL);
    return 0;
}

static int fail(const char *cmd, const kvq_error *err, int status)
{
    kvq_say("kvqeval %s: %s", cmd, err->msg);
    return status;
}

/* The codec for rows of dim, its stream from the seed and the spec. */
static int open_codec(kvq_codec *codec, const codec_args *a, size_t dim, kvq_error *err)
{
    kvq_rng rng;
    char label[KVQ_NAME_MAX + 300];
    snprintf(label, sizeof label, "codec|%s", a->codec);
    kvq_rng_derive(&rng, a->seed, label);
    return kvq_codec_open(codec, a->codec, dim, &rng, err);
}

/* The rows of a .npy (float32, float16 or float64; 1-D is one row) as f32. */
static int read_rows(const char *path, float **rows, size_t *n, size_t *dim, kvq_error *err)
{
    kvq_npy npy;
    int rc = kvq_npy_open(&npy, path, err);
    if (rc) return rc;
    if (!kvq_dtype_is_readable(npy.tensor.dtype))
        rc = kvq_fail(err, KVQ_EINVAL, "%s: rows must be float32, float16 or float64, not %s", path,
                      kvq_dtype_name(npy.tensor.dtype));
    if (!rc) rc = kvq_tensor_rows(&npy.tensor, 0, n, dim, err);
    if (!rc && !(*rows = malloc(*n * *dim * sizeof **rows)))
        rc = kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for %zu rows", path, *n);
    for (size_t r = 0; !rc && r < *n; r++) kvq_tensor_read_row(&npy.tensor, 0, r, *rows + r * *dim);
    kvq_npy_close(&npy);
    return rc;
}

static int encode(const codec_args *a)
{
    kvq_error err;
    float *rows = NULL;
    size_t n, dim;
    if (read_rows(a->npy, &rows, &n, &dim, &err)) return fail("encode", &err, KVQ_EXIT_USAGE);
    kvq_codec codec;
    if (open_codec(&codec, a, dim, &err)) {
        free(rows);
        return fail("encode", &err, KVQ_EXIT_USAGE);
    }
    kvq_rng rng;
    kvq_rng_derive(&rng, a->seed, "encode|fit");
    uint8_t *codes = malloc(n * codec.code_bytes);
    int status = KVQ_EXIT_OK;
    if (!codes)
        status = fail("encode", &(kvq_error){KVQ_ENOMEM, "out of memory"}, KVQ_EXIT_USAGE);
    else if (kvq_codec_fit(&codec, rows, n, &rng, &err) ||
             kvq_codec_encode(&codec, rows, n, codes, &err))
        status = fail("encode", &err, KVQ_EXIT_USAGE);
    kvq_afile f;
    if (!status && kvq_afile_open(&f, a->out, &err))
        status = fail("encode", &err, KVQ_EXIT_IO);
    else if (!status) {
        fwrite(codes, 1, n * codec.code_bytes, f.f);
        if (kvq_afile_commit(&f, &err)) status = fail("encode", &err, KVQ_EXIT_IO);
    }
    free(codes);
    free(rows);
    kvq_codec_close(&codec);
    return status;
}

/* Whether the codec's fit learns state that its codes depend on: two instances (the same
 * stream), fitted on two different sets of rows, encode the same probe rows; 1 when their codes
 * differ, 0 when fit leaves nothing the codes need (or there is no fit), negative on error. A
 * codec that cannot be fitted on the probe sets counts as learning. */
static int learns_from_rows(const codec_args *a, size_t dim, kvq_error *err)
{
    enum { PROBE = 300 };
    float *x = malloc(3 * PROBE * dim * sizeof *x);
    if (!x) return kvq_fail(err, KVQ_ENOMEM, "out of memory");
    kvq_rng rng;
    kvq_rng_derive(&rng, 1, "decode|probe");
    for (size_t i = 0; i < 3 * PROBE * dim; i++) /* set B is set A scaled and shifted */
        x[i] = (float)kvq_rng_gaussian(&rng) * (i >= PROBE * dim && i < 2 * PROBE * dim ? 3 : 1);
    kvq_codec c[2];
    uint8_t *codes[2] = {NULL, NULL};
    int rc = KVQ_OK, opened = 0;
    for (int k = 0; k < 2 && !rc; k++) {
        if ((rc = open_codec(&c[k], a, dim, err))) break;
        opened++;
        kvq_rng fit;
        kvq_rng_derive(&fit, a->seed, "encode|fit");
        if (!(codes[k] = malloc(PROBE * c[k].code_bytes)))
            rc = kvq_fail(err, KVQ_ENOMEM, "out of memory");
        else if (kvq_codec_fit(&c[k], x + (size_t)k * PROBE * dim, PROBE, &fit, err) ||
                 kvq_codec_encode(&c[k], x + 2 * PROBE * dim, PROBE, codes[k], err))
            rc = 1; /* cannot learn from the probes: treat it as learning */
    }
    int learns = rc == 1 || (!rc && memcmp(codes[0], codes[1], PROBE * c[0].code_bytes) != 0);
    for (int k = 0; k < opened; k++) kvq_codec_close(&c[k]);
    free(codes[0]);
    free(codes[1]);
    free(x);
    return rc < 0 ? rc : learns;
}

static int decode(const codec_args *a)
{
    kvq_error err;
    char *end;
    long dim = strtol(a->dim, &end, 10);
    if (*a->dim < '1' || *a->dim > '9' || *end || dim < 1 || dim > (1L << 24))
        return codec_usage("decode", "--dim takes an integer from 1 to 2^24, got ", a->dim);
    kvq_codec codec;
    if (open_codec(&codec, a, (size_t)dim, &err)) return fail("decode", &err, KVQ_EXIT_USAGE);
    int status = KVQ_EXIT_OK;
    int learns = learns_from_rows(a, (size_t)dim, &err);
    if (learns < 0) {
        status = fail("decode", &err, KVQ_EXIT_USAGE);
    } else if (learns) {
        kvq_fail(&err, KVQ_EINVAL,
                 "codec '%s' learns from the rows it encodes (fit): its codes cannot be decoded "
                 "without that state; decode takes codecs that learn nothing",
                 a->codec);
        status = fail("decode", &err, KVQ_EXIT_USAGE);
    } else if (!kvq_codec_can_reconstruct(&codec)) {
        kvq_fail(&err, KVQ_EINVAL, "codec '%s' only estimates inner products: it cannot decode",
                 codec.backend->name);
        status = fail("decode", &err, KVQ_EXIT_USAGE);
    }
    uint8_t *codes = NULL;
    float *rows = NULL;
    size_t n = 0;
    FILE *in = status ? NULL : fopen(a->codes, "rb");
    struct stat st;
    if (!status && (!in || fstat(fileno(in), &st) != 0)) {
        kvq_fail(&err, KVQ_EIO, "cannot open '%s': %s", a->codes, strerror(errno));
        status = fail("decode", &err, KVQ_EXIT_USAGE);
    } else if (!status && (st.st_size == 0 || (size_t)st.st_size % codec.code_bytes)) {
        kvq_fail(&err, KVQ_EINVAL,
                 "%s: %lld bytes is not a whole number of %s codes of %zu bytes (dim %ld)",
                 a->codes, (long long)st.st_size, a->codec, codec.code_bytes, dim);
        status = fail("decode", &err, KVQ_EXIT_USAGE);
    } else if (!status) {
        n = (size_t)st.st_size / codec.code_bytes;
        codes = malloc((size_t)st.st_size);
        rows = malloc(n * (size_t)dim * sizeof *rows);
        if (!codes || !rows || fread(codes, 1, (size_t)st.st_size, in) != (size_t)st.st_size) {
            kvq_fail(&err, KVQ_EIO, "cannot read '%s'", a->codes);
            status = fail("decode", &err, KVQ_EXIT_USAGE);
        } else if (kvq_codec_reconstruct(&codec, codes, n, rows, &err)) {
            status = fail("decode", &err, KVQ_EXIT_USAGE);
        } else if (kvq_npy_write_f32(a->out, rows, n, (size_t)dim, &err)) {
            status = fail("decode", &err, KVQ_EXIT_IO);
        }
    }
    if (in) fclose(in);
    free(codes);
    free(rows);
    kvq_codec_close(&codec);
    return status;
}

int kvq_codec_main(int argc, char **argv)
{
    codec_args a;
    int status = parse(argc, argv, &a);
    if (status) return status;
    return strcmp(argv[0], "encode") == 0 ? encode(&a) : decode(&a);
}
