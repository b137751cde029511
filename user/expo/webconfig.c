/* The exporter-toolkit web configuration file: tls_server_config and basic_auth_users. Unknown
 * keys, and the toolkit's keys jvmtap does not implement, are errors: a security setting that is
 * silently ignored is worse than one refused. */
#include <crypt.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include <gnutls/gnutls.h>
#include "webconfig.h"

#define MAX_FILE (1u << 20)

static int fail(struct web_config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct web_config *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static char *joined(const char *dir, const char *name)
{
	char *s;

	if (!dir || name[0] == '/')
		return strdup(name);
	if (asprintf(&s, "%s/%s", dir, name) < 0)
		return NULL;
	return s;
}

static int version_of(const char *v, int *out)
{
	if (!strcmp(v, "TLS12"))
		*out = 12;
	else if (!strcmp(v, "TLS13"))
		*out = 13;
	else
		return -1;
	return 0;
}

static const char *const auth_names[] = { "NoClientCert", "RequestClientCert",
					  "RequireAnyClientCert", "VerifyClientCertIfGiven",
					  "RequireAndVerifyClientCert" };

const char *client_auth_name(enum client_auth a)
{
	return a <= CLIENT_AUTH_REQUIRE_VERIFY ? auth_names[a] : "?";
}

static int parse_tls(yaml_document_t *d, yaml_node_t *m, const char *dir, struct web_config *c)
{
	yaml_node_pair_t *p;
	size_t i;

	if (m->type != YAML_MAPPING_NODE)
		return fail(c, "tls_server_config: expected a mapping");
	c->tls = true;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(d, p->key));
		const char *v = scalar(yaml_document_get_node(d, p->value));
		char **file = NULL;

		if (!k)
			return fail(c, "tls_server_config: keys must be strings");
		if (!strcmp(k, "cert_file"))
			file = &c->cert_file;
		else if (!strcmp(k, "key_file"))
			file = &c->key_file;
		else if (!strcmp(k, "client_ca_file"))
			file = &c->client_ca_file;
		if (file) {
			if (!v || !*v)
				return fail(c, "tls_server_config.%s: expected a file name", k);
			free(*file);
			if (!(*file = joined(dir, v)))
				return fail(c, "out of memory");
		} else if (!strcmp(k, "client_auth_type")) {
			for (i = 0; v && i < sizeof(auth_names) / sizeof(auth_names[0]); i++)
				if (!strcmp(v, auth_names[i]))
					break;
			if (!v || i == sizeof(auth_names) / sizeof(auth_names[0]))
				return fail(c, "tls_server_config.client_auth_type: '%s' is not one of "
					    "NoClientCert, RequestClientCert, RequireAnyClientCert, "
					    "VerifyClientCertIfGiven, RequireAndVerifyClientCert",
					    v ? v : "(not a string)");
			c->client_auth = (enum client_auth)i;
		} else if (!strcmp(k, "min_version") || !strcmp(k, "max_version")) {
			int *out = k[1] == 'i' ? &c->min_version : &c->max_version;

			if (!v || version_of(v, out))
				return fail(c, "tls_server_config.%s: '%s' is not TLS12 or TLS13 (jvmtap "
					    "serves TLS 1.2 and 1.3 only)", k, v ? v : "(not a string)");
		} else if (!strcmp(k, "cipher_suites") || !strcmp(k, "curve_preferences") ||
			   !strcmp(k, "prefer_server_cipher_suites") || !strcmp(k, "cert") ||
			   !strcmp(k, "key") || !strcmp(k, "client_allowed_sans")) {
			return fail(c, "tls_server_config.%s is not supported by jvmtap (GnuTLS's "
				    "defaults for TLS 1.2 and 1.3 apply)", k);
		} else {
			return fail(c, "tls_server_config: unknown key '%s'", k);
		}
	}
	if (!c->cert_file || !c->key_file)
		return fail(c, "tls_server_config: cert_file and key_file are both required");
	if (c->min_version > c->max_version)
		return fail(c, "tls_server_config: min_version is above max_version");
	/* libmicrohttpd asks TLS clients for a certificate only when it has CAs to name. */
	if (c->client_auth != CLIENT_AUTH_NONE && !c->client_ca_file)
		return fail(c, "tls_server_config: client_auth_type %s needs client_ca_file "
			    "(jvmtap asks for client certificates naming its CAs)",
			    client_auth_name(c->client_auth));
	if (c->client_ca_file && c->client_auth == CLIENT_AUTH_NONE)
		return fail(c, "tls_server_config: client_ca_file is set but client_auth_type is "
			    "NoClientCert (use RequireAndVerifyClientCert or VerifyClientCertIfGiven)");
	return 0;
}

