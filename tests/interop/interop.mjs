// Official-SDK interop test for cardinal-devserver.
//   node interop.mjs <path to cardinal-devserver> [--verbose]
// Starts the devserver on a free port with an in-memory database, then drives it with the official
// @icure/cardinal-sdk (npm 1.0.0-RC.7): alice and bob (HCPs), carol (HCP without access) and pat (patient).
// Exits non-zero if any required step fails. The patient-share step is reported (a known open question).
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import {
  CardinalSdk, AuthenticationMethod, DecryptedPatient, DecryptedHealthElement,
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

// One storage per user, kept across SDK instances (it holds the user's private keys).
const storages = new Map()
async function login(user, password) {
  if (!storages.has(user)) storages.set(user, memoryStorage())
  return CardinalSdk.initialize(undefined, baseUrl,
    new AuthenticationMethod.UsingCredentials.UsernamePassword(user, password), storages.get(user))
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

  // Patient share (anonymous delegation): the spec's open question.
  const pat = await step('pat (patient user) initializes', () => login('pat', 'pat-pw'))
  await step('alice shares the HealthElement with pat (anonymous delegation)', async () => {
    const latest = await alice.healthElement.getHealthElement(he.id)
    await alice.healthElement.shareWith('pat-1', latest)
  }, { required: false })
  await step('pat reads and decrypts the HealthElement (after forceReload)', async () => {
    await pat.crypto.forceReload()
    const r = await pat.healthElement.getHealthElement(he.id)
    if (r.descr !== DESCR) throw new Error('decrypted content differs')
  }, { required: false })
  const bobAfter = await step('bob still decrypts after the patient share (same instance)', async () => {
    const r = await bob.healthElement.getHealthElement(he.id)
    if (r.descr !== DESCR) throw new Error(`decrypted content differs: ${JSON.stringify(r.descr)}`)
    return true
  }, { required: false })
  const bobFresh = await step('bob still decrypts after the patient share (fresh instance)', async () => {
    const bob2 = await login('bob', 'bob-pw')
    const r = await bob2.healthElement.getHealthElement(he.id)
    if (r.descr !== DESCR) throw new Error(`decrypted content differs: ${JSON.stringify(r.descr)}`)
    return true
  }, { required: false })
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
