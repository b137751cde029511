/* --web.config.file: the exporter-toolkit web configuration (TLS and basic auth), parsed with
 * libyaml. One parse of text (for tests and fuzzing), one load of a file with what it names. */
#ifndef JVMTAP_WEBCONFIG_H
#define JVMTAP_WEBCONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum client_auth {
	CLIENT_AUTH_NONE,            /* NoClientCert */
	CLIENT_AUTH_REQUEST,         /* RequestClientCert: asked for, not checked */
	CLIENT_AUTH_REQUIRE_ANY,     /* RequireAnyClientCert: one must be sent, not checked */
	CLIENT_AUTH_VERIFY_IF_GIVEN, /* VerifyClientCertIfGiven */
	CLIENT_AUTH_REQUIRE_VERIFY,  /* RequireAndVerifyClientCert */
};

struct web_user {
	char *name;
	char *hash; /* bcrypt: $2a$, $2b$ or $2y$ */
};

struct web_config {
	bool tls;
	char *cert_file, *key_file, *client_ca_file; /* resolved against the file's directory */
	char *cert_pem, *key_pem, *ca_pem;           /* contents, read by webconfig_load() */
	enum client_auth client_auth;
	int min_version, max_version;                /* 12 or 13 */
	struct web_user *users;
	size_t nusers;
	char err[256];                               /* why the last parse or load failed */
};

/*
 * Parses a web configuration document. dir resolves relative file names (NULL: as given).
 * Returns 0, or -EINVAL with c->err set; c is always safe to webconfig_free().
 */
int webconfig_parse(const char *text, size_t len, const char *dir, struct web_config *c);
/* Reads and parses path, then reads the certificate files and checks every hash. */
int webconfig_load(const char *path, struct web_config *c);
void webconfig_free(struct web_config *c);

const char *client_auth_name(enum client_auth a);

/* 0 if hash is a bcrypt hash crypt_r() accepts. */
int webconfig_check_hash(const char *hash);

#endif
