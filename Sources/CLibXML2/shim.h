// libxml2's HTML parser and XPath. Debian's headers enable ICU, which clashes
// with Foundation's bundled ICU: switch it off before the rest is included.
#ifndef RELAIS_CLIBXML2_SHIM_H
#define RELAIS_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

// xmlFree is a global function pointer, which Swift 6 rejects as shared mutable state.
static inline void relais_xml_free(void *p) { xmlFree(p); }
#endif
