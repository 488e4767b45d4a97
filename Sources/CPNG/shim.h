#if !__has_include(<png.h>)
#error "libpng headers (png.h) not found. Install them with: sudo apt-get install libpng-dev   (or run Scripts/setup)"
#endif
#include <png.h>
