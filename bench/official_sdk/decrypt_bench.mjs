// The official SDK's crypto layer on this machine, for comparison with bench_engine:
// decrypting already-fetched HealthElements (no HTTP in the timed part).
//   node decrypt_bench.mjs <cardinal-devserver> [count=500]
// Run from a folder where npm installed @icure/cardinal-sdk (scripts/bench-vs-official.sh does).
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { CardinalSdk, AuthenticationMethod, DecryptedHealthElement, DecryptedPatient } from '@icure/cardinal-sdk'

const [serverPath, countArg] = process.argv.slice(2)
const count = Number(countArg ?? 500)
const dir = mkdtempSync(join(tmpdir(), 'cardinal-bench-'))
writeFileSync(join(dir, 'seed.json'), JSON.stringify({ users: [
  { login: 'alice', password: 'pw', dataOwner: { type: 'hcp', id: 'hcp-alice', firstName: 'A', lastName: 'B' } }] }))
const server = spawn(serverPath, ['--port', '0', '--db', ':memory:', '--seed', join(dir, 'seed.json')], { stdio: ['ignore', 'pipe', 'inherit'] })
const url = await new Promise((resolve) => {
  let out = ''
  server.stdout.on('data', (c) => { out += c; const m = out.match(/listening on (\S+)/); if (m) resolve(m[1]) })
})
const m = new Map()
const storage = { getItem: async (k) => m.get(k), setItem: async (k, v) => { m.set(k, v) }, removeItem: async (k) => { m.delete(k) } }
const sdk = await CardinalSdk.initialize(undefined, url, new AuthenticationMethod.UsingCredentials.UsernamePassword('alice', 'pw'), storage)
const text = (c) => c.repeat(600)
const patient = await sdk.patient.createPatient(await sdk.patient.withEncryptionMetadata(
  new DecryptedPatient({ id: randomUUID(), firstName: 'P', lastName: 'Q' })))
const entities = []
for (let i = 0; i < count; i++) {
  entities.push(await sdk.healthElement.withEncryptionMetadata(new DecryptedHealthElement({
    id: randomUUID(), descr: text('d'), note: text('n') + text('m') }), patient))
}
const created = await sdk.healthElement.createHealthElements(entities)
const encrypted = await sdk.healthElement.encrypted.getHealthElements(created.map((e) => e.id))
for (let i = 0; i < 20; i++) await sdk.healthElement.decrypt(encrypted[i % encrypted.length])  // warm-up
const t0 = process.hrtime.bigint()
for (const e of encrypted) await sdk.healthElement.decrypt(e)
const t1 = process.hrtime.bigint()
const perEntityUs = Number(t1 - t0) / 1000 / encrypted.length
console.log(JSON.stringify({ entities: encrypted.length, decryptPerEntityMicroseconds: Math.round(perEntityUs) }))
server.kill('SIGTERM')
rmSync(dir, { recursive: true, force: true })
process.exit(0)
