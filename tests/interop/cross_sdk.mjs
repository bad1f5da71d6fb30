// Cross-SDK interop: the C++ SDK (cpp_peer) and the official @icure/cardinal-sdk (npm, node) on one
// cardinal-devserver, both directions.
//   node cross_sdk.mjs <cardinal-devserver> <cpp_peer>
// A: C++ alice writes a Patient and a HealthElement, shares them with bob (official SDK, HCP) and
//    the HealthElement with pat (official SDK, patient: anonymous delegation); they decrypt them.
// B: official bob writes and shares with C++ alice; she decrypts. carol (C++, no share) reads nothing.
// Exchange data is never duplicated: one record per (delegator, delegate) pair after repeated shares.
// Then (issue 14): a READ → WRITE upgrade by C++ alice lets official bob write; a patient uses its
// own record across SDKs (official patient initialises it, C++ alice reads and writes it; official
// bob creates a Patient that gets a user, the C++ patient reads and writes it; a C++ patient
// initialises its record, official bob reads it).
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { CardinalSdk, AuthenticationMethod, DecryptedPatient, DecryptedHealthElement, AccessLevel } from '@icure/cardinal-sdk'

const [serverPath, peerPath] = process.argv.slice(2)
if (!serverPath || !peerPath) {
  console.error('usage: node cross_sdk.mjs <cardinal-devserver> <cpp_peer>')
  process.exit(2)
}
const dir = mkdtempSync(join(tmpdir(), 'cardinal-cross-'))
const seedPath = join(dir, 'seed.json')
writeFileSync(seedPath, JSON.stringify({
  users: [
    { login: 'alice', password: 'pw', dataOwner: { type: 'hcp', id: 'hcp-alice', firstName: 'Alice', lastName: 'Cpp' } },
    { login: 'bob', password: 'pw', dataOwner: { type: 'hcp', id: 'hcp-bob', firstName: 'Bob', lastName: 'Js' } },
    { login: 'carol', password: 'pw', dataOwner: { type: 'hcp', id: 'hcp-carol', firstName: 'Carol', lastName: 'Cpp' } },
    { login: 'pat', password: 'pw', dataOwner: { type: 'patient', id: 'pat-1', firstName: 'Pat', lastName: 'Js' } },
    { login: 'pat3', password: 'pw', dataOwner: { type: 'patient', id: 'pat-3', firstName: 'Pat3', lastName: 'Cpp' } },
  ],
}))
const server = spawn(serverPath, ['--port', '0', '--db', ':memory:', '--seed', seedPath, '--insecure-test-admin'], { stdio: ['ignore', 'pipe', 'inherit'] })
const baseUrl = await new Promise((resolve, reject) => {
  let out = ''
  const timer = setTimeout(() => reject(new Error('devserver did not start')), 15000)
  server.stdout.on('data', (c) => {
    out += c.toString()
    const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)
    if (m) { clearTimeout(timer); resolve(m[1]) }
  })
})

const storages = new Map()
async function official(user) {
  if (!storages.has(user)) {
    const m = new Map()
    storages.set(user, { getItem: async (k) => m.get(k), setItem: async (k, v) => { m.set(k, v) }, removeItem: async (k) => { m.delete(k) } })
  }
  return CardinalSdk.initialize(undefined, baseUrl, new AuthenticationMethod.UsingCredentials.UsernamePassword(user, 'pw'), storages.get(user))
}
function cpp(user, ...args) {
  const out = execFileSync(peerPath, [baseUrl, user, 'pw', join(dir, `${user}.keys.cks`), ...args], { encoding: 'utf8' })
  return JSON.parse(out)
}
function cppFails(user, ...args) {
  try { execFileSync(peerPath, [baseUrl, user, 'pw', join(dir, `${user}.keys.cks`), ...args], { stdio: 'pipe' }) } catch { return true }
  return false
}

