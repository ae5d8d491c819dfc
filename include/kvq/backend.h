/* The backend vtable: the plug-in point for codecs.
 *
 * A codec is one file backends/<name>.c whose functions are all static and prefixed <name>_, ending
 * in one `const kvq_backend kvq_backend_<name> = { .name = "<name>", ... };`, plus one line in
 * backends/registry.c and one in backends/meson.build (README, "Adding a backend").
 *
 * Geometry: a codec instance is created for one row dimension `dim`. Rows are float[dim], row-major
 * when several are passed. A *code* is the encoded form of one row: exactly bytes_per_row() bytes,
 * the same for every row of an instance. Codes of n rows lie back to back (n * bytes_per_row()).
 *
 * Lifecycle: create -> fit (optional) -> any number of encode / score / reconstruct -> destroy.
 * After fit returns, the state is read-only: encode, score and reconstruct take it const and must
 * be safe to call from several threads at once (no scratch space in the state; allocate per call or
 * use the stack).
 *
 * Errors: a backend never prints, exits or aborts. Fallible slots return 0 or a negative
 * kvq_status and fill err with a message naming the parameter or input at fault.
 *
 * Callers go through the wrappers at the end of this header, which check arguments, supply the
 * defaults of optional slots and verify the invariants (a code's size, finite output).
 */
#ifndef KVQ_BACKEND_H
#define KVQ_BACKEND_H

#include "kvq/error.h"
#include "kvq/params.h"
#include "kvq/rng.h"
#include <stddef.h>
#include <stdint.h>

/* What a codec can give back. */
typedef enum kvq_grade {
    KVQ_GRADE_RECONSTRUCTION, /* decodes rows; score(q, code) == <q, reconstruct(code)> */
    KVQ_GRADE_SIGNATURE,      /* only estimates inner products; reconstruct is NULL */
    KVQ_GRADE_HYBRID          /* decodes rows, but score uses extra information (e.g. a residual
                                 sketch), so it may differ from <q, reconstruct(code)> */
} kvq_grade;

typedef struct kvq_backend {
    /* Unique, lowercase [a-z0-9_], equal to the file name and the symbol suffix. Required. */
    const char *name;
    /* One line for `kvqeval list backends`. Required. */
    const char *summary;
    kvq_grade grade;
    /* Declared parameters, {NULL}-terminated; every key a spec may set, with its default. Required
     * (a codec without parameters points at an array holding only the terminator). */
    const kvq_param_doc *params;
    /* The default resolution ladder that `--matrix all` runs: parameter sets separated by ';', each
     * a comma-separated list of key=value (e.g. "bits=2;bits=4;bits=8"). "" runs the defaults once.
     * Required. */
    const char *variants;
    /* Upper bound of the relative MSE, sum|x - x^|^2 / sum|x|^2, that reconstruction at the
     * default parameters reaches on i.i.d. N(0,1) rows of dimension 128 (the contract test checks
     * it). For signature-grade codecs: the bound on the relative MSE of the scores instead,
     * sum (s - s^)^2 / sum s^2 over query-row pairs. */
    double tolerance;

    /* Creates an instance for rows of dimension dim (>= 1) with the parameters p (already checked
     * against .params and completed with defaults). rng is a stream private to this instance, for
     * random rotations and projections. On success *state owns everything the instance needs; on
     * failure *state is left untouched and nothing leaks. Must reject at once parameters that
     * break a wire width (e.g. k > 256 with a u8 index) with KVQ_ERANGE. Required. */
    int (*create)(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err);

    /* Learns from n training rows (codebooks, bases, scales). May be NULL for codecs that learn
     * nothing. Called at most once, before any encode. rows is borrowed. */
    int (*fit)(void *state, const float *rows, size_t n, kvq_rng *rng, kvq_error *err);

    /* Encodes n rows into codes (n * bytes_per_row bytes, caller-allocated; the codec writes every
     * byte, padding included, so codes are deterministic). Rows may contain any finite values;
     * non-finite input -> KVQ_EINVAL. Required. */
    int (*encode)(const void *state, const float *rows, size_t n, uint8_t *codes, kvq_error *err);

    /* Asymmetric scores: out[i] = the codec's estimate of <query, row_i> for the n codes, with the
     * query in full precision (as attention uses K, as retrieval uses an index). Required. */
    int (*score)(const void *state, const float *query, const uint8_t *codes, size_t n, float *out,
                 kvq_error *err);

    /* The scores of nq queries (nq x dim, row-major) at once: out[q * n + i] is what score gives
     * for query q and code i, bit for bit, for a codec that decodes each code once for every
     * query instead of once per query. May be NULL: the queries are scored one at a time. */
    int (*score_many)(const void *state, const float *queries, size_t nq, const uint8_t *codes,
                      size_t n, float *out, kvq_error *err);

    /* Decodes n codes into rows (n * dim floats). NULL for signature-grade codecs, required
     * otherwise. */
    int (*reconstruct)(const void *state, const uint8_t *codes, size_t n, float *rows,
                       kvq_error *err);

    /* The exact size in bytes of one code, every per-row scalar included. Required. */
    size_t (*bytes_per_row)(const void *state);

    /* Bytes of everything shared by all rows (codebooks, rotations that must be stored, bases,
     * centroids, scales): the amortised overhead of a compressed tensor. May be NULL (= 0). A
     * rotation regenerated from a stored seed counts as the seed's 8 bytes. */
    size_t (*shared_bytes)(const void *state);

    /* Frees the instance. Required; state may be NULL. */
    void (*destroy)(void *state);
} kvq_backend;

