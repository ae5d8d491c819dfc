/* Internals of populations/ shared between its files. */
#ifndef KVQ_POPULATIONS_INTERNAL_H
#define KVQ_POPULATIONS_INTERNAL_H

#include "kvq/error.h"
#include "kvq/params.h"
#include "kvq/population.h"
#include "kvq/rng.h"
#include "kvq/tensor.h"
#include <stddef.h>
#include <stdint.h>

/* Loaders behind kvq_population_load. Each fills pop (already zeroed, layer = -1) from the part
 * of the spec after its scheme, or fails leaving pop for the caller to free. spec is the whole
 * spec, for messages. */
int kvq_synthetic_load(kvq_population *pop, const char *spec, const char *rest, uint64_t seed,
                       kvq_error *err);
/* safetensors:PATH[#options] and npy:PATH[#options] (populations/file_population.c). */
int kvq_file_population_load(kvq_population *pop, const char *spec, const char *rest, uint64_t seed,
                             kvq_error *err);

/* model:DIR#options (populations/model_population.c). */
int kvq_model_population_load(kvq_population *pop, const char *spec, const char *rest,
                              uint64_t seed, kvq_error *err);

/* The parsing halves of the loaders: what a spec asks for, checked without generating rows or
 * opening files. A synthetic spec: the generator, the sizes and the seed (its seed= option, else
 * the run seed given). */
typedef struct kvq_synthetic_request {
    const kvq_synthetic *gen;
    size_t n, dim, nq;
    uint64_t seed;
} kvq_synthetic_request;
int kvq_synthetic_parse(kvq_synthetic_request *rq, const char *spec, const char *rest,
                        uint64_t seed, kvq_error *err);

/* A file spec: the path before the last '#', tensor= (taken out of the options: tensor names are
 * longer and use more characters than kvq_params values allow), and the other options checked
 * against the scheme's and completed with their defaults (empty where the file decides). */
typedef struct kvq_file_request {
    char path[KVQ_TEXT_MAX];
    char tensor[KVQ_TEXT_MAX];
    kvq_params opt;
    int is_npy;     /* npy: rather than safetensors: */
    int no_queries; /* sample rows only (set by the model: loader, whose queries are activations) */
} kvq_file_request;
int kvq_file_population_parse(kvq_file_request *rq, const char *spec, const char *rest,
                              kvq_error *err);
/* Opens the request's file and loads its sample into pop (the second half of
 * kvq_file_population_load; messages are not prefixed with the spec). */
int kvq_file_request_load(kvq_population *pop, kvq_file_request *rq, uint64_t seed, kvq_error *err);

/* Orders tensors by name (qsort, bsearch). */
int kvq_tensor_by_name(const void *a, const void *b);

/* No two of the n tensors (offsets from the start of the file) share a name or overlap; leaves
 * them sorted by name. KVQ_EFORMAT naming path, the tensors, and for a repeated name where in the
 * file it was listed ("header", "tensor infos"). Shared by the safetensors and GGUF readers. */
int kvq_tensors_check_layout(kvq_tensor *t, size_t n, const char *path, const char *where,
                             kvq_error *err);

/* A whole file mapped read-only (populations/mapping.c). An empty file maps to data == NULL,
 * size == 0. */
typedef struct kvq_mapping {
    const uint8_t *data;
    size_t size;
} kvq_mapping;

int kvq_map_file(kvq_mapping *m, const char *path, kvq_error *err);
void kvq_unmap_file(kvq_mapping *m);

/* How the bytes of a mapping are about to be read. */
typedef enum kvq_access {
    KVQ_ACCESS_RANDOM,     /* scattered rows: fetch only the pages touched, no read-ahead */
    KVQ_ACCESS_SEQUENTIAL, /* a whole tensor front to back: read ahead aggressively */
} kvq_access;

/* Advises the kernel (posix_madvise) that bytes [data, data + len) of a mapping will be read as
 * `access`; the range is widened to whole pages. Advice changes what is fetched from disk, never
 * what is read. data == NULL or len == 0 -> KVQ_OK. KVQ_EIO with the reason when the kernel
 * refuses (callers may go on: the reads are correct without advice). */
int kvq_map_advise(const void *data, size_t len, kvq_access access, kvq_error *err);

/* Draws n + nq distinct row indices of [0, total) (populations/sampling.c): rows[n] and the
 * held-out queries[nq], each sorted ascending, disjoint. KVQ_EINVAL when they do not fit. */
int kvq_sample_rows(kvq_rng *rng, size_t total, size_t n, size_t nq, size_t *rows, size_t *queries,
                    kvq_error *err);

/* Population options shared by the loaders (populations/population.c). kvq_option_size: the
 * integer value of key in [min, max], or fallback when the option was left empty.
 * kvq_option_seed: the seed= option when given, else run_seed. */
int kvq_option_size(const kvq_params *opt, const char *key, long fallback, long min, long max,
                    size_t *out, kvq_error *err);
int kvq_option_seed(const kvq_params *opt, uint64_t run_seed, uint64_t *out, kvq_error *err);

/* Default number of held-out queries for a source of `total` rows: min(256, total / 5), at
 * least 1. */
size_t kvq_default_queries(size_t total);

/* Helpers of the synthetic generators (populations/synth_util.c): n N(0, scale^2) values; a row
 * scaled to unit L2 norm (a zero row stays zero); a uniformly random unit vector; dim x dim
 * random orthonormal rows (Gram-Schmidt of Gaussian vectors). */
void kvq_synth_normal(kvq_rng *rng, float scale, size_t n, float *out);
void kvq_synth_normalize(float *row, size_t dim);
void kvq_synth_unit(kvq_rng *rng, size_t dim, float *out);
void kvq_synth_basis(kvq_rng *rng, size_t dim, float *basis);

#endif
