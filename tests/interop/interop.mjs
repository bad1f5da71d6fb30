// Official-SDK interop test for cardinal-devserver.
//   node interop.mjs <path to cardinal-devserver> [--verbose]
// Starts the devserver on a free port with an in-memory database, then drives it with the official
// @icure/cardinal-sdk (npm 1.0.0-RC.7): alice and bob (HCPs), carol (HCP without access) and pat (patient).
// Exits non-zero if any step fails. The patient share (anonymous delegation) was an open question in
// the spec: bob must still decrypt afterwards, with the same and with a fresh SDK instance.
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import {
  CardinalSdk, AuthenticationMethod, DecryptedPatient, DecryptedHealthElement, DecryptedDocument,
} from '@icure/cardinal-sdk'

const serverPath = process.argv[2]
const verbose = process.argv.includes('--verbose')
if (!serverPath) {
  console.error('usage: node interop.mjs <cardinal-devserver> [--verbose]')
  process.exit(2)
}

const dir = mkdtempSync(join(tmpdir(), 'cardinal-interop-'))
const seedPath = join(dir, 'seed.json')
writeFileSync(seedPath, JSON.stringify({
  users: [
    { login: 'alice', password: 'alice-pw', dataOwner: { type: 'hcp', id: 'hcp-alice', firstName: 'Alice', lastName: 'Test' } },
    { login: 'bob', password: 'bob-pw', dataOwner: { type: 'hcp', id: 'hcp-bob', firstName: 'Bob', lastName: 'Test' } },
    { login: 'carol', password: 'carol-pw', dataOwner: { type: 'hcp', id: 'hcp-carol', firstName: 'Carol', lastName: 'Test' } },
    { login: 'pat', password: 'pat-pw', dataOwner: { type: 'patient', id: 'pat-1', firstName: 'Pat', lastName: 'Test' } },
  ],
}))

const server = spawn(serverPath, ['--port', '0', '--db', ':memory:', '--seed', seedPath, '--log-requests'],
  { stdio: ['ignore', 'pipe', 'pipe'] })
const requestLog = []
let stderrBuffer = ''
server.stderr.on('data', (chunk) => {
  stderrBuffer += chunk.toString()
  let nl
  while ((nl = stderrBuffer.indexOf('\n')) >= 0) {
    const line = stderrBuffer.slice(0, nl)
    stderrBuffer = stderrBuffer.slice(nl + 1)
    requestLog.push(line)
    if (verbose) console.log(`  [server] ${line}`)
  }
})

const baseUrl = await new Promise((resolve, reject) => {
  let out = ''
  const timer = setTimeout(() => reject(new Error('devserver did not start')), 15000)
  server.stdout.on('data', (chunk) => {
    out += chunk.toString()
    const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)
    if (m) { clearTimeout(timer); resolve(m[1]) }
  })
  server.on('exit', (code) => reject(new Error(`devserver exited early (${code})`)))
})
console.log(`devserver at ${baseUrl}`)

function memoryStorage() {
  const m = new Map()
  return {
    getItem: async (k) => m.get(k),
    setItem: async (k, v) => { m.set(k, v) },
    removeItem: async (k) => { m.delete(k) },
  }
}

let failures = 0
const findings = []
function mark(name) { requestLog.push(`--- ${name}`) }
async function step(name, fn, { required = true } = {}) {
  mark(name)
  try {
    const r = await fn()
    console.log(`PASS ${name}`)
    return r
  } catch (e) {
    console.log(`${required ? 'FAIL' : 'NOTE'} ${name}: ${e?.message ?? e}`)
    if (verbose && e?.stack) console.log(e.stack)
    if (required) failures++
    return undefined
  }
}

