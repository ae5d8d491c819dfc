/* Variant specs: `name[:key=value,key=value,...]`, e.g. `turboquant:bits=3,seed=1`.
 *
 * A spec names a registered codec and sets some of its parameters. Grammar (whitespace is not
 * allowed anywhere):
 *     spec  = name [ ":" pair { "," pair } ]
 *     name  = [a-z0-9_]+            (at most KVQ_NAME_MAX - 1 characters)
 *     pair  = key "=" value
 *     key   = [a-z0-9_]+            (at most KVQ_KEY_MAX - 1 characters, no key twice)
 *     value = [A-Za-z0-9_.+-]+      (at most KVQ_VALUE_MAX - 1 characters)
 * Keys are checked against the codec's declared parameters (kvq_param_doc) by
 * kvq_params_apply_defaults(), which also fills in every parameter the spec left out, so a codec's
 * create() always sees the full set and the canonical spec (kvq_params_format) names every value.
 */
#ifndef KVQ_PARAMS_H
#define KVQ_PARAMS_H

#include "kvq/error.h"
#include <stddef.h>
#include <stdint.h>

#define KVQ_NAME_MAX 32
#define KVQ_KEY_MAX 32
#define KVQ_VALUE_MAX 64
#define KVQ_PARAMS_MAX 16

typedef struct kvq_param {
    char key[KVQ_KEY_MAX];
    char value[KVQ_VALUE_MAX];
} kvq_param;

typedef struct kvq_params {
    char name[KVQ_NAME_MAX];
    size_t count;
    kvq_param items[KVQ_PARAMS_MAX];
} kvq_params;

/* One declared parameter of a codec: key, default value (as text) and a one-line help. Codecs
 * list theirs in a {NULL}-terminated array. */
typedef struct kvq_param_doc {
    const char *key;
    const char *fallback;
    const char *help;
} kvq_param_doc;

/* Parses spec into out. On failure returns KVQ_EINVAL with a message quoting the spec and the
 * offending part (empty name, missing '=', duplicate key, bad character, too long). */
int kvq_params_parse(const char *spec, kvq_params *out, kvq_error *err);

/* Parses "key=value<sep>key=value..." (the part after the name: ',' for codec specs, '&' for
 * population options) and appends the pairs to out. spec is the whole spec, quoted in messages. */
int kvq_params_parse_pairs(const char *text, char sep, const char *spec, kvq_params *out,
                           kvq_error *err);

/* Checks every key of p against docs (NULL-terminated by key == NULL) and appends the defaults
 * of the keys p lacks, in the order of docs. Unknown key -> KVQ_EINVAL naming the codec, the key
 * and the known keys. */
int kvq_params_apply_defaults(kvq_params *p, const kvq_param_doc *docs, kvq_error *err);

/* The value of key, or NULL if absent. */
const char *kvq_params_get(const kvq_params *p, const char *key);

/* Sets key to value, replacing an existing value or appending. KVQ_ERANGE if it does not fit. */
int kvq_params_set(kvq_params *p, const char *key, const char *value, kvq_error *err);

/* Typed getters: parse the value of key (which must be present: call after
 * kvq_params_apply_defaults) and check it lies in [min, max]. A value that is not a number, has
 * trailing characters or lies outside the range -> KVQ_EINVAL naming codec, key, value and range.
 */
int kvq_params_int(const kvq_params *p, const char *key, long min, long max, long *out,
                   kvq_error *err);
int kvq_params_double(const kvq_params *p, const char *key, double min, double max, double *out,
                      kvq_error *err);
/* Booleans are written 0/1, true/false, yes/no, on/off. */
int kvq_params_bool(const kvq_params *p, const char *key, int *out, kvq_error *err);

/* Writes the canonical spec "name:k=v,k=v" (or just "name" when there are no parameters) into buf.
 * Returns the length it needed (like snprintf). */
size_t kvq_params_format(const kvq_params *p, char *buf, size_t size);

/* Seeds are below 2^53, so that JSON (a double) keeps them exact. */
#define KVQ_SEED_LIMIT (1ULL << 53)

/* Parses a seed: decimal digits only, value below KVQ_SEED_LIMIT. 0, or -1 for anything else
 * (a sign, spaces, a value that overflows). */
int kvq_parse_seed(const char *text, uint64_t *seed);

#endif
