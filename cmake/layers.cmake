# The layers of Cardinal::sdk, lowest first: the one place that states their order
# (docs/architecture.md draws it; tests/structure/layers_test.cmake enforces it).
#
# A file may include headers of its own layer and of the layers below it, never of a layer above.
# - Sources: src/<layer>/… belong to <layer>; a folder under src/ that is not listed here is an error.
# - Public headers: include/<entry> belongs to the layer given below, where <entry> is either a
#   header ("cardinal/sdk.hpp") or a folder ("cardinal/crypto/", the headers directly in it).
#   A public header or folder without an entry is an error.
#
#   common     Result/Status, SecretBytes, bytes, JSON, logging: vocabulary, no dependency
#   crypto     primitives on OpenSSL 3 EVP
#   model      lossless typed views of the platform's records (only common)
#   keys       key store, verification codes, pins, the key-verification hooks (CryptoStrategies)
#   engine     exchange data, secure delegations, access control, encryptedSelf, manifests
#   transport  HTTP seam, authentication, policy pipeline (only common and crypto; only api uses it,
#              so that nothing below api talks to the network)
#   api        SdkCore, REST backend, the public facade
set(CARDINAL_LAYERS common crypto model keys engine transport api)

set(CARDINAL_PUBLIC_HEADER_LAYERS
  "cardinal/=common"
  "cardinal/crypto/=crypto"
  "cardinal/model/=model"
  "cardinal/keys/=keys"
  "cardinal/content/=engine"
  "cardinal/http/=transport"
  "cardinal/sdk.hpp=api"
  "cardinal/sdk/=api")
