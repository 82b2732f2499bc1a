/* A C program calling a model compiled by cgnet-compile (the header is
   included as "model.h" from the include path): reads argument 0 from a
   little-endian float32 .npy file, runs the model, writes result 0 as a
   float32 .npy file. Usage: aot-driver in.npy out.npy */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float input[CGNET_MAIN_ARG0_ELEMENTS];
static float output[CGNET_MAIN_RESULT0_ELEMENTS];

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: aot-driver in.npy out.npy\n");
    return 1;
  }
  FILE *in = fopen(argv[1], "rb");
  unsigned char magic[10];
  if (!in || fread(magic, 1, 10, in) != 10 || memcmp(magic, "\x93NUMPY", 6)) {
    fprintf(stderr, "aot-driver: cannot read %s\n", argv[1]);
    return 1;
  }
  /* Version 1 headers: a 2-byte length after the magic and version. */
  long skip = magic[8] | (magic[9] << 8);
  if (fseek(in, 10 + skip, SEEK_SET) ||
      fread(input, sizeof(float), CGNET_MAIN_ARG0_ELEMENTS, in) !=
          CGNET_MAIN_ARG0_ELEMENTS) {
    fprintf(stderr, "aot-driver: %s is not %d float32 values\n", argv[1],
            CGNET_MAIN_ARG0_ELEMENTS);
    return 1;
  }
  fclose(in);

  cgnet_main(input, output);

  char header[128];
  int n = snprintf(header, sizeof header,
                   "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }",
                   CGNET_MAIN_RESULT0_SHAPE);
  /* Pad with spaces to a multiple of 64 bytes, ending in a newline. */
  int total = (10 + n + 1 + 63) / 64 * 64;
  FILE *out = fopen(argv[2], "wb");
  if (!out)
    return 1;
  fwrite("\x93NUMPY\x01\x00", 1, 8, out);
  fputc((total - 10) & 0xff, out);
  fputc((total - 10) >> 8, out);
  fwrite(header, 1, n, out);
  for (int i = 10 + n; i < total - 1; ++i)
    fputc(' ', out);
  fputc('\n', out);
  fwrite(output, sizeof(float), CGNET_MAIN_RESULT0_ELEMENTS, out);
  return fclose(out) != 0;
}
