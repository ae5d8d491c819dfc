/* Shortest round-trip formatting of doubles (include/kvq/numtext.h). */
#include "kvq/numtext.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

char *kvq_numtext(double x, char out[KVQ_NUMTEXT_MAX])
{
    if (isnan(x)) {
        snprintf(out, KVQ_NUMTEXT_MAX, "NaN");
    } else if (isinf(x)) {
        snprintf(out, KVQ_NUMTEXT_MAX, "%s", x > 0 ? "Inf" : "-Inf");
    } else if (x == floor(x) && fabs(x) < 1e17) {
        snprintf(out, KVQ_NUMTEXT_MAX, "%.0f", x); /* an integer as one: 160, not 1.6e+02 */
    } else {
        for (int digits = 1; digits <= 17; digits++) {
            snprintf(out, KVQ_NUMTEXT_MAX, "%.*g", digits, x);
            if (strtod(out, NULL) == x) break;
        }
    }
    return out;
}
