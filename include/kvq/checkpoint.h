/* A checkpoint: every tensor of one safetensors file, of a sharded model folder, of one .npy file
 * or of one GGUF file, each classified by role and layer (include/kvq/roles.h).
 *
 * kvq_checkpoint_open(PATH) takes
 *   - a folder holding model.safetensors.index.json: its "weight_map" names the shards (plain
 *     file names in the same folder); every tensor it lists must be in the shard it names, and no
 *     tensor may be in two shards;
 *   - a folder without an index: every *.safetensors file in it (by name);
 *   - a file ending in ".npy": one tensor named after the file;
 *   - a file ending in ".gguf": a GGUF file (include/kvq/gguf.h), its tensors held as the one
 *     shard (kvq_gguf_release);
 *   - any other file: a safetensors file.
 * Entries are sorted by name in natural order (layers.2 before layers.10).
 */
#ifndef KVQ_CHECKPOINT_H
#define KVQ_CHECKPOINT_H

#include "kvq/error.h"
#include "kvq/npy.h"
#include "kvq/roles.h"
#include "kvq/safetensors.h"
#include <stddef.h>

typedef struct kvq_checkpoint_entry {
    const kvq_tensor *tensor;
    const char *file; /* the file holding it */
    kvq_tensor_class cls;
} kvq_checkpoint_entry;

typedef struct kvq_checkpoint {
    char *path;
    kvq_safetensors *shards; /* nshards files, or none for a .npy checkpoint */
    size_t nshards;
    kvq_npy npy;
    kvq_checkpoint_entry *entries;
    size_t count;
} kvq_checkpoint;

/* Opens path (see above). On failure ck is left empty and err names the file at fault. */
int kvq_checkpoint_open(kvq_checkpoint *ck, const char *path, kvq_error *err);

/* Unmaps and frees everything; ck is left empty. */
void kvq_checkpoint_close(kvq_checkpoint *ck);

/* The population specs for `--model PATH`: one "safetensors:PATH#role=ROLE" ("gguf:PATH#..." for
 * a file ending in ".gguf") per encodable role
 * present in the checkpoint (in kvq_role order), each sampling rows across all layers of that
 * role; with per_layer, one "...#role=ROLE&layer=L" per role and layer instead (layers ascending;
 * a role whose tensors have no layer keeps its one spec). Roles whose tensors are not float (I8,
 * U8, ...) or not 2-D and up are skipped. A folder with a config.json of an architecture the
 * model runtime runs (include/kvq/model.h) gives "model:PATH#role=ROLE[&layer=L]" for the roles
 * its forward pass multiplies, then "model:PATH#kind=k" and "#kind=v" (per layer with
 * per_layer); a config.json of another architecture leaves the safetensors: specs, a broken one
 * is refused. *specs is a new array of *count new strings; free with
 * kvq_model_population_specs_free. */
int kvq_model_population_specs(const char *path, int per_layer, char ***specs, size_t *count,
                               kvq_error *err);
void kvq_model_population_specs_free(char **specs, size_t count);

#endif