int webconfig_check_hash(const char *hash)
{
	static const char b64[] = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	struct crypt_data *cd;
	char setting[30];
	const char *out;
	int cost, ok;

	if (!hash || strlen(hash) != 60 || hash[0] != '$' || hash[1] != '2' ||
	    !strchr("aby", hash[2]) || !hash[2] || hash[3] != '$' || hash[6] != '$' ||
	    hash[4] < '0' || hash[4] > '3' || hash[5] < '0' || hash[5] > '9' ||
	    strspn(hash + 7, b64) != 53)
		return -1;
	cost = (hash[4] - '0') * 10 + (hash[5] - '0');
	if (cost < 4 || cost > 31)
		return -1;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return -1;
	/* The salt is checked by crypt_r() itself, at cost 4 whatever the hash's cost. */
	snprintf(setting, sizeof(setting), "$2%c$04$%.22s", hash[2], hash + 7);
	out = crypt_r("", setting, cd);
	ok = out && out[0] == '$' && strlen(out) == 60;
	free(cd);
	return ok ? 0 : -1;
}

static int parse_users(yaml_document_t *d, yaml_node_t *m, struct web_config *c)
{
	yaml_node_pair_t *p;
	size_t n;

	if (m->type != YAML_MAPPING_NODE)
		return fail(c, "basic_auth_users: expected a mapping of user names to bcrypt hashes");
	n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
	c->users = calloc(n ? n : 1, sizeof(*c->users));
	if (!c->users)
		return fail(c, "out of memory");
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(d, p->key));
		const char *v = scalar(yaml_document_get_node(d, p->value));
		size_t i;

		if (!k || !*k || strchr(k, ':'))
			return fail(c, "basic_auth_users: a user name must be a non-empty string "
				    "without ':'");
		for (i = 0; i < c->nusers; i++)
			if (!strcmp(c->users[i].name, k))
				return fail(c, "basic_auth_users: user '%s' is listed twice", k);
		if (!v || webconfig_check_hash(v))
			return fail(c, "basic_auth_users.%s: not a bcrypt hash ($2y$..., 60 "
				    "characters; make one with htpasswd -nBC 10 %s)", k, k);
		c->users[c->nusers].name = strdup(k);
		c->users[c->nusers].hash = strdup(v);
		if (!c->users[c->nusers].name || !c->users[c->nusers++].hash)
			return fail(c, "out of memory");
	}
	return 0;
}

int webconfig_parse(const char *text, size_t len, const char *dir, struct web_config *c)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	yaml_node_pair_t *p;
	int err = 0;

	memset(c, 0, sizeof(*c));
	c->min_version = 12;
	c->max_version = 13;
	if (!yaml_parser_initialize(&parser))
		return fail(c, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		err = fail(c, "YAML error at line %zu: %s", parser.problem_mark.line + 1,
			   parser.problem ? parser.problem : "unknown");
		yaml_parser_delete(&parser);
		return err;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_SCALAR_NODE && !*scalar(root))
		root = NULL; /* "---" alone: empty */
	if (root && root->type != YAML_MAPPING_NODE)
		err = fail(c, "expected a mapping at the top level");
	for (p = root && !err ? root->data.mapping.pairs.start : NULL;
	     p && p < root->data.mapping.pairs.top && !err; p++) {
		const char *k = scalar(yaml_document_get_node(&doc, p->key));
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);

		yaml_node_pair_t *q;

		for (q = root->data.mapping.pairs.start; k && q < p && !err; q++) {
			const char *seen = scalar(yaml_document_get_node(&doc, q->key));

			if (seen && !strcmp(seen, k))
				err = fail(c, "'%s' is given twice", k);
		}
		if (err)
			break;
		if (!k || !v)
			err = fail(c, "top-level keys must be strings");
		else if (!strcmp(k, "tls_server_config"))
			err = parse_tls(&doc, v, dir, c);
		else if (!strcmp(k, "basic_auth_users"))
			err = parse_users(&doc, v, c);
		else if (!strcmp(k, "http_server_config"))
			err = fail(c, "http_server_config is not supported by jvmtap (HTTP/1.1 only, "
				   "no extra headers)");
		else
			err = fail(c, "unknown top-level key '%s' (tls_server_config, "
				   "basic_auth_users)", k);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return err;
}

