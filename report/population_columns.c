/* The columns every CSV that names a population ends its population part with (report/writers.h):
 * the short label, the layer (empty when none or several) and the tensor. */
#include "io/csv.h"
#include "report/writers.h"

const char kvq_population_columns[] = "label,layer,tensor";

void kvq_write_population_columns(FILE *f, const kvq_population *pop)
{
    char label[KVQ_TEXT_MAX + 32];
    kvq_population_label(pop, label, sizeof label);
    kvq_csv_text(f, label);
    fputc(',', f);
    if (pop->layer >= 0) fprintf(f, "%d", pop->layer);
    fputc(',', f);
    kvq_csv_text(f, pop->tensor);
}
