/* Finished cells on disk: <run>/cells/<population index>-<variant index>.json, written atomically
 * the moment a cell ends, so that a killed run loses no finished cell and `--resume` repeats none.
 */
#ifndef KVQ_CELL_STORE_H
#define KVQ_CELL_STORE_H

#include "harness/cell.h"

/* The path of cell (p, v) of the run folder dir. */
void kvq_cell_path(char *buf, size_t size, const char *dir, size_t p, size_t v);

/* The text kvq_cell_save writes for cell (one line of JSON, every number exact), malloc'ed; NULL
 * when out of memory. */
char *kvq_cell_to_text(const kvq_cell *cell, const char *population);

/* Reads such a text into cell (done set), as kvq_cell_load reads a file; -1 (the cell's arrays
 * freed) when text is not the cell of this variant and population or is malformed. */
int kvq_cell_from_text(kvq_cell *cell, const char *population, const char *text);

/* Writes cell to path atomically. */
int kvq_cell_save(const kvq_cell *cell, const char *population, const char *path, kvq_error *err);

/* Reads path into cell if it holds the cell of this variant and population; cell->done stays 0
 * (and KVQ_OK is returned) when the file does not exist. A file that exists but is unreadable, of
 * another cell or malformed -> an error naming the file (the caller re-runs that cell). */
int kvq_cell_load(kvq_cell *cell, const char *population, const char *path, kvq_error *err);

#endif
