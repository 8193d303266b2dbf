// zlib (Debian zlib1g-dev): gunzip for the IDX files of dataset-fashion-mnist.
#include <zlib.h>
