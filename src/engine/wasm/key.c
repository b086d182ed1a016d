/* The tables of the byte key (key.h), filled once when the module is made (`keyInit`). */
#include "key.h"

v128_t lengthMask[17];
v128_t lengthBits[17];

__attribute__((export_name("keyInit"))) void keyInit(void) {
  for (i32 l = 0; l <= 16; l++) {
    u8 m[16];
    u8 b[16];
    for (i32 i = 0; i < 16; i++) {
      m[i] = i < l ? 0xff : 0;
      b[i] = i < 5 && ((l >> i) & 1) ? 0x80 : 0;
    }
    lengthMask[l] = wasm_v128_load(m);
    lengthBits[l] = wasm_v128_load(b);
  }
}
