// Official-SDK queries against cardinal-devserver: the filters npm @icure/cardinal-sdk (RC.7)
// builds are sent to POST /<e>/match and the pages fetched with POST /<e>/byIds; the devserver
// must find, sort and restrict them as the backend does.
//   node match.mjs <path to cardinal-devserver> [--verbose]
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import {
  CardinalSdk, AuthenticationMethod, DecryptedPatient, DecryptedHealthElement, CodeStub,
  HealthElementFilters, PatientFilters, DecryptedContact, DecryptedService, DecryptedContent, ContactFilters, DocumentFilters, ServiceFilters,
} from '@icure/cardinal-sdk'

const serverPath = process.argv[2]
const verbose = process.argv.includes('--verbose')
if (!serverPath) {
  console.error('usage: node match.mjs <cardinal-devserver> [--verbose]')
  process.exit(2)
}

const dir = mkdtempSync(join(tmpdir(), 'cardinal-match-'))
const seedPath = join(dir, 'seed.json')
writeFileSync(seedPath, JSON.stringify({
  users: [
    { login: 'alice', password: 'alice-pw', dataOwner: { type: 'hcp', id: 'hcp-alice', firstName: 'Alice', lastName: 'Test' } },
    { login: 'bob', password: 'bob-pw', dataOwner: { type: 'hcp', id: 'hcp-bob', firstName: 'Bob', lastName: 'Test' } },
  ],
}))
const server = spawn(serverPath, ['--port', '0', '--db', ':memory:', '--seed', seedPath, '--log-requests'],
  { stdio: ['ignore', 'pipe', 'pipe'] })
