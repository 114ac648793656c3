/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TLS 1.3 only, mutual certificate authentication (OpenSSL).  One context
 * serves both directions: a node dials the others (client) and accepts
 * their connections (server).  A dialled peer must present a certificate
 * whose CN or DNS SAN is the configured name; an accepted peer's
 * certificate must match one of the configured names.  No session
 * resumption: every connection verifies a fresh certificate chain.
 */
#ifndef OVPNHACTL_SYNC_TLS_H
#define OVPNHACTL_SYNC_TLS_H

#include <stddef.h>
#include <openssl/ssl.h>

#include "sync_conf.h"

SSL_CTX *sync_tls_ctx(const struct sync_conf *c, char *err, size_t errlen);
/* Does the verified peer certificate of @ssl name @name? */
int sync_tls_peer_is(SSL *ssl, const char *name);
/* The last OpenSSL error queued, as text (and the queue cleared). */
const char *sync_tls_error(char *buf, size_t len);

#endif
