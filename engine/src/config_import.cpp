// config_import.cpp: placeholder, being written.
#include "errors.hpp"
