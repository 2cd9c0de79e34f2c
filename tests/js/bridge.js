'use strict'
// JSON-lines oracle for tests/policies: one request per stdin line, one answer per stdout line.
// Values travel in a tagged encoding so that types JSON cannot carry survive the trip:
//   {"$int": "12"}  number resolved as !!int (loaded through a schema whose int type yields BigInt)
//   {"$float": "1.5" | "NaN" | "Infinity" | "-Infinity" | "-0"}
//   {"$date": ISO string}   {"$bin": base64}   {"$map": [[key, value], ...]} (keeps key order)
const readline = require('readline')
const yaml = require('js-yaml')
const matter = require('gray-matter')
const yaml3 = require(require.resolve('js-yaml', { paths: [require.resolve('gray-matter')] }))

const intType = yaml.types.int
const taggedInt = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: intType.resolve,
  construct: (data) => BigInt(intType.construct(data))
})
const t = yaml.types
const TAGGED_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({
  implicit: [t.null, t.bool, taggedInt, t.float, t.timestamp, t.merge],
  explicit: [t.binary, t.omap, t.pairs, t.set]
})

function encode (value) {
  if (value === undefined) return null
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value
  if (typeof value === 'bigint') return { $int: value.toString() }
  if (typeof value === 'number') {
    return { $float: Object.is(value, -0) ? '-0' : String(value) }
  }
  if (value instanceof Date) return { $date: value.toISOString() }
  if (value instanceof Uint8Array) return { $bin: Buffer.from(value).toString('base64') }
  if (Array.isArray(value)) return value.map(encode)
  if (typeof value === 'object') return { $map: Object.keys(value).map((k) => [k, encode(value[k])]) }
  throw new Error('cannot encode ' + typeof value)
}

function decode (value) {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(decode)
  if ('$int' in value) return Number(value.$int)
  if ('$float' in value) return value.$float === '-0' ? -0 : Number(value.$float)
  if ('$date' in value) return new Date(value.$date)
  if ('$bin' in value) return new Uint8Array(Buffer.from(value.$bin, 'base64'))
  const result = {}
  for (const [k, v] of value.$map) result[k] = decode(v)
  return result
}

const OPERATIONS = {
  // js-yaml 4 load with the default schema, ints tagged.
  load: (req) => ({ value: encode(yaml.load(req.text, { schema: TAGGED_SCHEMA })) }),
  // plain js-yaml 4 load (numbers untagged), to check the tagged schema changes nothing else
  loadPlain: (req) => ({ value: encode(yaml.load(req.text)) }),
  // the js-yaml 3 that gray-matter bundles
  load3: (req) => ({ value: encode(yaml3.safeLoad(req.text)) }),
  dump: (req) => ({ text: yaml.dump(decode(req.value), { lineWidth: -1 }) }),
  matter: (req) => {
    const file = matter(req.text, {})
    return { data: encode(file.data), content: file.content }
  }
}

function run (req) {
  try {
    return Object.assign({ ok: true }, OPERATIONS[req.op](req))
  } catch (err) {
    return { ok: false, error: String(err && err.message ? err.message : err) }
  }
}

const rl = readline.createInterface({ input: process.stdin, terminal: false })
rl.on('line', (line) => {
  const req = JSON.parse(line)
  const answer = req.op === 'batch' ? { ok: true, results: req.items.map(run) } : run(req)
  process.stdout.write(JSON.stringify(answer) + '\n')
})
