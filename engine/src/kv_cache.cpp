// kv_cache.cpp: placeholder, being written.
#include "errors.hpp"
