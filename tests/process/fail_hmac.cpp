// A fault for Process.CryptoFault.*, preloaded into `kkr serve` (LD_PRELOAD): OpenSSL's
// EVP_MAC_update fails while the file that KKR_TEST_FAIL_HMAC_WHILE names exists, and every
// other call goes through to OpenSSL. The API key hash (HMAC-SHA256) cannot be made to fail any
// other way, and the server must answer such a failure as its own fault (500), stay up, and
// hash again once the fault has passed.
#include <dlfcn.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

struct evp_mac_ctx_st;

namespace {

using MacUpdate = int (*)(evp_mac_ctx_st*, const unsigned char*, std::size_t);

MacUpdate opensslMacUpdate() {
  void* symbol = dlsym(RTLD_NEXT, "EVP_MAC_update");
  MacUpdate function = nullptr;
  // A data pointer becomes a function pointer by its bytes: a cast would be non-standard C++.
  std::memcpy(&function, &symbol, sizeof function);
  return function;
}

}  // namespace

extern "C" int EVP_MAC_update(evp_mac_ctx_st* context, const unsigned char* data,
                              std::size_t length) {
  static const MacUpdate openssl = opensslMacUpdate();
  static const char* const flag = std::getenv("KKR_TEST_FAIL_HMAC_WHILE");
  if (openssl == nullptr || (flag != nullptr && access(flag, F_OK) == 0)) return 0;
  return openssl(context, data, length);
}