const requests = []
server.stderr.on('data', (chunk) => {
  for (const line of chunk.toString().split('\n').filter((l) => l)) {
    requests.push(line)
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

function memoryStorage() {
  const m = new Map()
  return { getItem: async (k) => m.get(k), setItem: async (k, v) => { m.set(k, v) }, removeItem: async (k) => { m.delete(k) } }
}
const login = (user, password) => CardinalSdk.initialize(undefined, baseUrl,
  new AuthenticationMethod.UsingCredentials.UsernamePassword(user, password), memoryStorage())

let failures = 0
async function step(name, fn) {
  try {
    await fn()
    console.log(`PASS ${name}`)
  } catch (e) {
    failures++
    console.log(`FAIL ${name}: ${e?.message ?? e}`)
  }
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)
function expect(actual, expected, what) {
  if (!same(actual, expected)) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
}
async function all(iterator) {
  const out = []
  while (await iterator.hasNext()) out.push(...await iterator.next(2))
  return out
}

try {
  const alice = await login('alice', 'alice-pw')
  const bob = await login('bob', 'bob-pw')
  const patient = await alice.patient.createPatient(await alice.patient.withEncryptionMetadata(new DecryptedPatient({
    id: randomUUID(), firstName: 'Ann', lastName: 'Exampleton', ssin: '85073003361', dateOfBirth: 19850730,
  })))
  const hes = []
  for (const [date, code] of [[20240103, 'acute'], [20240101, 'chronic'], [20240102, 'acute']]) {
    const h = await alice.healthElement.withEncryptionMetadata(new DecryptedHealthElement({
      id: randomUUID(), descr: `he ${date}`, openingDate: date, tags: [new CodeStub({ type: 'CARE', code })],
    }), patient)
    hes.push(await alice.healthElement.createHealthElement(h))
  }
  const [he3, he1, he2] = hes
  await alice.healthElement.shareWith('hcp-bob', he2)

  await step('matchHealthElementsBy(byPatientsForSelf) finds the patient\'s HealthElements', async () => {
    const ids = await alice.healthElement.matchHealthElementsBy(HealthElementFilters.byPatientsForSelf([patient]))
    expect([...ids].sort(), hes.map((h) => h.id).sort(), 'ids')
  })
  await step('byPatientsOpeningDateForSelf sorts by opening date, descending on request', async () => {
    const asc = await alice.healthElement.matchHealthElementsBySorted(
      HealthElementFilters.byPatientsOpeningDateForSelf([patient], {}))
    expect(asc, [he1.id, he2.id, he3.id], 'ascending')
    const desc = await alice.healthElement.matchHealthElementsBySorted(
      HealthElementFilters.byPatientsOpeningDateForSelf([patient], { from: 20240102, descending: true }))
    expect(desc, [he3.id, he2.id], 'descending from 20240102')
  })
  await step('filterHealthElementsBy(byTagForSelf) pages decrypted HealthElements', async () => {
    const found = await all(await alice.healthElement.filterHealthElementsBy(
      HealthElementFilters.byTagForSelf('CARE', { tagCode: 'acute' })))
    expect(found.map((h) => h.descr).sort(), ['he 20240102', 'he 20240103'], 'descr')
    const anyCode = await alice.healthElement.matchHealthElementsBy(HealthElementFilters.byTagForSelf('CARE'))
    expect(anyCode.length, 3, 'a tag type alone')
  })
  await step('bob finds only what alice shared with him', async () => {
    const ids = await bob.healthElement.matchHealthElementsBy(HealthElementFilters.byTagForSelf('CARE'))
    expect(ids, [he2.id], 'bob\'s ids')
    const got = await all(await bob.healthElement.filterHealthElementsBy(HealthElementFilters.byIds(hes.map((h) => h.id))))
    expect(got.map((h) => h.id), [he2.id], 'byIds skips what bob cannot read')
  })
  await step('PatientFilters byName / bySsins / byDateOfBirthBetween for self', async () => {
    expect(await alice.patient.matchPatientsBy(PatientFilters.byNameForSelf('example')), [patient.id], 'byName')
    expect(await alice.patient.matchPatientsBy(PatientFilters.bySsinsForSelf(['85073003361'])), [patient.id], 'bySsins')
    expect(await alice.patient.matchPatientsBy(PatientFilters.byDateOfBirthBetweenForSelf(19800101, 19891231)),
      [patient.id], 'byDateOfBirthBetween')
    expect(await bob.patient.matchPatientsBy(PatientFilters.byNameForSelf('example')), [], 'bob: not shared')
  })
  const contacts = []
  await step('ContactFilters byPatientsOpeningDateForSelf / byServiceTagForSelf', async () => {
    for (const [date, code] of [[20240201, 'lab'], [20240202, 'note']]) {
      const c = await alice.contact.withEncryptionMetadata(new DecryptedContact({
        id: randomUUID(), openingDate: date,
        services: [new DecryptedService({ id: randomUUID(), valueDate: date, tags: [new CodeStub({ type: 'KIND', code })],
          content: { en: new DecryptedContent({ stringValue: `value ${code}` }) } })],
      }), patient)
      contacts.push(await alice.contact.createContact(c))
    }
    const sorted = await alice.contact.matchContactsBySorted(
      ContactFilters.byPatientsOpeningDateForSelf([patient], { descending: true }))
    expect(sorted, [contacts[1].id, contacts[0].id], 'descending opening date')
    expect(await alice.contact.matchContactsBy(ContactFilters.byServiceTagForSelf('KIND', { tagCode: 'lab' })),
      [contacts[0].id], 'service tag')
  })
  await step('ServiceFilters: matchServicesBy / filterServicesBy over POST /contact/service/match and /contact/service', async () => {
    const [lab, note] = contacts.map((c) => c.services[0].id)
    expect([...await alice.contact.matchServicesBy(ServiceFilters.byPatientsForSelf([patient]))].sort(), [lab, note].sort(), 'by patient')
    expect(await alice.contact.matchServicesBySorted(ServiceFilters.byPatientsDateForSelf([patient], { descending: true })),
      [note, lab], 'by patient date, descending')
    expect(await alice.contact.matchServicesBy(ServiceFilters.byTagAndValueDateForSelf('KIND', { tagCode: 'lab' })), [lab], 'by tag')
    expect(await alice.contact.matchServicesBy(ServiceFilters.byTagAndValueDateForSelf('KIND', { tagCode: 'note', startOfServiceValueDate: 20240202 })),
      [note], 'by tag from a value date')
    expect(await bob.contact.matchServicesBy(ServiceFilters.byTagAndValueDateForSelf('KIND', { tagCode: 'lab' })), [], 'bob: not shared')
    const found = await all(await alice.contact.filterServicesBy(ServiceFilters.byIds([note, lab])))
    expect(found.map((x) => [x.id, x.content.en.stringValue, x.contactId]),
      [[note, 'value note', contacts[1].id], [lab, 'value lab', contacts[0].id]], 'decrypted services')
  })
  await step('DocumentFilters byPatientSecretIdsCreatedForDataOwner is understood (instants)', async () => {
    const ids = await alice.document.matchDocumentsBySorted(
      DocumentFilters.byPatientSecretIdsCreatedForDataOwner('hcp-alice', ['no-such-secret'], { from: 1714557600000, to: 1714644000000 }))
    expect(ids, [], 'no document')
  })
  await step('the SDK used match and byIds', async () => {
    for (const call of ['POST /rest/v2/helement/match 200', 'POST /rest/v2/helement/byIds 200', 'POST /rest/v2/patient/match 200',
      'POST /rest/v2/contact/service/match 200', 'POST /rest/v2/contact/service 200']) {
      if (!requests.includes(call)) throw new Error(`no "${call}" in the request log`)
    }
  })
} catch (e) {
  failures++
  console.log(`FAIL setup: ${e?.stack ?? e}`)
} finally {
  server.kill('SIGTERM')
  rmSync(dir, { recursive: true, force: true })
}
console.log(failures === 0 ? 'match interop: all passed' : `match interop: ${failures} failure(s)`)
process.exit(failures === 0 ? 0 : 1)
