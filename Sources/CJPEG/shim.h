#if !__has_include(<jpeglib.h>)
#error "libjpeg headers (jpeglib.h) not found. Install them with: sudo apt-get install libjpeg-dev   (or run Scripts/setup)"
#endif
#include <stdio.h>
#include <jpeglib.h>
