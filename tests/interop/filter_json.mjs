// What the official SDK sends for each filter: the AbstractFilter JSON (with its "$type") that
// `match<Type>sBy` posts to `/rest/v2/<type>/match`, captured by a recording proxy between the
// official SDK and a cardinal-devserver.
//   node filter_json.mjs <cardinal-devserver> [--check <reference.json>] [--write <reference.json>]
// Without options it prints the captured cases. --write stores them (the reference file of the C++
// unit test filters_test, tests/unit/data/official_filters.json); --check fails when the official
// SDK now sends something else than the reference (ids that are random per run — the patient's
// secret id — are compared through the recorded patient).
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs'
import { createServer, request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CardinalSdk, AuthenticationMethod, DecryptedPatient, HealthElementFilters, PatientFilters, ContactFilters, ServiceFilters,
} from '@icure/cardinal-sdk'

const [serverPath, ...rest] = process.argv.slice(2)
if (!serverPath) {
  console.error('usage: node filter_json.mjs <cardinal-devserver> [--check <file>] [--write <file>]')
  process.exit(2)
}
const opt = (name) => { const i = rest.indexOf(name); return i >= 0 ? rest[i + 1] : undefined }

const dir = mkdtempSync(join(tmpdir(), 'cardinal-filters-'))
const seedPath = join(dir, 'seed.json')
writeFileSync(seedPath, JSON.stringify({
  users: [{ login: 'bob', password: 'pw', dataOwner: { type: 'hcp', id: 'hcp-bob', firstName: 'Bob', lastName: 'Js' } }],
}))
const server = spawn(serverPath, ['--port', '0', '--db', ':memory:', '--seed', seedPath], { stdio: ['ignore', 'pipe', 'inherit'] })
const upstream = await new Promise((resolve, reject) => {
  let out = ''
  const timer = setTimeout(() => reject(new Error('devserver did not start')), 15000)
  server.stdout.on('data', (c) => {
    out += c.toString()
    const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/)
    if (m) { clearTimeout(timer); resolve(Number(m[1])) }
  })
})

// The proxy: forwards everything, remembers the body of every POST …/match.
let captured = []
const proxy = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const body = Buffer.concat(chunks)
    if (req.method === 'POST' && /\/match$/.test(req.url)) captured.push({ path: req.url, body: JSON.parse(body.toString()) })
    const up = httpRequest({ host: '127.0.0.1', port: upstream, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers)
      r.pipe(res)
    })
    up.on('error', (e) => { res.writeHead(502); res.end(String(e)) })
    up.end(body)
  })
})
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve))
const baseUrl = `http://127.0.0.1:${proxy.address().port}`