// Crypto strategies that trust every unknown own key (used to approve alice's second device).
const trustingStrategies = {
  recoverAndVerifySelfHierarchyKeys: async (keysData) => Object.fromEntries(keysData.map((k) => [
    k.dataOwnerDetails.dataOwner.id,
    { recoveredKeys: {}, keyAuthenticity: Object.fromEntries(k.unknownKeys.map((pk) => [pk, true])) },
  ])),
  generateNewKeyForDataOwner: async () => true,
  verifyDelegatePublicKeys: async (delegate, keys) => keys,
  dataOwnerRequiresAnonymousDelegation: async (d) => d.type !== 'hcp',
  notifyNewKeyCreated: async () => {},
}

// One storage per user, kept across SDK instances (it holds the user's private keys).
const storages = new Map()
async function login(user, password, { storage, options } = {}) {
  if (!storages.has(user)) storages.set(user, memoryStorage())
  return CardinalSdk.initialize(undefined, baseUrl,
    new AuthenticationMethod.UsingCredentials.UsernamePassword(user, password), storage ?? storages.get(user), options)
}

const DESCR = 'diagnosis ' + randomUUID()
const NOTE = 'note é€漢 ' + randomUUID()
try {
  const alice = await step('alice initializes (new key pair published)', () => login('alice', 'alice-pw'))
  if (!alice) throw new Error('cannot continue without alice')
  await step('alice data owner lists a public key', async () => {
    const dow = await alice.dataOwner.getCurrentDataOwner()
    if ((dow.dataOwner.publicKeysForOaepWithSha256 ?? []).length < 1) throw new Error('no published key')
  })
  const patient = await step('alice creates a Patient', async () => {
    const p = await alice.patient.withEncryptionMetadata(new DecryptedPatient({
      id: randomUUID(), firstName: 'Ann', lastName: 'Example', note: NOTE,
    }))
    return alice.patient.createPatient(p)
  })
  const he = await step('alice creates a HealthElement of the patient', async () => {
    const h = await alice.healthElement.withEncryptionMetadata(new DecryptedHealthElement({
      id: randomUUID(), descr: DESCR, note: NOTE,
    }), patient)
    return alice.healthElement.createHealthElement(h)
  })
  await step('alice reads her HealthElement back', async () => {
    const r = await alice.healthElement.getHealthElement(he.id)
    if (r.descr !== DESCR || r.note !== NOTE) throw new Error('decrypted content differs')
  })
  await step('alice reads her user', async () => {
    const u = await alice.user.getCurrentUser()
    if (u.healthcarePartyId !== 'hcp-alice') throw new Error(`unexpected user ${JSON.stringify(u)}`)
  })
  await step('alice modifies the HealthElement (rev checked)', async () => {
    const latest = await alice.healthElement.getHealthElement(he.id)
    const modified = await alice.healthElement.modifyHealthElement(new DecryptedHealthElement({ ...latest, note: NOTE + ' v2' }))
    if (modified.rev === latest.rev) throw new Error('rev did not change')
    let conflict = false
    try { await alice.healthElement.modifyHealthElement(latest) } catch (e) { conflict = true }
    if (!conflict) throw new Error('a stale modify was accepted')
    const back = await alice.healthElement.modifyHealthElement(new DecryptedHealthElement({ ...modified, note: NOTE }))
    if (back.note !== NOTE) throw new Error('modify lost the note')
  })
  const ATTACHMENT = new TextEncoder().encode('attachment ' + randomUUID())
  const doc = await step('alice creates a Document with an encrypted main attachment', async () => {
    const d = await alice.document.createDocument(await alice.document.withEncryptionMetadata(
      new DecryptedDocument({ id: randomUUID(), name: 'report.txt' }), undefined))
    const withAttachment = await alice.document.encryptAndSetMainAttachment(d, ['public.plain-text'], new Int8Array(ATTACHMENT))
    if (!withAttachment.attachmentId) throw new Error('no attachment id')
    return withAttachment
  })
  await step('alice downloads and decrypts the attachment', async () => {
    const latest = await alice.document.getDocument(doc.id)
    const bytes = await alice.document.getAndDecryptMainAttachment(latest)
    if (Buffer.compare(Buffer.from(bytes), Buffer.from(ATTACHMENT)) !== 0) throw new Error('attachment differs')
    const raw = await alice.document.getRawMainAttachment(doc.id)
    if (Buffer.compare(Buffer.from(raw), Buffer.from(ATTACHMENT)) === 0) throw new Error('stored attachment is not encrypted')
  })
  await step('alice stores key-pair recovery data and recovers her key pair from it', async () => {
    const recoveryKey = await alice.recovery.createRecoveryInfoForAvailableKeyPairs({ lifetimeSeconds: 3600 })
    const result = await alice.recovery.recoverKeyPairs(recoveryKey, false)
    const pairs = result?.data?.['hcp-alice']
    if (!pairs || Object.keys(pairs).length < 1) throw new Error(`recovery failed: ${JSON.stringify(result?.reason ?? result)}`)
    await alice.recovery.purgeRecoveryInfo(recoveryKey)
    const again = await alice.recovery.recoverKeyPairs(recoveryKey, false)
    if (again?.data) throw new Error('recovery data still usable after the purge')
  })
  // RC.7 builds this path without the '/' before forRecipient and with the type as "KeypairRecovery":
  // no backend route matches it (the devserver, like the real one, answers 404). Reported, not required.
  const purgedAll = await step('official SDK purgeAllKeyPairRecoveryInfoFor (known RC.7 path bug)', async () => {
    await alice.recovery.createRecoveryInfoForAvailableKeyPairs({ lifetimeSeconds: 3600 })
    return await alice.recovery.purgeAllKeyPairRecoveryInfoFor('hcp-alice')
  }, { required: false })
  findings.push(`purgeAllKeyPairRecoveryInfoFor works: ${purgedAll !== undefined}`)
  const bob = await step('bob initializes', () => login('bob', 'bob-pw'))
  await step('alice shares the HealthElement with bob', async () => {
    const shared = await alice.healthElement.shareWith('hcp-bob', he)
    const delegates = Object.values(shared.securityMetadata?.secureDelegations ?? {}).map((d) => d.delegate)
    if (!delegates.includes('hcp-bob')) throw new Error('no delegation to bob in the updated entity')
  })
  await step('bob reads and decrypts the HealthElement', async () => {
    const r = await bob.healthElement.getHealthElement(he.id)
    if (r.descr !== DESCR || r.note !== NOTE) throw new Error(`decrypted content differs: ${JSON.stringify(r.descr)}`)
  })
  await step('bob cannot read the Patient (not shared)', async () => {
    let got
    try { got = await bob.patient.encrypted.getPatient(patient.id) } catch (e) { return }
    throw new Error(`bob got the patient ${got?.id}`)
  })
  const carol = await step('carol initializes', () => login('carol', 'carol-pw'))
  await step('carol cannot read the HealthElement', async () => {
    let got
    try { got = await carol.healthElement.encrypted.getHealthElement(he.id) } catch (e) { return }
    throw new Error(`carol got the entity ${got?.id}`)
  })

  // Patient share (anonymous delegation): the spec's open question; bob must still decrypt afterwards.
  const pat = await step('pat (patient user) initializes', () => login('pat', 'pat-pw'))
  await step('alice shares the HealthElement with pat (anonymous delegation)', async () => {
    const latest = await alice.healthElement.getHealthElement(he.id)
    await alice.healthElement.shareWith('pat-1', latest)
  })
  await step('pat reads and decrypts the HealthElement (after forceReload)', async () => {
    await pat.crypto.forceReload()
    const r = await pat.healthElement.getHealthElement(he.id)
    if (r.descr !== DESCR) throw new Error('decrypted content differs')
  })
  const bobAfter = await step('bob still decrypts after the patient share (same instance)', async () => {
    const r = await bob.healthElement.getHealthElement(he.id)
    if (r.descr !== DESCR) throw new Error(`decrypted content differs: ${JSON.stringify(r.descr)}`)
    return true
  })
  const bobFresh = await step('bob still decrypts after the patient share (fresh instance)', async () => {
    const bob2 = await login('bob', 'bob-pw')
    const r = await bob2.healthElement.getHealthElement(he.id)
    if (r.descr !== DESCR) throw new Error(`decrypted content differs: ${JSON.stringify(r.descr)}`)
    return true
  })
  await step('pat initialises the encryption metadata of its own Patient record and decrypts it', async () => {
    // RC.7 returns the initialised patient without saving it: the app saves it (PUT /patient).
    const initialised = await pat.patient.ensureEncryptionMetadataForSelfIsInitialized()
    await pat.patient.modifyPatient(initialised)
    const me = await pat.patient.getPatient('pat-1')
    if (me.firstName !== 'Pat' || Object.keys(me.securityMetadata?.secureDelegations ?? {}).length !== 1) {
      throw new Error('patient record not initialised')
    }
  })
  const patHe = await step('pat creates its own HealthElement and reads it back', async () => {
    const me = await pat.patient.getPatient('pat-1')
    const h = await pat.healthElement.withEncryptionMetadata(new DecryptedHealthElement({
      id: randomUUID(), descr: 'self-reported', note: NOTE,
    }), me)
    const created = await pat.healthElement.createHealthElement(h)
    const r = await pat.healthElement.getHealthElement(created.id)
    if (r.descr !== 'self-reported') throw new Error('decrypted content differs')
    return r
  })
  // Half-anonymous delegation (anonymous delegator, explicit delegate): alice finds the exchange data
  // through the exchange data map written from the share request.
  await step('pat shares its HealthElement with alice, who decrypts it', async () => {
    await pat.healthElement.shareWith('hcp-alice', patHe)
    const r = await alice.healthElement.getHealthElement(patHe.id)
    if (r.descr !== 'self-reported') throw new Error('decrypted content differs')
  })
  await step('carol still cannot read the patient\'s HealthElement', async () => {
    let got
    try { got = await carol.healthElement.encrypted.getHealthElement(patHe.id) } catch (e) { return }
    throw new Error(`carol got the entity ${got?.id}`)
  })
  await step('alice deletes the Document', async () => {
    const latest = await alice.document.getDocument(doc.id)
    await alice.document.deleteDocumentById(latest.id, latest.rev)
  })
  // Key rotation: a second device of alice gets a new key pair; once the first device trusts it, the
  // SDK updates the self exchange data (PUT /exchangedata) and publishes transfer keys (PUT stub).
  const secondDevice = memoryStorage()
  await step('alice on a second device (new key) cannot read her old data yet', async () => {
    const a2 = await login('alice', 'alice-pw', { storage: secondDevice })
    let got
    try { got = await a2.healthElement.getHealthElement(he.id) } catch (e) { return }
    throw new Error(`read ${JSON.stringify(got?.descr)} without the old key`)
  })
  await step('alice first device approves the new key (transfer keys)', () =>
    login('alice', 'alice-pw', { options: { cryptoStrategies: trustingStrategies } }))
  await step('alice second device reads her old data through the transfer keys', async () => {
    const a2 = await login('alice', 'alice-pw', { storage: secondDevice })
    const r = await a2.healthElement.getHealthElement(he.id)
    if (r.descr !== DESCR) throw new Error('decrypted content differs')
  })
  findings.push(`patient share: bob decrypts afterwards: same instance=${!!bobAfter}, fresh instance=${!!bobFresh}`)
} catch (e) {
  console.log(`FAIL ${e?.message ?? e}`)
  failures++
} finally {
  server.kill('SIGTERM')
  rmSync(dir, { recursive: true, force: true })
}

if (verbose || failures > 0) {
  console.log('--- requests seen by the devserver (method path status) ---')
  for (const l of requestLog) console.log(l)
}
for (const f of findings) console.log(`FINDING ${f}`)
console.log(failures === 0 ? 'interop: all required steps passed' : `interop: ${failures} required step(s) failed`)
process.exit(failures === 0 ? 0 : 1)
