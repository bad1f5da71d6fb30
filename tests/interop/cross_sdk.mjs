// Cross-SDK interop: the C++ SDK (cpp_peer) and the official @icure/cardinal-sdk (npm, node) on one
// cardinal-devserver, both directions.
//   node cross_sdk.mjs <cardinal-devserver> <cpp_peer>
// A: C++ alice writes a Patient and a HealthElement, shares them with bob (official SDK, HCP) and
//    the HealthElement with pat (official SDK, patient: anonymous delegation); they decrypt them.
// B: official bob writes and shares with C++ alice; she decrypts. carol (C++, no share) reads nothing.
// S (issue 12): C++ alice shares a Patient with three delegates in one request, official bob with a
//    subset of its secret ids, official pat with none: both decrypt it and see exactly those ids.
// C: Contacts with services (plain and compound content) both ways; no service content in clear.
// D: Document attachments both ways: the C++ integrity record does not disturb the official SDK,
//    and an official attachment reads in C++ with the "could not be verified" warning.
// Exchange data is never duplicated: one record per (delegator, delegate) pair after repeated shares.
// Q (issue 12): queries both ways — the official matchHealthElementsBy / filterHealthElementsBy,
//    matchPatientsBy and matchServicesBy / filterServicesBy find what C++ alice created, C++
//    match/filter (HealthElement, Patient, Service) find what official bob created
//    (skipped while the devserver has no …/match endpoint).
// Then (issue 14): a READ → WRITE upgrade by C++ alice lets official bob write; a patient uses its
// own record across SDKs (official patient initialises it, C++ alice reads and writes it; official
// bob creates a Patient that gets a user, the C++ patient reads and writes it; a C++ patient
// initialises its record, official bob reads it).
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import {
  CardinalSdk, AuthenticationMethod, DecryptedPatient, DecryptedHealthElement, DecryptedContact, DecryptedService,
  DecryptedContent, DecryptedDocument, AccessLevel, HealthElementFilters, PatientFilters, ServiceFilters,
} from '@icure/cardinal-sdk'

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

  // S (issue 12): C++ alice shares one entity with several delegates in one bulk request, each with
  // its options: official bob with a subset of the secret ids, official pat with none, C++ carol
  // with WRITE and all of them. The official SDK decrypts it and sees exactly the ids it was given.
  const SECOND = 'second-secret-' + randomUUID()
  const many = await step('C++ alice creates a Patient with two secret ids', () => {
    const p = cpp('alice', 'create', 'Patient', JSON.stringify({ firstName: 'Many', lastName: 'Cpp', note: NOTE }), '-')
    const r = cpp('alice', 'add-secret-id', 'Patient', p.id, SECOND)
    expectEq(r.secretIds.length, 2, 'secret ids'); return p
  })
  await step('C++ alice shares it with bob (one secret id), pat (none) and carol (WRITE) in one request', () => {
    const r = cpp('alice', 'share-many', 'Patient', many.id, `hcp-bob:READ:${SECOND}`, 'pat-1:READ:NONE', 'hcp-carol:WRITE')
    for (const d of ['hcp-bob', 'pat-1', 'hcp-carol']) expectEq(r.outcomes[d], 'NEW', `outcome for ${d}`)
  })
  await step('official bob decrypts it and holds exactly the secret id shared with him', async () => {
    const p = await bob.patient.getPatient(many.id)
    expectEq(p.note, NOTE, 'note')
    const ids = await bob.patient.getSecretIdsOf(p)
    expectEq(JSON.stringify(ids), JSON.stringify([SECOND]), 'secret ids')
  })
  await step('official pat decrypts it and holds no secret id of it', async () => {
    await pat.crypto.forceReload()
    const p = await pat.patient.getPatient(many.id)
    expectEq(p.firstName, 'Many', 'firstName')
    expectEq((await pat.patient.getSecretIdsOf(p)).length, 0, 'secret ids')
  })
  await step('C++ carol decrypts it', () => expectEq(cpp('carol', 'get', 'Patient', many.id).note, NOTE, 'note'))

  // C: Contacts and their services, both ways.
  const SVC = 'service text ' + randomUUID()
  const SUB = 'compound sub text ' + randomUUID()
  const findService = (services, id) => {
    const found = (services ?? []).find((x) => x.id === id)
    if (!found) throw new Error(`service ${id} missing`)
    return found
  }
  const noClearServiceContent = (encrypted, what) => {
    const text = JSON.stringify(encrypted)
    for (const secret of [SVC, SUB, 'contact descr']) if (text.includes(secret)) throw new Error(`${what}: "${secret}" stored in clear`)
  }
  const jsContact = await step('official bob creates a Contact with plain and compound services, shares it with alice', async () => {
    const c = await bob.contact.createContact(await bob.contact.withEncryptionMetadata(new DecryptedContact({
      id: randomUUID(), descr: 'contact descr js',
      services: [
        new DecryptedService({ id: 'svc-js-1', label: 'note', comment: 'comment js',
          content: { en: new DecryptedContent({ stringValue: SVC + ' js', numberValue: 72.5 }) } }),
        new DecryptedService({ id: 'svc-js-2', label: 'panel',
          content: { en: new DecryptedContent({ compoundValue: [
            new DecryptedService({ id: 'svc-js-2a', label: 'glucose', content: { en: new DecryptedContent({ stringValue: SUB + ' js' }) } }),
          ] }) } }),
      ],
    }), jsPatient))
    return bob.contact.shareWith('hcp-alice', c)
  })
  await step('the official Contact holds no service content in clear', async () => {
    noClearServiceContent(await bob.contact.encrypted.getContact(jsContact.id), 'official contact')
  })
  await step('C++ alice decrypts the official Contact and its services', async () => {
    const checked = cpp('alice', 'get-checked', 'Contact', jsContact.id)
    const c = checked.entity
    // The service checks (compound sub-services included) find nothing wrong in what the official SDK wrote.
    if (checked.warnings.length) throw new Error(`warnings: ${JSON.stringify(checked.warnings)}`)
    expectEq(c.descr, 'contact descr js', 'descr')
    const s1 = findService(c.services, 'svc-js-1')
    expectEq(s1.content.en.stringValue, SVC + ' js', 'service stringValue')
    expectEq(s1.content.en.numberValue, 72.5, 'service numberValue')
    expectEq(s1.comment, 'comment js', 'service comment')
    const sub = findService(findService(c.services, 'svc-js-2').content.en.compoundValue, 'svc-js-2a')
    expectEq(sub.content.en.stringValue, SUB + ' js', 'compound sub-service stringValue')
  })
  const cppContact = await step('C++ alice creates a Contact with plain and compound services, shared with bob', () =>
    cpp('alice', 'create', 'Contact', JSON.stringify({
      descr: 'contact descr cpp',
      services: [
        { id: 'svc-cpp-1', label: 'note', comment: 'comment cpp', content: { en: { stringValue: SVC + ' cpp', numberValue: 36.6 } } },
        { id: 'svc-cpp-2', label: 'panel', content: { en: { compoundValue: [
          { id: 'svc-cpp-2a', label: 'glucose', content: { en: { stringValue: SUB + ' cpp' } } },
        ] } } },
      ],
    }), jsPatient.id, 'hcp-bob:READ'))
  await step('the C++ Contact holds no service content in clear (as bob\'s SDK receives it)', async () => {
    const encrypted = await bob.contact.encrypted.getContact(cppContact.id)
    noClearServiceContent(encrypted, 'C++ contact')
    const s2 = findService(encrypted.services, 'svc-cpp-2')
    if (!s2.content?.en?.compoundValue?.[0]?.encryptedSelf) throw new Error('compound sub-service not encrypted on its own')
  })
  await step('official bob decrypts the C++ Contact and its services', async () => {
    const c = await bob.contact.getContact(cppContact.id)
    expectEq(c.descr, 'contact descr cpp', 'descr')
    const s1 = findService(c.services, 'svc-cpp-1')
    expectEq(s1.content.en.stringValue, SVC + ' cpp', 'service stringValue')
    expectEq(s1.content.en.numberValue, 36.6, 'service numberValue')
    expectEq(s1.comment, 'comment cpp', 'service comment')
    const sub = findService(findService(c.services, 'svc-cpp-2').content.en.compoundValue, 'svc-cpp-2a')
    expectEq(sub.content.en.stringValue, SUB + ' cpp', 'compound sub-service stringValue')
  })

  // D: attachments, both ways.
  const CPP_ATTACHMENT = 'C++ attachment ' + randomUUID() + ' ' + 'x'.repeat(5000)
  const cppDoc = await step('C++ alice creates a Document shared with bob and uploads its attachment', async () => {
    const d = cpp('alice', 'create', 'Document', JSON.stringify({ name: 'scan.txt' }), '-', 'hcp-bob:READ')
    return cpp('alice', 'upload-attachment', d.id, CPP_ATTACHMENT)
  })
  await step('official bob reads the C++ Document (integrity record in `hash`) and its attachment', async () => {
    const d = await bob.document.getDocument(cppDoc.id)
    expectEq(d.name, 'scan.txt', 'name')
    if (!d.hash?.startsWith('cardinalCppAttachmentIntegrity/v1 sha256=')) throw new Error(`hash is ${d.hash}`)
    const bytes = await bob.document.getAndDecryptMainAttachment(d)
    expectEq(Buffer.from(bytes).toString('utf8'), CPP_ATTACHMENT, 'attachment')
    const raw = await bob.document.encrypted.getDocument(cppDoc.id)
    if (raw.hash !== undefined && raw.hash !== null) throw new Error('the integrity record is stored in clear')
  })
  await step('C++ alice verifies her own attachment', async () => {
    const r = cpp('alice', 'download-attachment', cppDoc.id)
    expectEq(r.text, CPP_ATTACHMENT, 'attachment'); expectEq(r.verified, true, 'verified')
  })
  const JS_ATTACHMENT = 'official attachment ' + randomUUID()
  const jsDoc = await step('official bob creates a Document with an attachment and shares it with alice', async () => {
    const d = await bob.document.createDocument(await bob.document.withEncryptionMetadata(
      new DecryptedDocument({ id: randomUUID(), name: 'js.txt' }), undefined))
    await bob.document.encryptAndSetMainAttachment(d, ['public.plain-text'], new Int8Array(new TextEncoder().encode(JS_ATTACHMENT)))
    return bob.document.shareWith('hcp-alice', await bob.document.getDocument(d.id))
  })
  await step('C++ alice reads the official attachment, with the "could not be verified" warning', async () => {
    const r = cpp('alice', 'download-attachment', jsDoc.id)
    expectEq(r.text, JS_ATTACHMENT, 'attachment'); expectEq(r.verified, false, 'verified')
    if (r.warnings.length !== 1 || !r.warnings[0].includes('could not be verified')) throw new Error(`warnings: ${JSON.stringify(r.warnings)}`)
  })
  await step('the official SDK refuses unknown fields in decrypted Document content (why the record uses `hash`)', async () => {
    const d = cpp('alice', 'create', 'Document', JSON.stringify({ name: 'probe', cardinalCppAttachmentIntegrity: 'x' }), '-', 'hcp-bob:READ')
    let refused = false
    try { await bob.document.getDocument(d.id) } catch (e) { refused = true; console.log(`  official SDK: ${String(e?.message ?? e).slice(0, 160)}`) }
    if (!refused) throw new Error('the official SDK accepted an unknown field: the record could use its own field name')
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
    expectEq(cpp('alice', 'get', 'Patient', 'pat-1').firstName, 'Pat', 'firstName')
    // The key came from the patient's exchange data: alice accepts it before writing (C++ rule).
    const p = cpp('alice', 'accept', 'Patient', 'pat-1')
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
    expectEq(cpp('zoe', 'get', 'Patient', 'pat-2').note, 'from bob', 'note read by the C++ patient')
    const own = cpp('zoe', 'accept', 'Patient', 'pat-2')  // her doctor's key, accepted before writing
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

  // Q: queries, both ways (needs the devserver's POST …/match and …/byIds).
  const matchServed = await fetch(`${baseUrl}/rest/v2/helement/match`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
    .then((r) => r.status !== 404).catch(() => false)
  if (!matchServed) {
    console.log('SKIP queries: this devserver has no /rest/v2/<type>/match endpoint yet')
  } else {
    const bobsView = await step('official bob reads the C++ Patient for his queries', () => bob.patient.getPatient(patient.id))
    await step('official matchHealthElementsBy (by patient) finds the C++ HealthElement', async () => {
      const ids = await bob.healthElement.matchHealthElementsBy(HealthElementFilters.byPatientsForSelf([bobsView]))
      if (!ids.includes(he.id)) throw new Error(`ids ${JSON.stringify(ids)} lack ${he.id}`)
    })
    await step('official filterHealthElementsBy pages through and decrypts the C++ HealthElement', async () => {
      const it = await bob.healthElement.filterHealthElementsBy(HealthElementFilters.byPatientsForSelf([bobsView]))
      const found = []
      while (await it.hasNext()) found.push(...await it.next(1))
      const h = found.find((x) => x.id === he.id)
      if (!h) throw new Error(`not found among ${found.length}`)
      expectEq(h.descr, DESCR, 'descr')
    })
    await step('official matchPatientsBy (by name) finds the C++ Patient', async () => {
      const ids = await bob.patient.matchPatientsBy(PatientFilters.byFuzzyNameForDataOwner('hcp-bob', 'Ann'))
      if (!ids.includes(patient.id)) throw new Error(`ids ${JSON.stringify(ids)} lack ${patient.id}`)
    })
    await step('C++ match + filter (by patient) find and decrypt the official HealthElement', async () => {
      const r = cpp('alice', 'query', 'HealthElement', 'by-patient', jsPatient.id)
      if (!r.ids.includes(jsHe.id)) throw new Error(`ids ${JSON.stringify(r.ids)} lack ${jsHe.id}`)
      const h = r.entities.find((x) => x.id === jsHe.id)
      expectEq(h?.descr, DESCR + ' js', 'descr')
    })
    await step('C++ match + filter (by name) find and decrypt the official Patient', async () => {
      const r = cpp('alice', 'query', 'Patient', 'by-name', 'Joe')
      if (!r.ids.includes(jsPatient.id)) throw new Error(`ids ${JSON.stringify(r.ids)} lack ${jsPatient.id}`)
      expectEq(r.entities.find((x) => x.id === jsPatient.id)?.note, NOTE, 'note')
    })
    await step('official matchServicesBy / filterServicesBy (by patient) find and decrypt the C++ services', async () => {
      const filter = ServiceFilters.byPatientsForSelf([jsPatient])
      const ids = await bob.contact.matchServicesBy(filter)
      for (const id of ['svc-cpp-1', 'svc-cpp-2', 'svc-js-1']) if (!ids.includes(id)) throw new Error(`ids ${JSON.stringify(ids)} lack ${id}`)
      const it = await bob.contact.filterServicesBy(filter)
      const found = []
      while (await it.hasNext()) found.push(...await it.next(1))
      const s1 = findService(found, 'svc-cpp-1')
      expectEq(s1?.content?.en?.stringValue, SVC + ' cpp', 'service stringValue')
      expectEq(s1?.comment, 'comment cpp', 'service comment')
      expectEq(s1?.contactId, cppContact.id, 'contactId')
      const sub = findService(findService(found, 'svc-cpp-2').content.en.compoundValue, 'svc-cpp-2a')
      expectEq(sub.content.en.stringValue, SUB + ' cpp', 'compound sub-service stringValue')
    })
    await step('C++ match + filter (by patient) find and decrypt the official services', async () => {
      const r = cpp('alice', 'query', 'Service', 'by-patient', jsPatient.id)
      for (const id of ['svc-js-1', 'svc-js-2', 'svc-cpp-1']) if (!r.ids.includes(id)) throw new Error(`ids ${JSON.stringify(r.ids)} lack ${id}`)
      if (r.issues.length) throw new Error(`issues ${JSON.stringify(r.issues)}`)
      if (r.warnings.length) throw new Error(`warnings ${JSON.stringify(r.warnings)}`)
      const s1 = findService(r.entities, 'svc-js-1')
      expectEq(s1?.content?.en?.stringValue, SVC + ' js', 'service stringValue')
      expectEq(s1?.content?.en?.numberValue, 72.5, 'service numberValue')
      expectEq(s1?.comment, 'comment js', 'service comment')
      const sub = findService(findService(r.entities, 'svc-js-2').content.en.compoundValue, 'svc-js-2a')
      expectEq(sub.content.en.stringValue, SUB + ' js', 'compound sub-service stringValue')
    })
    await step('C++ carol, with whom nothing was shared, cannot query by that patient nor find it by name', async () => {
      if (!cppFails('carol', 'query', 'HealthElement', 'by-patient', jsPatient.id)) throw new Error('carol resolved the patient')
      const r = cpp('carol', 'query', 'Patient', 'by-name', 'Joe')
      if (r.entities.some((x) => x.id === jsPatient.id)) throw new Error('carol decrypted the patient')
    })
  }
} catch (e) {
  console.log(`FAIL ${e?.message ?? e}`)
  failures++
} finally {
  server.kill('SIGTERM')
  rmSync(dir, { recursive: true, force: true })
}
console.log(failures === 0 ? 'cross-sdk: all steps passed' : `cross-sdk: ${failures} step(s) failed`)
process.exit(failures === 0 ? 0 : 1)
