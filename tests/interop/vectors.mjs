// Serves the records the official SDK wrote (shared/vectors/official-sdk/*.json) from cardinal-devserver
// (loaded through --insecure-test-admin) and lets the official SDK read them back with only each
// reader's own private key. Includes the anonymous patient share, where bob must still decrypt.
//   node vectors.mjs <cardinal-devserver> <vector.json> [--keys-via-strategies] [--log]
// The reader's private key is given to the SDK either as a local-storage entry (default) or, with
// --keys-via-strategies, through CryptoStrategies.recoverAndVerifySelfHierarchyKeys on empty storage.
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CardinalSdk, AuthenticationMethod, RsaEncryptionAlgorithm } from '@icure/cardinal-sdk'
const vec = JSON.parse(readFileSync(process.argv[3]))
const users = Object.entries(vec.dataOwners).map(([id, dow]) => {
  const d = { ...dow.dataOwner, type: dow.type }; delete d.rev
  return { login: id, password: 'pw', dataOwner: d }
})
const dir = mkdtempSync(join(tmpdir(), 'cardinal-vectors-'))
const seedPath = join(dir, 'seed.json')
writeFileSync(seedPath, JSON.stringify({ users }))
const server = spawn(process.argv[2], ['--port','0','--db',':memory:','--seed',seedPath,'--insecure-test-admin','--log-requests'], {stdio:['ignore','pipe','pipe']})
const log = []
server.stderr.on('data', d => log.push(...d.toString().trim().split('\n')))
const url = await new Promise(r => server.stdout.on('data', d => r(d.toString().match(/(http:\S+)/)[1])))
async function admin(table, doc) {
  const r = await fetch(`${url}/devserver/admin/${table}/${encodeURIComponent(doc.id)}`, { method: 'PUT', body: JSON.stringify(doc) })
  if (r.status !== 200) throw new Error(`admin ${table} ${r.status}`)
}
for (const xd of vec.exchangeData) await admin('exchange_data', xd)
for (const m of vec.exchangeDataMaps) await admin('exchange_data_maps', m)
for (const p of vec.entities.Patient ?? []) await admin('patients', p)
for (const h of vec.entities.HealthElement ?? []) await admin('health_elements', h)
const viaStrategies = process.argv.includes('--keys-via-strategies')
function strategiesFor(doId) {
  return {
    recoverAndVerifySelfHierarchyKeys: async (keysData, primitives) => {
      const out = {}
      for (const k of keysData) {
        const id = k.dataOwnerDetails.dataOwner.id
        const recoveredKeys = {}
        if (id === doId) {
          const spki = vec.dataOwners[doId].dataOwner.publicKeysForOaepWithSha256[0]
          for (const pk of vec.privateKeysPkcs8Hex[doId]) {
            recoveredKeys[spki.slice(-32)] = await primitives.rsa.loadKeyPairPkcs8(
              RsaEncryptionAlgorithm.OaepWithSha256, new Int8Array(Buffer.from(pk, 'hex')))
          }
        }
        out[id] = { recoveredKeys, keyAuthenticity: Object.fromEntries(Object.keys(recoveredKeys).map((fp) => [fp, true])) }
      }
      return out
    },
    generateNewKeyForDataOwner: async () => false,
    verifyDelegatePublicKeys: async (delegate, keys) => keys,
    dataOwnerRequiresAnonymousDelegation: async (d) => d.type !== 'hcp',
    notifyNewKeyCreated: async () => {},
  }
}
function emptyStorage() {
  const m = new Map()
  return { getItem: async k => m.get(k), setItem: async (k,v) => { m.set(k,v) }, removeItem: async k => { m.delete(k) } }
}
function storageFor(doId) {
  const m = new Map()
  for (const pk of vec.privateKeysPkcs8Hex[doId]) {
    const spki = vec.dataOwners[doId].dataOwner.publicKeysForOaepWithSha256[0]
    m.set(`org.taktik.icure.rsa.device.${doId}.${spki.slice(-32)}`, JSON.stringify({ privateKey: Buffer.from(pk, 'hex').toString('base64') }))
  }
  return { getItem: async k => m.get(k), setItem: async (k,v) => { m.set(k,v) }, removeItem: async k => { m.delete(k) } }
}
let bad = 0
for (const [entityId, exp] of Object.entries(vec.expected)) {
  for (const doId of exp.readableBy) {
    log.push(`--- ${doId} reads ${exp.type} ${entityId}`)
    try {
      const sdk = await CardinalSdk.initialize(undefined, url, new AuthenticationMethod.UsingCredentials.UsernamePassword(doId, 'pw'),
        viaStrategies ? emptyStorage() : storageFor(doId), viaStrategies ? { cryptoStrategies: strategiesFor(doId) } : undefined)
      const api = exp.type === 'Patient' ? sdk.patient : sdk.healthElement
      const e = exp.type === 'Patient' ? await api.getPatient(entityId) : await api.getHealthElement(entityId)
      const ok = Object.entries(exp.fields).every(([k, v]) => JSON.stringify(e[k]) === JSON.stringify(v))
      console.log(`${ok ? 'OK  ' : 'DIFF'} ${doId} reads ${exp.type} ${entityId}` + (ok ? '' : ` got ${JSON.stringify(e.descr ?? e.note)}`))
      if (!ok) bad++
    } catch (err) { console.log(`FAIL ${doId} reads ${exp.type} ${entityId}: ${err.message}`); bad++ }
  }
}
if (process.argv.includes('--log')) console.log(log.join('\n'))
server.kill()
rmSync(dir, { recursive: true, force: true })
console.log(bad ? `vectors: ${bad} read(s) failed` : 'vectors: every expected reader decrypted every entity')
process.exit(bad ? 1 : 0)
