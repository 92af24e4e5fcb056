// OpenSSL's libcrypto (Debian libssl-dev): scrypt for admin passwords,
// SHA-256 for API tokens and session ids, a CSPRNG, constant-time comparison.
#ifndef RELAIS_COPENSSL_SHIM_H
#define RELAIS_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#endif