/* ---- registry (backends/registry.c) ---- */

/* The registered backends, alphabetical, NULL-terminated. */
extern const kvq_backend *const kvq_backends[];

/* The backend named name, or NULL. */
const kvq_backend *kvq_backend_find(const char *name);

/* ---- a created codec: the wrappers every caller uses (backends/codec.c) ---- */

typedef struct kvq_codec {
    const kvq_backend *backend;
    kvq_params params; /* complete: every declared key, defaults filled in */
    size_t dim;
    size_t code_bytes; /* bytes_per_row(), cached at open */
    void *state;
    int fitted;
} kvq_codec;

/* Parses spec ("name:key=value,..."), finds the backend and checks and completes the parameters
 * (*full gets every declared key). Errors name the spec: unknown codec (listing the known ones),
 * unknown key (listing the known keys), bad syntax. */
int kvq_codec_resolve(const char *spec, kvq_params *full, const kvq_backend **backend,
                      kvq_error *err);

/* The canonical name of the variant spec, the one key every output uses: the codec's name, then
 * only the parameters whose value differs from the declared default, in declared order, numbers
 * written plainly ("int4:group=32" and "int4" are both "int4"; "turboquant:seed=1,bits=3" is
 * "turboquant:bits=3" when seed 1 is the default). Two values are equal when their texts are, or
 * when both are numbers of the same value. Errors as kvq_codec_resolve; KVQ_ERANGE when out is
 * too small. */
int kvq_codec_canonical(const char *spec, char *out, size_t size, kvq_error *err);

/* kvq_codec_resolve, then creates the instance for dimension dim; bad values are reported by the
 * backend's create. */
int kvq_codec_open(kvq_codec *codec, const char *spec, size_t dim, kvq_rng *rng, kvq_error *err);

/* Creates an instance of backend b, registered or not (tests use private backends), from
 * parameters p (p->name is not consulted; missing keys get their defaults, unknown keys fail). */
int kvq_codec_open_backend(kvq_codec *codec, const kvq_backend *b, const kvq_params *p, size_t dim,
                           kvq_rng *rng, kvq_error *err);

void kvq_codec_close(kvq_codec *codec);

/* Calls fit when the backend has one; a no-op otherwise. n >= 1. */
int kvq_codec_fit(kvq_codec *codec, const float *rows, size_t n, kvq_rng *rng, kvq_error *err);

/* Encodes n rows; checks the input is finite, and that the backend wrote every byte of every
 * code and nothing past the end (KVQ_EINTERNAL naming the codec otherwise). */
int kvq_codec_encode(const kvq_codec *codec, const float *rows, size_t n, uint8_t *codes,
                     kvq_error *err);

/* Scores one query against n codes. */
int kvq_codec_score(const kvq_codec *codec, const float *query, const uint8_t *codes, size_t n,
                    float *out, kvq_error *err);

/* Scores nq queries (nq x dim) against n codes into out (nq x n): the backend's score_many, or
 * score once per query; the same numbers either way. */
int kvq_codec_score_many(const kvq_codec *codec, const float *queries, size_t nq,
                         const uint8_t *codes, size_t n, float *out, kvq_error *err);

/* Decodes n codes; KVQ_EUNSUPPORTED for signature-grade codecs. */
int kvq_codec_reconstruct(const kvq_codec *codec, const uint8_t *codes, size_t n, float *rows,
                          kvq_error *err);

/* Whether reconstruct is available. */
int kvq_codec_can_reconstruct(const kvq_codec *codec);

size_t kvq_codec_shared_bytes(const kvq_codec *codec);

/* 1 when the codec's shared bytes reach the size of the n rows of its dimension it was fitted on,
 * kept in bf16 (n * dim * 2 bytes): its tables alone cost as much as storing the rows, and hold
 * room for them. A codebook of f32 centroids spanning the row (pq's 2^nbits per subspace,
 * palette's k, hclam's leaves, an rvq level's k) costs dim * 4 bytes a centroid, so a codec with
 * as many centroids as rows, which can keep every row as its own centroid and so reach any
 * fidelity, is always caught, whatever its parameters are called. */
int kvq_codec_degenerate(const kvq_codec *codec, size_t n);

/* Expands a backend's ladder into specs: calls fn(spec, ctx) once per variant ("name" alone when
 * .variants is ""), stopping at the first non-zero return, which it passes back. */
int kvq_backend_each_variant(const kvq_backend *b, int (*fn)(const char *spec, void *ctx),
                             void *ctx);

#endif
