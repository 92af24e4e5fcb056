#ifndef RELAIS_CLIBPQ_SHIM_H
#define RELAIS_CLIBPQ_SHIM_H
// libpq (Debian: libpq-dev), PostgreSQL's own client library: the protocol's reference
// implementation, a few kilobytes of build (postgres-nio would add BoringSSL: minutes).
#include <libpq-fe.h>
#endif
