/* lang/java: the class-data-sharing archive of the JDK classes programs
 * use (cds.c). */
#ifndef AC_LANG_JAVA_CDS_H
#define AC_LANG_JAVA_CDS_H

#include <stddef.h>

/* The archive for this JDK (java, javac, its version string) in dir:
 * <dir>/<hash of java, version and the training program>.jsa into
 * archive (len bytes).  Makes dir; when the archive is missing, starts
 * its build in a detached background shell and returns at once (never
 * waits for it).  0, or -errno (no archive: dir unusable). */
int java_cds_prepare(const char *dir, const char *java, const char *javac,
                     const char *version, char *archive, size_t len);

#endif
