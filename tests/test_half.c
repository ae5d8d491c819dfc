/* f16 / bf16 conversions against numpy.float16 and an exact rational rounding
 * (tests/golden/gen_foundation.py): every bit pattern equal, and the round trip back exact. */
#include "kvq/half.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

static float float_of(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

Test(half, matches_numpy_and_exact_rounding)
{
    cJSON *golden = kvq_test_golden("foundation.json");
    const cJSON *cases = cJSON_GetObjectItem(golden, "half");
    const cJSON *c;
    size_t count = 0;
    cJSON_ArrayForEach(c, cases)
    {
        uint32_t bits = (uint32_t)kvq_test_num(c, "f32_bits");
        float f = float_of(bits);
        uint16_t want16 = (uint16_t)kvq_test_num(c, "f16");
        cr_assert_eq(kvq_f32_to_f16(f), want16, "f16(%a): got 0x%04x want 0x%04x", (double)f,
                     kvq_f32_to_f16(f), want16);
        uint16_t want_bf = (uint16_t)kvq_test_num(c, "bf16");
        cr_assert_eq(kvq_f32_to_bf16(f), want_bf, "bf16(%a): got 0x%04x want 0x%04x", (double)f,
                     kvq_f32_to_bf16(f), want_bf);
        count++;
    }
    cr_assert_gt(count, 200);
    cJSON_Delete(golden);
}

Test(half, every_f16_pattern_round_trips)
{
    for (uint32_t h = 0; h < 0x10000u; h++) {
        float f = kvq_f16_to_f32((uint16_t)h);
        if (isnan(f)) {
            cr_assert_eq((h & 0x7c00u), 0x7c00u);
            continue;
        }
        cr_assert_eq(kvq_f32_to_f16(f), h, "pattern 0x%04x -> %a -> 0x%04x", h, (double)f,
                     kvq_f32_to_f16(f));
    }
}

Test(half, every_bf16_pattern_round_trips)
{
    for (uint32_t h = 0; h < 0x10000u; h++) {
        float f = kvq_bf16_to_f32((uint16_t)h);
        if (isnan(f)) continue;
        cr_assert_eq(kvq_f32_to_bf16(f), h);
    }
}

Test(half, known_answers_from_the_header_comment)
{
    cr_assert_eq(kvq_f32_to_f16(1.0f / 3.0f), 0x3555);
    cr_assert_eq(kvq_f32_to_bf16(1.0f / 3.0f), 0x3eab);
    cr_assert_eq(kvq_f32_to_f16(65520.0f), 0x7c00);
    cr_assert_eq(kvq_f32_to_f16(ldexpf(1.0f, -24)), 0x0001);
    cr_assert_eq(kvq_f32_to_f16(ldexpf(1.0f, -25)), 0x0000);
    cr_assert(isnan(kvq_f16_to_f32(kvq_f32_to_f16(NAN))));
    cr_assert(isnan(kvq_bf16_to_f32(kvq_f32_to_bf16(NAN))));
}
