import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CardinalSdk, AuthenticationMethod, DecryptedContact, DecryptedService, DecryptedContent } from '@icure/cardinal-sdk'
const dir = mkdtempSync(join(tmpdir(), 'svc-'))
writeFileSync(join(dir, 's.json'), JSON.stringify({ users: [{ login: 'bob', password: 'pw', dataOwner: { type: 'hcp', id: 'hcp-bob', firstName: 'B', lastName: 'J' } }] }))
const server = spawn(process.argv[2], ['--port', '0', '--db', ':memory:', '--seed', join(dir, 's.json')], { stdio: ['ignore', 'pipe', 'inherit'] })
const url = await new Promise((r) => { let o = ''; server.stdout.on('data', (c) => { o += c; const m = o.match(/listening on (\S+)/); if (m) r(m[1]) }) })
const m = new Map()
const bob = await CardinalSdk.initialize(undefined, url, new AuthenticationMethod.UsingCredentials.UsernamePassword('bob', 'pw'), { getItem: async (k) => m.get(k), setItem: async (k, v) => { m.set(k, v) }, removeItem: async (k) => { m.delete(k) } })
const c = await bob.contact.createContact(await bob.contact.withEncryptionMetadata(new DecryptedContact({ id: 'c1', services: [new DecryptedService({ id: 's1', comment: 'secret comment', notes: [], content: { en: new DecryptedContent({ stringValue: 'x' }) } })] }), null))
const e = await bob.contact.encrypted.getContact('c1')
console.log(JSON.stringify(e.services))
server.kill(); process.exit(0)
