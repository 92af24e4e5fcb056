// Non-variadic wrappers over curl_easy_setopt / curl_easy_getinfo, which Swift
// cannot call directly (C variadics). One wrapper per argument type.
#ifndef RELAIS_CCURL_SHIM_H
#define RELAIS_CCURL_SHIM_H
#include <curl/curl.h>

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

#endif
