// Debian's libstb (libstb-dev): image decoding and resizing, linked from libstb.so.
#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>
#include <stb/stb_image_write.h>
