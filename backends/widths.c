/* Parameters that size a wire field (backends/widths.h). */
#include "widths.h"

#include <limits.h>

int kvq_check_capped(const char *codec, const char *key, long value, long cap, const char *field,
                     kvq_error *err)
{
    if (value > cap)
        return kvq_fail(err, KVQ_ERANGE, "%s: %s=%ld does not fit the %s (at most %ld)", codec, key,
                        value, field, cap);
    return KVQ_OK;
}

int kvq_param_capped(const kvq_params *p, const char *key, long min, long cap, const char *field,
                     long *out, kvq_error *err)
{
    int rc = kvq_params_int(p, key, min, LONG_MAX, out, err);
    if (rc) return rc;
    return kvq_check_capped(p->name, key, *out, cap, field, err);
}
