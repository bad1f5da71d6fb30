// Uses the installed SDK through its public headers only.
#include <cardinal/crypto/aes.hpp>
#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/hash.hpp>

#include <cstdio>

int main() {
  using namespace cardinal;
  auto key = crypto::AesKey::generate();
  if (!key.ok()) return 1;
  auto ct = crypto::aes_cbc::encrypt(*key, as_bytes("hello"));
  if (!ct.ok()) return 2;
  auto pt = crypto::aes_cbc::decrypt(*key, *ct);
  if (!pt.ok() || pt->reveal_as_text() != "hello") return 3;
  std::printf("consumer ok: sha256(abc)=%s\n", crypto::hex_encode(crypto::sha256(as_bytes("abc"))).c_str());
  return 0;
}
