#include "kkr/api/server.hpp"
