// weights.cpp: placeholder, being written.
#include "errors.hpp"
