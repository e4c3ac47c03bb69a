// architecture.cpp: placeholder, being written.
#include "errors.hpp"
