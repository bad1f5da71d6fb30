// The official SDK on this machine, for the same operations as bench_sdk_ops (C++) against a local
// cardinal-devserver: sign-in with existing keys, create + share with 3 delegates, attachment up
// and down, list + decrypt the HealthElements of one patient through a query
// (filterHealthElementsBy, pages of 1000). Prints one JSON line (milliseconds).
//   node ops_bench.mjs <cardinal-devserver> [creates=20] [attachmentMiB=64] [queryEntities=10000]
// Run from a folder where npm installed @icure/cardinal-sdk (scripts/bench-vs-official.sh does).
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import * as sdkModule from '@icure/cardinal-sdk'

const { CardinalSdk, AuthenticationMethod, DecryptedHealthElement, DecryptedPatient, DecryptedDocument, HealthElementFilters } = sdkModule
const read = sdkModule.AccessLevel?.Read ?? 'Read'
const [serverPath, createsArg, mibArg, queryArg] = process.argv.slice(2)
const queryEntities = Number(queryArg ?? 10000)
const creates = Number(createsArg ?? 20)
const mib = Number(mibArg ?? 64)
const dir = mkdtempSync(join(tmpdir(), 'cardinal-ops-bench-'))
const user = (login, id, type) => ({ login, password: 'pw', dataOwner: { type, id, firstName: login, lastName: 'X' } })
writeFileSync(join(dir, 'seed.json'), JSON.stringify({ users: [user('alice', 'hcp-alice', 'hcp'),
  user('bob', 'hcp-bob', 'hcp'), user('carol', 'hcp-carol', 'hcp'), user('dave', 'hcp-dave', 'hcp')] }))
const server = spawn(serverPath, ['--port', '0', '--db', ':memory:', '--seed', join(dir, 'seed.json'),
  '--max-attachment-bytes', String(mib * 1048576 + 1048576)], { stdio: ['ignore', 'pipe', 'inherit'] })
const url = await new Promise((resolve) => {
  let out = ''
  server.stdout.on('data', (c) => { out += c; const m = out.match(/listening on (\S+)/); if (m) resolve(m[1]) })
})
const storageOf = () => {
  const m = new Map()
  return { getItem: async (k) => m.get(k), setItem: async (k, v) => { m.set(k, v) }, removeItem: async (k) => { m.delete(k) } }
}
const signIn = (login, storage) => CardinalSdk.initialize(undefined, url,
  new AuthenticationMethod.UsingCredentials.UsernamePassword(login, 'pw'), storage)
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6

for (const login of ['bob', 'carol', 'dave']) await signIn(login, storageOf())  // the delegates' keys
const aliceStorage = storageOf()
await signIn('alice', aliceStorage)  // first sign-in: key generation (not timed)
let t0 = process.hrtime.bigint()
const sdk = await signIn('alice', aliceStorage)
const signInMs = ms(t0)

const patient = await sdk.patient.createPatient(await sdk.patient.withEncryptionMetadata(
  new DecryptedPatient({ id: randomUUID(), firstName: 'P', lastName: 'Q' })))
const delegates = { 'hcp-bob': read, 'hcp-carol': read, 'hcp-dave': read }
const createOne = async () => sdk.healthElement.createHealthElement(await sdk.healthElement.withEncryptionMetadata(
  new DecryptedHealthElement({ id: randomUUID(), descr: 'd'.repeat(600), note: 'n'.repeat(600) }), patient, { delegates }))
await createOne()  // warm-up: exchange data to each delegate
t0 = process.hrtime.bigint()
for (let i = 0; i < creates; i++) await createOne()
const createShareMs = ms(t0) / creates

const doc = await sdk.document.createDocument(await sdk.document.withEncryptionMetadata(
  new DecryptedDocument({ id: randomUUID(), name: 'big.bin' }), undefined))
const payload = new Int8Array(mib * 1048576).fill(97)
t0 = process.hrtime.bigint()
const withAttachment = await sdk.document.encryptAndSetMainAttachment(doc, undefined, payload)
const uploadMs = ms(t0)
t0 = process.hrtime.bigint()
const back = await sdk.document.getAndDecryptMainAttachment(withAttachment)
const downloadMs = ms(t0)
if (back.length !== payload.length) throw new Error('attachment size differs')

// The query: queryEntities HealthElements of a new patient (created in bulk, not timed), listed
// and decrypted through filterHealthElementsBy.
const listed = await sdk.patient.createPatient(await sdk.patient.withEncryptionMetadata(
  new DecryptedPatient({ id: randomUUID(), firstName: 'L', lastName: 'Ist' })))
for (let done = 0; done < queryEntities;) {
  const batch = []
  for (let i = 0; i < 500 && done < queryEntities; i++, done++) {
    batch.push(await sdk.healthElement.withEncryptionMetadata(new DecryptedHealthElement({
      id: randomUUID(), descr: `he ${done}`, note: 'n'.repeat(200), openingDate: 20240101 }), listed))
  }
  await sdk.healthElement.createHealthElements(batch)
}
t0 = process.hrtime.bigint()
const it = await sdk.healthElement.filterHealthElementsBy(HealthElementFilters.byPatientsForSelf([listed]))
let decrypted = 0
while (await it.hasNext()) decrypted += (await it.next(1000)).length
const queryListDecryptMs = ms(t0)
if (decrypted !== queryEntities) throw new Error(`the query listed ${decrypted} of ${queryEntities}`)

console.log(JSON.stringify({ signInMs, createShareMs, uploadMs, downloadMs, attachmentMiB: mib, queryListDecryptMs, queryEntities }))
server.kill('SIGTERM')
rmSync(dir, { recursive: true, force: true })
process.exit(0)
