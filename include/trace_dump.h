/*
 * Trace records as text on the console (common/trace_dump.c): the last
 * records of every CPU, decoded, for the panic report and the z debug
 * key. The host tool (tools/ktrace.py) decodes the drained stream; this
 * is the on-board view of the flight recorder (trace_last_records()).
 *
 * Concurrency: any context, including NMI and fatal paths (reads the
 * rings without locks; takes none but the console's).
 */
#ifndef KAIROS_TRACE_DUMP_H
#define KAIROS_TRACE_DUMP_H

#include <trace.h>
#include <types.h>

/*
 * Prints, for every online CPU, its record counts and its last n records
 * (oldest first; at most what trace_last_records() keeps), each line
 * with the log level level (KERN_INFO, KERN_EMERG, ...).
 */
void trace_dump_recent(unsigned int n, const char *level);

/* Formats one record as text into buf: "[time] CPUn event arguments". */
void trace_format_record(const struct trace_record *rec, char *buf,
			 size_t size);

/* "TIMER", "SCHEDULE", ... for softirq nr; "?" if unknown. */
const char *softirq_name(unsigned int nr);

#endif /* KAIROS_TRACE_DUMP_H */
