/*
 * The report lines every C client program prints: "ok <check>" per check passed, and
 * "FAIL <check>: why" before exiting 1 on the first failure. Included by c_check.c and
 * c_failover.c.
 */
#ifndef CHECK_REPORT_H
#define CHECK_REPORT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void ok(const char *name) {
    printf("ok %s\n", name);
    fflush(stdout);
}

static void fail(const char *name, const char *format, ...) {
    va_list args;
    va_start(args, format);
    printf("FAIL %s: ", name);
    vprintf(format, args);
    printf("\n");
    fflush(stdout);
    va_end(args);
    exit(1);
}

#endif
