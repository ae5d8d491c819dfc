/* Bit packing (backends/bitpack.h): the documented layout and round trips at every width. */
#include "backends/bitpack.h"
#include "kvq/rng.h"

#include <criterion/criterion.h>
#include <string.h>

Test(bitpack, known_answer)
{
    const uint8_t v[3] = {5, 3, 7};
    uint8_t buf[2] = {0, 0};
    kvq_pack_bits(v, 3, 3, buf, 0);
    cr_assert_eq(buf[0], 0xdd);
    cr_assert_eq(buf[1], 0x01);
    cr_assert_eq(kvq_packed_bytes(3, 3), 2);
    cr_assert_eq(kvq_packed_bytes(128, 1), 16);
    cr_assert_eq(kvq_packed_bytes(100, 3), 38);
}

Test(bitpack, round_trip_every_width_and_offset)
{
    kvq_rng rng;
    kvq_rng_seed(&rng, 3, 3);
    for (unsigned bits = 1; bits <= 8; bits++) {
        for (size_t offset = 0; offset < 17; offset += 5) {
            uint8_t v[101], back[101], buf[128];
            for (size_t k = 0; k < 101; k++) v[k] = (uint8_t)kvq_rng_bounded(&rng, 1u << bits);
            memset(buf, 0, sizeof buf);
            kvq_pack_bits(v, 101, bits, buf, offset);
            size_t used = kvq_packed_bytes(offset + 101 * bits, 1);
            for (size_t i = used; i < sizeof buf; i++)
                cr_assert_eq(buf[i], 0, "wrote past the end");
            kvq_unpack_bits(buf, offset, bits, 101, back);
            cr_assert_eq(memcmp(v, back, sizeof v), 0, "bits=%u offset=%zu", bits, offset);
        }
    }
}
