// zlib (Debian: zlib1g-dev), for the operator's compressed caches.
#include <zlib.h>
