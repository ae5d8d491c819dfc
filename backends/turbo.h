/* The TurboQuant-mse stage (Zandieh, Daliri, Hadian, Mirrokni, arXiv 2504.19874, Algorithm 1),
 * shared by the turboquant and turboquant_prod codecs: rotate the row with the randomised
 * Walsh–Hadamard rotation R of backends/wht.h, divide by its norm, and quantize every coordinate
 * of the rotated unit vector, which is close to N(0, 1/d) (a Beta coordinate of the sphere), with
 * the Lloyd–Max codebook of N(0, 1/d) at b bits (backends/lloyd.h, the N(0, 1) codebook scaled by
 * 1/sqrt(d)). Decoding gives y^_j = |x| c[i_j] / sqrt(d) in the rotated frame; x^ = R^T y^.
 *
 * Everything downstream works in the rotated frame: <q, x^> = <R q, y^> because R is orthogonal,
 * so a score rotates the query once and never rotates a row back.
 */
#ifndef KVQ_BACKENDS_TURBO_H
#define KVQ_BACKENDS_TURBO_H

#include "lloyd.h"
#include "wht.h"

typedef struct kvq_turbo {
    size_t dim;
    kvq_rotation rotation;
    kvq_lloyd codebook; /* N(0, 1) at bits; coordinates are scaled by sqrt(dim) / |x| first */
} kvq_turbo;

/* Builds the stage for rows of dim coordinates at bits in [1, 8], rotation from seed. Errors
 * (KVQ_ERANGE for bits, KVQ_ENOMEM) name codec. On failure t holds nothing to free. */
int kvq_turbo_init(kvq_turbo *t, size_t dim, unsigned bits, uint64_t seed, const char *codec,
                   kvq_error *err);

void kvq_turbo_free(kvq_turbo *t);

/* Quantizes row x: writes R x into y (dim floats), the codebook index of every coordinate into
 * index (dim values < 2^bits) and returns |x| (computed in double, rounded to float). A zero row
 * gets the indices of 0 and decodes to 0. */
float kvq_turbo_quantize(const kvq_turbo *t, const float *x, float *y, uint8_t *index);

/* y <- the rotated-frame decoding of index with norm: y_j = norm c[index_j] / sqrt(dim). */
void kvq_turbo_dequantize(const kvq_turbo *t, const uint8_t *index, float norm, float *y);

#endif