let failures = 0
async function step(name, fn) {
  try { const r = await fn(); console.log(`PASS ${name}`); return r } catch (e) { console.log(`FAIL ${name}: ${e?.message ?? e}`); failures++; return undefined }
}
function expectEq(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`)
}

const NOTE = 'note é€漢 ' + randomUUID()
const DESCR = 'diagnosis ' + randomUUID()
try {
  const bob = await step('bob (official) initializes', () => official('bob'))
  const pat = await step('pat (official, patient) initializes', () => official('pat'))
  await step('alice (C++) initializes', () => cpp('alice', 'init'))
  await step('carol (C++) initializes', () => cpp('carol', 'init'))

  // A: C++ writes, official reads.
  const patient = await step('C++ alice creates a Patient shared with bob', () =>
    cpp('alice', 'create', 'Patient', JSON.stringify({ firstName: 'Ann', lastName: 'Cpp', note: NOTE }), '-', 'hcp-bob:READ'))
  const he = await step('C++ alice creates a HealthElement of that patient, shared with bob and pat', () =>
    cpp('alice', 'create', 'HealthElement', JSON.stringify({ descr: DESCR, note: NOTE }), patient.id, 'hcp-bob:READ', 'pat-1:READ'))
  await step('official bob decrypts the C++ Patient', async () => {
    const p = await bob.patient.getPatient(patient.id)
    expectEq(p.note, NOTE, 'note'); expectEq(p.firstName, 'Ann', 'firstName')
  })
  await step('official bob decrypts the C++ HealthElement', async () => {
    const h = await bob.healthElement.getHealthElement(he.id)
    expectEq(h.descr, DESCR, 'descr'); expectEq(h.note, NOTE, 'note')
  })
  await step('official pat decrypts the C++ HealthElement (anonymous delegation)', async () => {
    await pat.crypto.forceReload()
    const h = await pat.healthElement.getHealthElement(he.id)
    expectEq(h.descr, DESCR, 'descr')
  })
  await step('C++ carol cannot read the C++ HealthElement', async () => {
    if (!cppFails('carol', 'get', 'HealthElement', he.id)) throw new Error('carol read it')
  })

  // B: official writes, C++ reads.
  const jsPatient = await step('official bob creates a Patient and shares it with alice', async () => {
    const p = await bob.patient.createPatient(await bob.patient.withEncryptionMetadata(
      new DecryptedPatient({ id: randomUUID(), firstName: 'Joe', lastName: 'Js', note: NOTE })))
    return bob.patient.shareWith('hcp-alice', p)
  })
  const jsHe = await step('official bob creates a HealthElement and shares it with alice', async () => {
    const h = await bob.healthElement.createHealthElement(await bob.healthElement.withEncryptionMetadata(
      new DecryptedHealthElement({ id: randomUUID(), descr: DESCR + ' js', note: NOTE }), jsPatient))
    return bob.healthElement.shareWith('hcp-alice', h)
  })
  await step('C++ alice decrypts the official Patient', async () => {
    const p = cpp('alice', 'get', 'Patient', jsPatient.id)
    expectEq(p.note, NOTE, 'note'); expectEq(p.firstName, 'Joe', 'firstName')
  })
  await step('C++ alice decrypts the official HealthElement', async () => {
    const h = cpp('alice', 'get', 'HealthElement', jsHe.id)
    expectEq(h.descr, DESCR + ' js', 'descr'); expectEq(h.note, NOTE, 'note')
  })
  await step('C++ carol cannot read the official HealthElement', async () => {
    if (!cppFails('carol', 'get', 'HealthElement', jsHe.id)) throw new Error('carol read it')
  })

  // Repeated shares in both directions reuse the existing exchange data.
  await step('C++ alice shares a second HealthElement with bob', async () => {
    const second = cpp('alice', 'create', 'HealthElement', JSON.stringify({ descr: 'second' }), '-', 'hcp-bob:READ')
    const h = await bob.healthElement.getHealthElement(second.id)
    expectEq(h.descr, 'second', 'descr')
  })
  await step('official bob shares a second HealthElement with alice', async () => {
    const h = await bob.healthElement.createHealthElement(await bob.healthElement.withEncryptionMetadata(
      new DecryptedHealthElement({ id: randomUUID(), descr: 'second js' }), jsPatient))
    const shared = await bob.healthElement.shareWith('hcp-alice', h)
    expectEq(cpp('alice', 'get', 'HealthElement', shared.id).descr, 'second js', 'descr')
  })
  await step('exchange data is never duplicated (one record per delegator/delegate pair)', async () => {
    const pairs = cpp('alice', 'exchange-pairs')
    const seen = new Map()
    for (const p of pairs) {
      const k = `${p.delegator}->${p.delegate}`
      seen.set(k, (seen.get(k) ?? 0) + 1)
    }
    console.log(`  exchange data of alice: ${JSON.stringify(Object.fromEntries(seen))}`)
    for (const [k, n] of seen) if (n !== 1) throw new Error(`${n} exchange data for ${k}`)
    if (!seen.has('hcp-alice->hcp-bob') || !seen.has('hcp-bob->hcp-alice')) throw new Error('expected pairs missing')
  })
  await step('C++ alice upgrades bob from READ to WRITE; official bob then writes', async () => {
    const he = cpp('alice', 'create', 'HealthElement', JSON.stringify({ descr: 'read only' }), '-', 'hcp-bob:READ')
    const before = await bob.healthElement.getHealthElement(he.id)
    let refused = false
    try { await bob.healthElement.modifyHealthElement(new DecryptedHealthElement({ ...before, descr: 'by bob' })) } catch (e) { refused = String(e?.message ?? e).includes('403') }
    if (!refused) throw new Error('bob was not refused (403) with a READ share')
    expectEq(cpp('alice', 'share', 'HealthElement', he.id, 'hcp-bob', 'READ').outcome, 'ALREADY_SHARED', 'repeated READ share')
    expectEq(cpp('alice', 'share', 'HealthElement', he.id, 'hcp-bob', 'WRITE').outcome, 'UPGRADED', 'WRITE share')
    const fresh = await bob.healthElement.getHealthElement(he.id)
    await bob.healthElement.modifyHealthElement(new DecryptedHealthElement({ ...fresh, descr: 'by bob' }))
    expectEq(cpp('alice', 'get', 'HealthElement', he.id).descr, 'by bob', 'descr written by official bob')
    expectEq(cpp('alice', 'share', 'HealthElement', he.id, 'hcp-bob', 'WRITE').outcome, 'ALREADY_SHARED', 'repeated WRITE share')
  })
  await step('official pat initialises its own record for C++ alice, who reads and writes it', async () => {
    // RC.7 returns the initialised patient without saving it: the app saves it (PUT /patient).
    await pat.patient.modifyPatient(
      await pat.patient.ensureEncryptionMetadataForSelfIsInitialized({ sharingWith: { 'hcp-alice': AccessLevel.Write } }))
    const p = cpp('alice', 'get', 'Patient', 'pat-1')
    expectEq(p.firstName, 'Pat', 'firstName')
    cpp('alice', 'modify', 'Patient', JSON.stringify({ ...p, note: 'from alice' }))
    expectEq((await pat.patient.getPatient('pat-1')).note, 'from alice', 'note read by the official patient')
  })
  await step('official bob creates a Patient that then gets a user; the C++ patient reads and writes it', async () => {
    await bob.patient.createPatient(await bob.patient.withEncryptionMetadata(
      new DecryptedPatient({ id: 'pat-2', firstName: 'Zoe', lastName: 'Js', note: 'from bob' })))
    const r = await fetch(`${baseUrl}/devserver/admin/users`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'zoe', password: 'pw', patientId: 'pat-2' }),
    })
    if (r.status !== 200) throw new Error(`admin user creation: ${r.status}`)
    cpp('zoe', 'init')  // her key pair
    await bob.patient.shareWith('pat-2', await bob.patient.getPatient('pat-2'))
    const own = cpp('zoe', 'get', 'Patient', 'pat-2')
    expectEq(own.note, 'from bob', 'note read by the C++ patient')
    cpp('zoe', 'modify', 'Patient', JSON.stringify({ ...own, note: 'from zoe' }))
    expectEq((await bob.patient.getPatient('pat-2')).note, 'from zoe', 'note read by official bob')
  })
  await step('a C++ patient initialises its own record for official bob, who reads it', async () => {
    cpp('pat3', 'init')
    const own = cpp('pat3', 'init-own-patient', 'hcp-bob:WRITE')
    expectEq(own.firstName, 'Pat3', 'firstName')
    cpp('pat3', 'modify', 'Patient', JSON.stringify({ ...own, note: 'from pat3' }))
    expectEq((await bob.patient.getPatient('pat-3')).note, 'from pat3', 'note read by official bob')
  })
} catch (e) {
  console.log(`FAIL ${e?.message ?? e}`)
  failures++
} finally {
  server.kill('SIGTERM')
  rmSync(dir, { recursive: true, force: true })
}
console.log(failures === 0 ? 'cross-sdk: all steps passed' : `cross-sdk: ${failures} step(s) failed`)
process.exit(failures === 0 ? 0 : 1)
