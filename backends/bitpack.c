/* Packing of 1- to 8-bit values into a little-endian bit stream (backends/bitpack.h). */
#include "bitpack.h"

size_t kvq_packed_bytes(size_t n, unsigned bits)
{
    return (n * bits + 7) / 8;
}

void kvq_pack_bits(const uint8_t *values, size_t n, unsigned bits, uint8_t *dst, size_t offset)
{
    for (size_t k = 0; k < n; k++) {
        size_t bit = offset + k * bits;
        unsigned shift = (unsigned)(bit % 8);
        unsigned v = (unsigned)values[k] << shift; /* at most 15 bits */
        dst[bit / 8] |= (uint8_t)(v & 0xffu);
        if (shift + bits > 8) dst[bit / 8 + 1] |= (uint8_t)(v >> 8);
    }
}

void kvq_unpack_bits(const uint8_t *src, size_t offset, unsigned bits, size_t n, uint8_t *values)
{
    unsigned mask = (1u << bits) - 1u;
    for (size_t k = 0; k < n; k++) {
        size_t bit = offset + k * bits;
        unsigned shift = (unsigned)(bit % 8);
        unsigned v = src[bit / 8];
        if (shift + bits > 8) v |= (unsigned)src[bit / 8 + 1] << 8;
        values[k] = (uint8_t)((v >> shift) & mask);
    }
}

void kvq_pack_signs(const float *v, size_t n, uint8_t *dst, size_t offset)
{
    for (size_t k = 0; k < n; k++)
        if (v[k] >= 0.0f) dst[(offset + k) / 8] |= (uint8_t)(1u << ((offset + k) % 8));
}

void kvq_unpack_signs(const uint8_t *src, size_t offset, size_t n, float *out)
{
    for (size_t k = 0; k < n; k++)
        out[k] = (src[(offset + k) / 8] >> ((offset + k) % 8)) & 1u ? 1.0f : -1.0f;
}
