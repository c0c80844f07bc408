/* `algocode problem import`: a Kattis/ICPC package (zip or directory) or
 * a Polygon package (problem.xml) into a package directory. */
#ifndef AC_IMPORT_H
#define AC_IMPORT_H
#include <stdio.h>

/* Import src (a .zip or a directory) into dest (created; must not
 * exist).  What could not be carried over is reported, one line each
 * starting with "NOT CARRIED OVER" (or "NOTE"), on report.  Returns 0
 * when dest is a package Algocode loads, -errno otherwise (with a
 * message in err). */
int ac_import(const char *src, const char *dest, FILE *report, char *err,
              size_t errlen);
#endif
