/* Symmetric 8-bit absmax quantization of one vector, shared by int8 (the rows) and i8hybrid (the
 * residual after the palette): scale = max_j |x_j| / 127, q_j = round(x_j / scale) with ties away
 * from zero, in [-127, 127]; x^_j = scale q_j. A zero vector has scale 0 and codes 0. */
#ifndef KVQ_BACKENDS_ABSMAX8_H
#define KVQ_BACKENDS_ABSMAX8_H

#include <stddef.h>
#include <stdint.h>

/* Writes the dim codes (int8 values as bytes) of the finite x to q and returns the scale. */
float kvq_absmax8_quantize(const float *x, size_t dim, uint8_t *q);

#endif
