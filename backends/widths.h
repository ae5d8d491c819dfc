/* Parameters that size a wire field (an index width, a count stored in a fixed number of bits):
 * a value past the field's capacity is refused at create with KVQ_ERANGE, never wrapped around
 * ("wire widths are hard caps"). */
#ifndef KVQ_BACKENDS_WIDTHS_H
#define KVQ_BACKENDS_WIDTHS_H

#include "kvq/error.h"
#include "kvq/params.h"

/* Reads the integer parameter key, which must be >= min (KVQ_EINVAL otherwise), and checks that
 * it is <= cap, the capacity of the field it sizes (KVQ_ERANGE otherwise, naming the codec, the
 * key, the value and the field, e.g. "palette: k=300 does not fit the u8 index (at most 256)"). */
int kvq_param_capped(const kvq_params *p, const char *key, long min, long cap, const char *field,
                     long *out, kvq_error *err);

/* The capacity check alone, for values parsed some other way (a list of per-level k). */
int kvq_check_capped(const char *codec, const char *key, long value, long cap, const char *field,
                     kvq_error *err);

#endif