let failures = 0
try {
  const m = new Map()
  const storage = { getItem: async (k) => m.get(k), setItem: async (k, v) => { m.set(k, v) }, removeItem: async (k) => { m.delete(k) } }
  const bob = await CardinalSdk.initialize(undefined, baseUrl, new AuthenticationMethod.UsingCredentials.UsernamePassword('bob', 'pw'), storage)
  const patient = await bob.patient.createPatient(await bob.patient.withEncryptionMetadata(
    new DecryptedPatient({ id: 'filter-patient-1', firstName: 'Fil', lastName: 'Ter' })))
  const secretIds = await bob.patient.getSecretIdsOf(patient)
  const me = 'hcp-bob'

  // name → [api method, filter]. Only what the C++ SDK builds.
  const he = (f) => ['healthElement', 'matchHealthElementsBy', f]
  const pa = (f) => ['patient', 'matchPatientsBy', f]
  const co = (f) => ['contact', 'matchContactsBy', f]
  const sv = (f) => ['contact', 'matchServicesBy', f]
  // Documents are not here: matchDocumentsBy of 1.0.0-RC.7 fails before sending anything ("Filter
  // options … should not be usable with base apis"); the C++ Document filters follow kraken-common's
  // DTOs instead (docs/queries.md).
  const cases = {
    'HealthElement.all_for_data_owner': he(HealthElementFilters.allHealthElementsForDataOwner(me)),
    'HealthElement.all_for_self': he(HealthElementFilters.allHealthElementsForSelf()),
    'HealthElement.by_ids': he(HealthElementFilters.byIds(['he-2', 'he-1'])),
    'HealthElement.by_tag_for_data_owner': he(HealthElementFilters.byTagForDataOwner(me, 'CD-ITEM', { tagCode: 'diagnosis' })),
    'HealthElement.by_tag_for_data_owner.type_only': he(HealthElementFilters.byTagForDataOwner(me, 'CD-ITEM')),
    'HealthElement.by_tag_for_self': he(HealthElementFilters.byTagForSelf('CD-ITEM', { tagCode: 'diagnosis' })),
    'HealthElement.by_code_for_data_owner': he(HealthElementFilters.byCodeForDataOwner(me, 'ICD', { codeCode: 'J45' })),
    'HealthElement.by_code_for_self.type_only': he(HealthElementFilters.byCodeForSelf('ICD')),
    'HealthElement.by_patients_for_data_owner': he(HealthElementFilters.byPatientsForDataOwner(me, [patient])),
    'HealthElement.by_patients_for_self': he(HealthElementFilters.byPatientsForSelf([patient])),
    'HealthElement.by_patient_secret_ids_for_data_owner': he(HealthElementFilters.byPatientsSecretIdsForDataOwner(me, ['s-2', 's-1'])),
    'HealthElement.by_patients_opening_date_for_data_owner': he(HealthElementFilters.byPatientsOpeningDateForDataOwner(me, [patient], { from: 20200101, to: 20241231, descending: true })),
    'HealthElement.by_patients_opening_date_for_data_owner.ascending': he(HealthElementFilters.byPatientsOpeningDateForDataOwner(me, [patient], { from: 20200101 })),
    'HealthElement.by_patient_secret_ids_opening_date_for_self': he(HealthElementFilters.byPatientSecretIdsOpeningDateForSelf(['s-1'], { to: 20241231, descending: false })),
    'Patient.all_for_data_owner': pa(PatientFilters.allPatientsForDataOwner(me)),
    'Patient.by_ids': pa(PatientFilters.byIds(['p-2', 'p-1'])),
    'Patient.by_name_for_data_owner': pa(PatientFilters.byFuzzyNameForDataOwner(me, 'Ter')),
    'Patient.by_name_for_self': pa(PatientFilters.byNameForSelf('Ter')),
    'Patient.by_ssins_for_data_owner.one': pa(PatientFilters.bySsinsForDataOwner(me, ['85010112345'])),
    'Patient.by_ssins_for_data_owner.many': pa(PatientFilters.bySsinsForDataOwner(me, ['85010112345', '90020254321'])),
    'Patient.by_date_of_birth_between_for_data_owner': pa(PatientFilters.byDateOfBirthBetweenForDataOwner(me, 19800101, 19891231)),
    'Patient.by_date_of_birth_between_for_data_owner.same_day': pa(PatientFilters.byDateOfBirthBetweenForDataOwner(me, 19850101, 19850101)),
    'Patient.by_date_of_birth_between_for_self': pa(PatientFilters.byDateOfBirthBetweenForSelf(19800101, 19891231)),
    'Contact.all_for_data_owner': co(ContactFilters.allContactsForDataOwner(me)),
    'Contact.by_patients_for_data_owner': co(ContactFilters.byPatientsForDataOwner(me, [patient])),
    'Contact.by_patient_secret_ids_for_self': co(ContactFilters.byPatientsSecretIdsForSelf(['s-2', 's-1'])),
    'Contact.by_patients_opening_date_for_data_owner': co(ContactFilters.byPatientsOpeningDateForDataOwner(me, [patient], { from: 20200101, to: 20241231, descending: true })),
    'Contact.by_patient_secret_ids_opening_date_for_data_owner.no_options': co(ContactFilters.byPatientSecretIdsOpeningDateForDataOwner(me, ['s-1'])),
    'Contact.by_tag_and_opening_date_for_data_owner': co(ContactFilters.byTagAndOpeningDateForDataOwner(me, 'CD-ITEM', { tagCode: 'consult', startOfContactOpeningDate: 20200101, endOfContactOpeningDate: 20241231 })),
    'Contact.by_code_and_opening_date_for_self.type_only': co(ContactFilters.byCodeAndOpeningDateForSelf('ICD')),
    'Contact.by_service_tag_for_data_owner': co(ContactFilters.byServiceTagForDataOwner(me, 'CD-ITEM', { tagCode: 'lab' })),
    'Contact.by_service_code_for_data_owner': co(ContactFilters.byServiceCodeForDataOwner(me, 'LOINC', { codeCode: '2345-7' })),
    'Contact.by_service_ids': co(ContactFilters.byServiceIds(['svc-2', 'svc-1'])),
    'Service.all_for_data_owner': sv(ServiceFilters.allServicesForDataOwner(me)),
    'Service.all_for_self': sv(ServiceFilters.allServicesForSelf()),
    'Service.by_ids': sv(ServiceFilters.byIds(['svc-2', 'svc-1'])),
    'Service.by_tag_and_value_date_for_data_owner': sv(ServiceFilters.byTagAndValueDateForDataOwner(me, 'CD-ITEM', { tagCode: 'lab', startOfServiceValueDate: 20200101, endOfServiceValueDate: 20241231 })),
    'Service.by_tag_and_value_date_for_self.type_only': sv(ServiceFilters.byTagAndValueDateForSelf('CD-ITEM')),
    'Service.by_code_and_value_date_for_data_owner': sv(ServiceFilters.byCodeAndValueDateForDataOwner(me, 'LOINC', { codeCode: '2345-7', startOfServiceValueDate: 20200101 })),
    'Service.by_code_and_value_date_for_self.type_only': sv(ServiceFilters.byCodeAndValueDateForSelf('LOINC')),
    'Service.by_patients_for_data_owner': sv(ServiceFilters.byPatientsForDataOwner(me, [patient])),
    'Service.by_patients_for_self': sv(ServiceFilters.byPatientsForSelf([patient])),
    'Service.by_patient_secret_ids_for_data_owner': sv(ServiceFilters.byPatientsSecretIdsForDataOwner(me, ['s-2', 's-1'])),
    'Service.by_patients_date_for_data_owner': sv(ServiceFilters.byPatientsDateForDataOwner(me, [patient], { from: 20200101, to: 20241231, descending: true })),
    'Service.by_patients_date_for_self.no_options': sv(ServiceFilters.byPatientsDateForSelf([patient])),
    'Service.by_patient_secret_ids_date_for_data_owner.to_only': sv(ServiceFilters.byPatientSecretIdsDateForDataOwner(me, ['s-1'], { to: 20241231 })),
    'Service.by_health_element_ids_for_data_owner': sv(ServiceFilters.byHealthElementIdFromSubContactForDataOwner(me, ['he-2', 'he-1'])),
    'Service.by_health_element_ids_for_self': sv(ServiceFilters.byHealthElementIdFromSubContactForSelf(['he-1'])),
  }
  const out = { dataOwnerId: me, patient: { id: patient.id, secretIds }, cases: {} }
  for (const [name, [api, method, filter]] of Object.entries(cases)) {
    captured = []
    try { await bob[api][method](filter) } catch (e) { if (process.env.DEBUG) console.log(name, e?.message); /* a devserver without the endpoint answers 404: the request was captured */ }
    if (captured.length !== 1) { console.log(`FAIL ${name}: ${captured.length} match requests`); failures++; continue }
    out.cases[name] = captured[0]
  }
  const text = JSON.stringify(out, null, 2) + '\n'
  const write = opt('--write')
  const check = opt('--check')
  if (write) writeFileSync(write, text)
  if (check) {
    const ref = JSON.parse(readFileSync(check, 'utf8'))
    // The reference was recorded with another patient secret id: put this run's in its place.
    const swap = (v) => JSON.parse(JSON.stringify(v).split(JSON.stringify(ref.patient.secretIds)).join(JSON.stringify(secretIds)))
    for (const [name, want] of Object.entries(ref.cases)) {
      const got = out.cases[name]
      if (JSON.stringify(got) !== JSON.stringify(swap(want))) {
        console.log(`FAIL ${name}: the official SDK sends ${JSON.stringify(got)}, the reference says ${JSON.stringify(swap(want))}`)
        failures++
      } else {
        console.log(`PASS ${name}`)
      }
    }
  }
  if (!write && !check) process.stdout.write(text)
} catch (e) {
  console.log(`FAIL ${e?.stack ?? e}`)
  failures++
} finally {
  server.kill()
  proxy.close()
}
process.exit(failures ? 1 : 0)
