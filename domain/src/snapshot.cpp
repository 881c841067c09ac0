#include "kkr/domain/snapshot.hpp"
