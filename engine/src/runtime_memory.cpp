// runtime_memory.cpp: placeholder, being written.
#include "errors.hpp"
