/* Shared by the files of model/ (include/kvq/model.h): config parsing and the per-layer f32
 * weights. */
#ifndef KVQ_MODEL_INTERNAL_H
#define KVQ_MODEL_INTERNAL_H

#include "kvq/model.h"

/* Parses config.json text (len bytes); path names it in messages. */
int kvq_model_config_parse(kvq_model_config *cfg, const char *text, size_t len, const char *path,
                           kvq_error *err);
/* Reads and parses DIR/config.json. */
int kvq_model_config_load(kvq_model_config *cfg, const char *dir, kvq_error *err);

#endif
