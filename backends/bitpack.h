/* Packing of small unsigned integers (1 to 8 bits each) into a byte stream, shared by the codecs
 * whose codes hold b-bit indices or sign bits (lloydmax, turboquant, turboquant_prod, qjl,
 * polarquant, rabitq).
 *
 * Layout: value k of a run that starts at bit `offset` occupies bits [offset + k b, offset +
 * (k + 1) b) of the stream, least significant bit first, where bit i of the stream is bit (i % 8)
 * of byte i / 8 (little endian, as ggml and numpy.packbits(bitorder="little") lay bits out). n
 * values of b bits take ceil(n b / 8) bytes when they start at offset 0. Known answer
 * (tests/test_codecs1_bitpack.c): the 3-bit values 5, 3, 7 pack to the bytes 0xdd, 0x01.
 */
#ifndef KVQ_BACKENDS_BITPACK_H
#define KVQ_BACKENDS_BITPACK_H

#include <stddef.h>
#include <stdint.h>

/* Bytes that n values of bits bits take: ceil(n * bits / 8). */
size_t kvq_packed_bytes(size_t n, unsigned bits);

/* Writes values[0..n) (each < 2^bits, bits in [1, 8]) at bit offset of dst. ORs into dst: the
 * caller zeroes the code first (so padding bits are zero and codes are deterministic). */
void kvq_pack_bits(const uint8_t *values, size_t n, unsigned bits, uint8_t *dst, size_t offset);

/* Reads n values of bits bits starting at bit offset of src into values. Reads no byte past the
 * last one holding a requested bit. */
void kvq_unpack_bits(const uint8_t *src, size_t offset, unsigned bits, size_t n, uint8_t *values);

/* Sign bits, in the same layout at 1 bit per value: bit k is 1 when v[k] >= 0 (ORed into dst,
 * zeroed by the caller), and decodes to +1.0f, else -1.0f (the scalar oracle of the sketch's score
 * kernel, kvq_sketch_signed_sum, which reads the bits without decoding them). */
void kvq_pack_signs(const float *v, size_t n, uint8_t *dst, size_t offset);
void kvq_unpack_signs(const uint8_t *src, size_t offset, size_t n, float *out);

#endif
