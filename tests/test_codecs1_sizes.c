/* Code sizes of the codecs-I family: bytes_per_row is the documented bit budget rounded up to a
 * byte, every per-row scalar included (the layout each file's opening comment states), at
 * dimensions on and off powers of two and at every width; shared_bytes counts a regenerated
 * rotation or projection as its 8-byte seed. */
#include "codecs1_util.h"

static size_t ceil8(size_t bits)
{
    return (bits + 7) / 8;
}

static size_t int4_bytes(size_t dim, size_t group)
{
    size_t bytes = 0;
    for (size_t j = 0; j < dim; j += group) {
        size_t len = dim - j < group ? dim - j : group;
        bytes += 2 + ceil8(4 * len); /* f16 scale + nibbles */
    }
    return bytes;
}

static void check(const char *spec, size_t dim, size_t bytes, size_t shared)
{
    kvq_codec codec;
    codecs1_open(&codec, spec, dim);
    cr_assert_eq(codec.code_bytes, bytes, "%s at dim %zu: %zu bytes, documented %zu", spec, dim,
                 codec.code_bytes, bytes);
    cr_assert_eq(kvq_codec_shared_bytes(&codec), shared, "%s: shared bytes", spec);
    kvq_codec_close(&codec);
}

Test(sizes, documented_layouts)
{
    const size_t dims[] = {1, 3, 100, 128, 129};
    for (size_t t = 0; t < sizeof dims / sizeof *dims; t++) {
        size_t d = dims[t];
        char spec[64];
        check("f16", d, 2 * d, 0);
        check("int4", d, int4_bytes(d, 32), 0);
        check("int4:group=128", d, int4_bytes(d, 128), 0);
        for (unsigned b = 1; b <= 8; b++) {
            snprintf(spec, sizeof spec, "lloydmax:bits=%u", b);
            check(spec, d, 4 + ceil8(d * b), 0); /* f32 RMS + indices */
            snprintf(spec, sizeof spec, "turboquant:bits=%u", b);
            check(spec, d, 4 + ceil8(d * b), 8); /* f32 norm + indices */
            snprintf(spec, sizeof spec, "turboquant_prod:bits=%u", b + 1);
            check(spec, d, 8 + ceil8(d * (b + 1)), 8); /* two f32 norms + indices + signs */
            snprintf(spec, sizeof spec, "rabitq:bits=%u", b);
            check(spec, d, 8 + ceil8(d * b), 8); /* f32 norm and correction + codes */
            snprintf(spec, sizeof spec, "qjl:bits=%u", b);
            check(spec, d, 4 + ceil8(d * b), 8); /* f32 norm + b d signs */
        }
    }
}