static int read_file(const char *path, char **out, struct web_config *c, const char *what)
{
	FILE *f = fopen(path, "re");
	size_t n;
	char *buf;

	if (!f)
		return fail(c, "%s %s: %s", what, path, strerror(errno));
	buf = malloc(MAX_FILE + 1);
	n = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
	fclose(f);
	if (!buf)
		return fail(c, "out of memory");
	if (n > MAX_FILE) {
		free(buf);
		return fail(c, "%s %s: larger than 1 MiB", what, path);
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* What libmicrohttpd would find wrong only when starting, said here with the file's name. */
static int check_tls(struct web_config *c)
{
	gnutls_certificate_credentials_t cred;
	gnutls_datum_t cert = { (unsigned char *)c->cert_pem, (unsigned)strlen(c->cert_pem) };
	gnutls_datum_t key = { (unsigned char *)c->key_pem, (unsigned)strlen(c->key_pem) };
	int r, err = 0;

	if (gnutls_certificate_allocate_credentials(&cred))
		return fail(c, "out of memory");
	r = gnutls_certificate_set_x509_key_mem(cred, &cert, &key, GNUTLS_X509_FMT_PEM);
	if (r < 0)
		err = fail(c, "cert_file %s, key_file %s: %s", c->cert_file, c->key_file,
			   gnutls_strerror(r));
	if (!err && c->ca_pem) {
		gnutls_datum_t ca = { (unsigned char *)c->ca_pem, (unsigned)strlen(c->ca_pem) };

		r = gnutls_certificate_set_x509_trust_mem(cred, &ca, GNUTLS_X509_FMT_PEM);
		if (r <= 0)
			err = fail(c, "client_ca_file %s: %s", c->client_ca_file,
				   r < 0 ? gnutls_strerror(r) : "no PEM certificate in it");
	}
	gnutls_certificate_free_credentials(cred);
	return err;
}

int webconfig_load(const char *path, struct web_config *c)
{
	char *text = NULL, *dir, *slash;
	int err;

	memset(c, 0, sizeof(*c));
	if ((err = read_file(path, &text, c, "--web.config.file")))
		return err;
	dir = strdup(path);
	slash = dir ? strrchr(dir, '/') : NULL;
	if (slash)
		*slash = '\0';
	err = webconfig_parse(text, strlen(text), slash ? dir : NULL, c);
	free(text);
	free(dir);
	if (!err && c->tls) {
		err = read_file(c->cert_file, &c->cert_pem, c, "cert_file");
		if (!err)
			err = read_file(c->key_file, &c->key_pem, c, "key_file");
		if (!err && c->client_ca_file)
			err = read_file(c->client_ca_file, &c->ca_pem, c, "client_ca_file");
		if (!err)
			err = check_tls(c);
	}
	return err;
}

void webconfig_free(struct web_config *c)
{
	size_t i;

	free(c->cert_file);
	free(c->key_file);
	free(c->client_ca_file);
	free(c->cert_pem);
	if (c->key_pem)
		explicit_bzero(c->key_pem, strlen(c->key_pem));
	free(c->key_pem);
	free(c->ca_pem);
	for (i = 0; i < c->nusers; i++) {
		free(c->users[i].name);
		free(c->users[i].hash);
	}
	free(c->users);
	c->users = NULL;
	c->nusers = 0;
	c->cert_file = c->key_file = c->client_ca_file = NULL;
	c->cert_pem = c->key_pem = c->ca_pem = NULL;
}
