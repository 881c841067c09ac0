#include "kkr/domain/text.hpp"
