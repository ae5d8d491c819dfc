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

/* Values k of a run of bits-bit values starting at bit offset, one at a time. */
static void unpack_each(const uint8_t *src, size_t offset, unsigned bits, size_t from, size_t n,
                        uint8_t *values)
{
    unsigned mask = (1u << bits) - 1u;
    for (size_t k = from; k < n; k++) {
        size_t bit = offset + k * bits;
        unsigned shift = (unsigned)(bit % 8);
        unsigned v = src[bit / 8];
        if (shift + bits > 8) v |= (unsigned)src[bit / 8 + 1] << 8;
        values[k] = (uint8_t)((v >> shift) & mask);
    }
}

/* From a byte boundary, eight values of b bits fill exactly b bytes: groups of eight, each read as
 * one little-endian word and split. Inlined once per width, so that shifts and masks are
 * constants. */
static inline void unpack_groups(const uint8_t *p, unsigned bits, size_t groups, uint8_t *values)
{
    uint64_t mask = (1u << bits) - 1u;
    for (size_t g = 0; g < groups; g++, p += bits, values += 8) {
        uint64_t word = 0;
        for (unsigned b = 0; b < bits; b++) word |= (uint64_t)p[b] << (8 * b);
        for (unsigned v = 0; v < 8; v++) values[v] = (uint8_t)(word >> (v * bits) & mask);
    }
}

void kvq_unpack_bits(const uint8_t *src, size_t offset, unsigned bits, size_t n, uint8_t *values)
{
    size_t groups = offset % 8 == 0 ? n / 8 : 0;
    const uint8_t *p = src + offset / 8;
    switch (groups ? bits : 0) {
    case 1:
        unpack_groups(p, 1, groups, values);
        break;
    case 2:
        unpack_groups(p, 2, groups, values);
        break;
    case 3:
        unpack_groups(p, 3, groups, values);
        break;
    case 4:
        unpack_groups(p, 4, groups, values);
        break;
    case 5:
        unpack_groups(p, 5, groups, values);
        break;
    case 6:
        unpack_groups(p, 6, groups, values);
        break;
    case 7:
        unpack_groups(p, 7, groups, values);
        break;
    case 8:
        unpack_groups(p, 8, groups, values);
        break;
    default:
        groups = 0;
    }
    unpack_each(src, offset, bits, 8 * groups, n, values);
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
