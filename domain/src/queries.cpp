#include "kkr/domain/queries.hpp"
