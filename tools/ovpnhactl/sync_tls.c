// SPDX-License-Identifier: GPL-2.0
/* OpenSSL setup of the replication channel. */
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "sync_tls.h"

const char *sync_tls_error(char *buf, size_t len)
{
	unsigned long e, last = 0;

	while ((e = ERR_get_error()))
		last = e;
	if (!last)
		snprintf(buf, len, "unknown TLS error");
	else
		ERR_error_string_n(last, buf, len);
	return buf;
}

static int load_crl(SSL_CTX *ctx, const char *path, char *err, size_t n)
{
	X509_STORE *st = SSL_CTX_get_cert_store(ctx);
	X509_CRL *crl;
	int count = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(err, n, "crl %s: cannot open", path);
		return -1;
	}
	while ((crl = PEM_read_X509_CRL(f, NULL, NULL, NULL))) {
		X509_STORE_add_crl(st, crl);
		X509_CRL_free(crl);
		count++;
	}
	fclose(f);
	ERR_clear_error();
	if (!count) {
		snprintf(err, n, "crl %s: no CRL in the file", path);
		return -1;
	}
	X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	return 0;
}

SSL_CTX *sync_tls_ctx(const struct sync_conf *c, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_method());
	char e[256];

	if (!ctx) {
		snprintf(err, errlen, "TLS: %s", sync_tls_error(e, sizeof(e)));
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
			   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	if (SSL_CTX_load_verify_locations(ctx, c->ca, NULL) != 1) {
		snprintf(err, errlen, "ca %s: %s", c->ca,
			 sync_tls_error(e, sizeof(e)));
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, c->cert) != 1) {
		snprintf(err, errlen, "cert %s: %s", c->cert,
			 sync_tls_error(e, sizeof(e)));
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, c->key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "key %s: %s", c->key,
			 sync_tls_error(e, sizeof(e)));
		goto fail;
	}
	if (c->crl[0] && load_crl(ctx, c->crl, err, errlen))
		goto fail;
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

int sync_tls_peer_is(SSL *ssl, const char *name)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);

	if (!cert || SSL_get_verify_result(ssl) != X509_V_OK)
		return 0;
	return X509_check_host(cert, name, strlen(name), 0, NULL) == 1;
}
