// Non-variadic wrappers over curl_easy_setopt / curl_easy_getinfo, which Swift
// cannot call directly (C variadics). One wrapper per argument type.
#ifndef RELAIS_CCURL_SHIM_H
#define RELAIS_CCURL_SHIM_H
#include <curl/curl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

typedef size_t (*relais_curl_write_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*relais_curl_xferinfo_cb)(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode relais_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode relais_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode relais_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode relais_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode relais_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode relais_curl_setopt_write_cb(CURL *h, CURLoption o, relais_curl_write_cb v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode relais_curl_setopt_xferinfo_cb(CURL *h, CURLoption o, relais_curl_xferinfo_cb v) { return curl_easy_setopt(h, o, v); }

static inline CURLcode relais_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode relais_curl_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode relais_curl_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode relais_curl_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }

// ---- Fetch policy: refuse connections to local and private networks ----
//
// The check runs in libcurl's open-socket callback, on the address libcurl is
// about to connect to: DNS names that resolve to a private address, redirects
// and DNS rebinding are all caught, whatever the URL said.

/// 1 if the IPv4 address (host byte order) is "this network" (0/8), loopback
/// (127/8), private (10/8, 172.16/12, 192.168/16), link-local (169.254/16) or
/// carrier-grade NAT (100.64/10); else 0.
static inline int relais_ipv4_is_private(uint32_t a) {
    uint32_t b0 = a >> 24, b1 = (a >> 16) & 0xffu;
    if (b0 == 0 || b0 == 10 || b0 == 127) return 1;
    if (b0 == 172 && (b1 & 0xf0u) == 16) return 1;
    if (b0 == 192 && b1 == 168) return 1;
    if (b0 == 169 && b1 == 254) return 1;
    if (b0 == 100 && (b1 & 0xc0u) == 64) return 1;
    return 0;
}

/// 1 if the 16-byte IPv6 address is unspecified (::), loopback (::1), unique
/// local (fc00::/7), link-local (fe80::/10), or an IPv4-mapped (::ffff:a.b.c.d)
/// or IPv4-compatible (::a.b.c.d) form of a private IPv4 address; else 0.
static inline int relais_ipv6_is_private(const unsigned char *b) {
    static const unsigned char zeros[12] = {0};
    if ((b[0] & 0xfeu) == 0xfc) return 1;
    if (b[0] == 0xfe && (b[1] & 0xc0u) == 0x80) return 1;
    int mapped = memcmp(b, zeros, 10) == 0 && b[10] == 0xff && b[11] == 0xff;
    int compatible = memcmp(b, zeros, 12) == 0;  // ::, ::1 and ::a.b.c.d
    if (mapped || compatible) {
        uint32_t v4 = ((uint32_t)b[12] << 24) | ((uint32_t)b[13] << 16) | ((uint32_t)b[14] << 8) | (uint32_t)b[15];
        // :: and ::1 map to 0.0.0.0 and 0.0.0.1, both in 0/8.
        return relais_ipv4_is_private(v4);
    }
    return 0;
}

/// For an IP literal (dotted IPv4, or IPv6 without brackets or zone):
/// 1 if private as above, 0 if public, -1 if `literal` is not an IP address.
static inline int relais_address_literal_is_private(const char *literal) {
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton(AF_INET, literal, &v4) == 1) return relais_ipv4_is_private(ntohl(v4.s_addr));
    if (inet_pton(AF_INET6, literal, &v6) == 1) return relais_ipv6_is_private(v6.s6_addr);
    return -1;
}

/// What the open-socket callback needs and what it tells back. Lives for one
/// transfer, owned by the Swift caller.
typedef struct relais_socket_guard {
    /// Nonzero: private addresses may be connected to.
    int allow_private;
    /// Testing only: loopback connections to this port count as public (0: none).
    unsigned short public_loopback_port;
    /// Set by the callback when it refused an address.
    int refused;
    /// The refused address, as text.
    char refused_address[INET6_ADDRSTRLEN];
} relais_socket_guard;

static inline int relais_sockaddr_is_private(const struct curl_sockaddr *a, unsigned short public_loopback_port, char *text, size_t text_size) {
    if (a->family == AF_INET && a->addrlen >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&a->addr;
        inet_ntop(AF_INET, &in->sin_addr, text, (socklen_t)text_size);
        uint32_t host = ntohl(in->sin_addr.s_addr);
        if (public_loopback_port != 0 && (host >> 24) == 127 && ntohs(in->sin_port) == public_loopback_port) return 0;
        return relais_ipv4_is_private(host);
    }
    if (a->family == AF_INET6 && a->addrlen >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a->addr;
        inet_ntop(AF_INET6, &in6->sin6_addr, text, (socklen_t)text_size);
        return relais_ipv6_is_private(in6->sin6_addr.s6_addr);
    }
    // Any other family (a Unix socket…) is not the public Internet.
    snprintf(text, text_size, "address family %d", a->family);
    return 1;
}

/// CURLOPT_OPENSOCKETFUNCTION: `clientp` is a `relais_socket_guard`.
static inline curl_socket_t relais_curl_opensocket(void *clientp, curlsocktype purpose, struct curl_sockaddr *address) {
    (void)purpose;
    relais_socket_guard *g = (relais_socket_guard *)clientp;
    if (g != NULL && !g->allow_private) {
        char text[INET6_ADDRSTRLEN] = {0};
        if (relais_sockaddr_is_private(address, g->public_loopback_port, text, sizeof text)) {
            g->refused = 1;
            memcpy(g->refused_address, text, sizeof text);
            return CURL_SOCKET_BAD;
        }
    }
#ifdef SOCK_CLOEXEC
    return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
#else
    return socket(address->family, address->socktype, address->protocol);
#endif
}

/// Installs the open-socket callback with `guard_state` as its data.
static inline CURLcode relais_curl_set_socket_guard(CURL *h, relais_socket_guard *guard_state) {
    CURLcode c = curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, relais_curl_opensocket);
    if (c != CURLE_OK) return c;
    return curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, guard_state);
}

#endif
