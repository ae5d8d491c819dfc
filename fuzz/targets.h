/* What the fuzz targets do with one input; shared by the libFuzzer entry points (fuzz_*.c) and
 * the regression test that replays the seeds and every kept crasher (tests/test_population_fuzz.c).
 * Each returns 1 when the input was accepted and everything the parser handed out was used, 0 when
 * it was refused. */
#ifndef KVQ_FUZZ_TARGETS_H
#define KVQ_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

/* File images: a safetensors file, a .npy file. */
int kvq_fuzz_safetensors(const uint8_t *data, size_t size);
int kvq_fuzz_npy(const uint8_t *data, size_t size);

/* A GGUF file (kvq_gguf_parse): every tensor classified and up to 64 rows of each read, the
 * quantized ones dequantized by their codecs. */
int kvq_fuzz_gguf(const uint8_t *data, size_t size);

/* A CSV file with a header row (kvq_csv_read). */
int kvq_fuzz_csv(const uint8_t *data, size_t size);

/* An epiphany spec (kvq_epiphany_parse), evaluated against a small fixed set of facts. */
int kvq_fuzz_epiphany(const uint8_t *data, size_t size);

/* A codec spec: parsed (kvq_params_parse), resolved (kvq_codec_resolve) and expanded
 * (kvq_expand_codec_spec, every variant resolved). Accepted when it expands to variants that all
 * resolve. */
int kvq_fuzz_codec_spec(const uint8_t *data, size_t size);

/* A population spec, parsed only: synthetic: specs are generated when they ask for few rows,
 * safetensors: and npy: specs never open a file. */
int kvq_fuzz_population_spec(const uint8_t *data, size_t size);

/* A run folder's run.json (kvq_run_spec_load). */
int kvq_fuzz_run_json(const uint8_t *data, size_t size);

/* A saved cell (kvq_cell_load) of the variant "int8" on "synthetic:gaussian?n=256&dim=16". */
int kvq_fuzz_cell(const uint8_t *data, size_t size);

/* A sharded model's model.safetensors.index.json, in a folder that holds two small shards with the
 * tensors of tests/golden/populations/sharded (kvq_checkpoint_open, kvq_model_population_specs). */
int kvq_fuzz_shard_index(const uint8_t *data, size_t size);

/* A model's config.json (kvq_model_config_parse). */
int kvq_fuzz_model_config(const uint8_t *data, size_t size);

#endif
