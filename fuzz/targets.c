/* Fuzz target bodies (fuzz/targets.h): parse the input as a file image, then use everything the
 * parser handed out the way the loaders do (classify each tensor, view it as rows, convert every
 * row), so that a validation gap shows up as an out-of-bounds read under AddressSanitizer. */
#include "targets.h"
#include "kvq/npy.h"
#include "kvq/roles.h"
#include "kvq/safetensors.h"

#include <stdlib.h>

/* Rows read per tensor at most, so one large declared shape cannot stall the fuzzer. */
#define MAX_ROWS_READ 64

static void read_rows(const kvq_tensor *t, int transposed)
{
    size_t rows, dim;
    if (!kvq_dtype_is_readable(t->dtype) || kvq_tensor_rows(t, transposed, &rows, &dim, NULL))
        return;
    if (dim > (1u << 24)) return;
    float *row = malloc(dim * sizeof *row);
    if (!row) return;
    for (size_t r = 0; r < rows && r < MAX_ROWS_READ; r++)
        kvq_tensor_read_row(t, transposed, r, row);
    if (rows > MAX_ROWS_READ) kvq_tensor_read_row(t, transposed, rows - 1, row);
    free(row);
}

int kvq_fuzz_safetensors(const uint8_t *data, size_t size)
{
    kvq_safetensors st;
    kvq_error err;
    if (kvq_safetensors_parse(&st, data, size, "fuzz", &err)) return 0;
    for (size_t i = 0; i < st.count; i++) {
        const kvq_tensor *t = &st.tensors[i];
        kvq_tensor_class c = kvq_classify_tensor(t->name, t->shape, t->ndim);
        read_rows(t, c.transposed);
        if (kvq_safetensors_find(&st, t->name) != t) abort();
    }
    kvq_safetensors_close(&st);
    return 1;
}

int kvq_fuzz_npy(const uint8_t *data, size_t size)
{
    kvq_npy npy;
    kvq_error err;
    if (kvq_npy_parse(&npy, data, size, "fuzz.npy", &err)) return 0;
    read_rows(&npy.tensor, 0);
    kvq_npy_close(&npy);
    return 1;
}
