/* systemd's readiness protocol without libsystemd (as collectd does):
 * one datagram to the AF_UNIX socket named by $NOTIFY_SOCKET. */
#ifndef AC_SDNOTIFY_H
#define AC_SDNOTIFY_H

/* Send `state` ("READY=1", "STOPPING=1", "RELOADING=1", "STATUS=...")
 * to $NOTIFY_SOCKET: a path, or an abstract name written "@name".
 * 0 when sent, 0 too when NOTIFY_SOCKET is unset (not started by a
 * supervisor), -errno when the socket is named but the send failed. */
int ac_sd_notify(const char *state);
#endif
