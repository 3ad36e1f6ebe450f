#!/usr/bin/env node
// An independent verifier of CITES permit QR texts (`CP1:`), written only from docs/FORMAT.md.
//
// Usage: node verify_permit.mjs TRUST.json [--now 2026-05-01T12:00:00Z] < qr-texts.txt
//
// Reads one QR text per line on standard input and prints one JSON object per line (JSON Lines), in order:
//   {"valid": true|false, "status": "VALID"|<FORMAT.md section 7 status>, "check": <failed step id or null>,
//    "reason": <text or null>, "checks": [{"id", "ok", "status"?, "reason"?}, ...],
//    "alg", "kid" (hex), "party" (the verifying key's Party), "claims": {iss, iat, exp, nbf?},
//    "permit": <the signed permit map of FORMAT.md section 5, its keys as signed>}
// "permit" and "claims" are present only once the signature has verified: nothing unsigned is shown.
//
// The trust file is the trust source (FORMAT.md 4.3 and 9.3), already vetted by the caller:
//   {"expires": "YYYY-MM-DD" (optional),
//    "keys": [{"party": "KE", "alg": "ES256"|"EdDSA",
//              "public_key": "<standard Base64 of the SubjectPublicKeyInfo DER>"  (or "public_key_pem"),
//              "kid": "<16 hex digits>" (optional; MUST match the key),
//              "valid_from": date|null, "valid_to": date|null, "scope": [...], "compromised_since": date|null
//              (the last four optional, as in a cites-trust-list-v1 entry)}]}
// The `signed` object of a cites-trust-list-v1 document has this shape, so it may be given as is (its own
// signatures are not checked here). An unusable trust file makes every verdict TRUST_UNAVAILABLE (step 6).
//
// It runs checks 1-15 of FORMAT.md section 7 (16-18 are the tool's own policy stages). Every input line gets a
// verdict, a blank one too (MALFORMED). Exit status: 0 every line VALID, 1 otherwise (or no input), 2 a usage error.
//
// Only Node's built-in modules are used: Base45, CBOR and the COSE structure are decoded here.

import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';

// ---------------------------------------------------------------------------------------------- limits
const MAX_QR_TEXT = 4296; // FORMAT.md 2 and 8
const MAX_INPUT_LINE = 17184; // FORMAT.md 8: a line of QR text read from standard input
const MAX_INFLATED = 32768; // FORMAT.md 4.1
const MAX_DEPTH = 8; // FORMAT.md 4.2
const MAX_CLAIM_TIME = 32503680000; // FORMAT.md 4.4: 3000-01-01T00:00:00Z
const CLOCK_SKEW = 300; // FORMAT.md 7, step 13
const PERMIT_CLAIM = -65537;
const ALGORITHMS = new Map([[-7, 'ES256'], [-8, 'EdDSA']]);

class Failure extends Error {
  constructor(status, reason) {
    super(reason);
    this.status = status;
  }
}
const malformed = (reason) => new Failure('MALFORMED', reason);
const invalidPermit = (reason) => new Failure('INVALID_PERMIT', reason);

// ---------------------------------------------------------------------------------------------- Base45
const BASE45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const BASE45_VALUE = new Map([...BASE45].map((char, index) => [char, index]));

// FORMAT.md 3.2: strict decoding.
export function base45Decode(text) {
  const values = [];
  for (let i = 0; i < text.length; i++) {
    const value = BASE45_VALUE.get(text[i]);
    if (value === undefined) {
      throw malformed(`Base45: character ${JSON.stringify(text[i])} at ${i} is not in the alphabet`);
    }
    values.push(value);
  }
  if (values.length % 3 === 1) throw malformed('Base45: the length leaves one character over');
  const out = Buffer.alloc(Math.floor(values.length / 3) * 2 + (values.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < values.length; i += 3) {
    if (i + 2 < values.length) {
      const n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025;
      if (n > 0xffff) throw malformed(`Base45: group at ${i} exceeds 65535`);
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      const n = values[i] + values[i + 1] * 45;
      if (n > 0xff) throw malformed('Base45: the final 2-character group exceeds 255');
      out[o++] = n;
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ zlib
// FORMAT.md 4.1. Node's inflate silently ignores bytes after the end of the stream, so trailing data is found
// by inflating all but the last byte: that succeeds exactly when the stream ended before the last byte.
function inflateStrict(bytes) {
  const inflate = (data) => zlib.inflateSync(data, { maxOutputLength: MAX_INFLATED });
  let out;
  try {
    out = inflate(bytes);
  } catch (error) {
    if (error.code === 'ERR_BUFFER_TOO_LARGE') throw malformed(`zlib: inflates to more than ${MAX_INFLATED} bytes`);
    throw malformed(`zlib: ${error.message}`);
  }
  let endsEarly = false;
  try {
    inflate(bytes.subarray(0, bytes.length - 1));
    endsEarly = true;
  } catch {
    // truncated without the last byte: the stream ends exactly at the end of the data
  }
  if (endsEarly) throw malformed('zlib: bytes after the end of the stream');
  return out;
}

// ------------------------------------------------------------------------------------------------ CBOR
// RFC 8949, with the restrictions of FORMAT.md 4.2: definite lengths only, nesting depth at most 8 (counted
// over arrays, maps and tags, the outermost item being at depth 1), no duplicate map keys. Integers are
// Numbers, or BigInts beyond 2^53 - 1; floats are CborFloat (never confused with integers); text must be
// valid UTF-8; the only simple values are false, true, null and undefined.
export class CborTag {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}
export class CborFloat {
  constructor(value) {
    this.value = value;
  }
}
export const UNDEFINED = Symbol('undefined');
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function keyIdentity(key) {
  if (typeof key === 'number' || typeof key === 'bigint') return `i:${key}`;
  if (typeof key === 'string') return `t:${key}`;
  if (Buffer.isBuffer(key)) return `b:${key.toString('hex')}`;
  if (key instanceof CborFloat) return `f:${Object.is(key.value, -0) ? '-0' : key.value}`;
  if (key instanceof CborTag) return `g:${key.tag}(${keyIdentity(key.value)})`;
  if (Array.isArray(key)) return `a:[${key.map(keyIdentity).join(',')}]`;
  if (key instanceof Map) {
    return `m:{${[...key].map(([k, v]) => `${keyIdentity(k)}=${keyIdentity(v)}`).join(',')}}`;
  }
  return `s:${String(key)}`;
}

export function cborDecode(bytes, what) {
  let pos = 0;
  const need = (n) => {
    if (n > bytes.length - pos) throw malformed(`${what}: CBOR data ends early`);
  };
  const readArgument = (info) => {
    if (info < 24) return info;
    if (info === 24) { need(1); return bytes[pos++]; }
    if (info === 25) { need(2); const v = bytes.readUInt16BE(pos); pos += 2; return v; }
    if (info === 26) { need(4); const v = bytes.readUInt32BE(pos); pos += 4; return v; }
    if (info === 27) {
      need(8);
      const v = bytes.readBigUInt64BE(pos);
      pos += 8;
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    if (info === 31) throw malformed(`${what}: indefinite-length CBOR item`);
    throw malformed(`${what}: reserved CBOR additional information ${info}`);
  };
  const item = (depth) => {
    if (depth > MAX_DEPTH) throw malformed(`${what}: CBOR nesting deeper than ${MAX_DEPTH}`);
    need(1);
    const initial = bytes[pos++];
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22) return null;
      if (info === 23) return UNDEFINED;
      if (info === 25) { need(2); const v = halfToNumber(bytes.readUInt16BE(pos)); pos += 2; return new CborFloat(v); }
      if (info === 26) { need(4); const v = bytes.readFloatBE(pos); pos += 4; return new CborFloat(v); }
      if (info === 27) { need(8); const v = bytes.readDoubleBE(pos); pos += 8; return new CborFloat(v); }
      if (info === 31) throw malformed(`${what}: unexpected CBOR break`);
      throw malformed(`${what}: unsupported CBOR simple value`);
    }
    const argument = readArgument(info);
    switch (major) {
      case 0:
        return argument;
      case 1:
        return typeof argument === 'bigint' ? -1n - argument : argument === Number.MAX_SAFE_INTEGER ? -1n - BigInt(argument) : -1 - argument;
      case 2:
      case 3: {
        if (typeof argument === 'bigint') throw malformed(`${what}: CBOR string too long`);
        need(argument);
        const chunk = bytes.subarray(pos, pos + argument);
        pos += argument;
        if (major === 2) return Buffer.from(chunk);
        try {
          return UTF8.decode(chunk);
        } catch {
          throw malformed(`${what}: CBOR text that is not UTF-8`);
        }
      }
      case 4: {
        if (typeof argument === 'bigint' || argument > bytes.length - pos) throw malformed(`${what}: CBOR data ends early`);
        const array = [];
        for (let i = 0; i < argument; i++) array.push(item(depth + 1));
        return array;
      }
      case 5: {
        if (typeof argument === 'bigint' || argument * 2 > bytes.length - pos) throw malformed(`${what}: CBOR data ends early`);
        const map = new Map();
        const seen = new Set();
        for (let i = 0; i < argument; i++) {
          const key = item(depth + 1);
          const identity = keyIdentity(key);
          if (seen.has(identity)) throw malformed(`${what}: duplicate CBOR map key ${describe(key)}`);
          seen.add(identity);
          map.set(key, item(depth + 1));
        }
        return map;
      }
      default: // 6: tag
        return new CborTag(argument, item(depth + 1));
    }
  };
  const value = item(1);
  if (pos !== bytes.length) throw malformed(`${what}: ${bytes.length - pos} bytes after the CBOR item`);
  return value;
}

function halfToNumber(half) {
  const exponent = (half >> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  const sign = half & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function describe(value) {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Buffer.isBuffer(value)) return `h'${value.toString('hex')}'`;
  if (value === null) return 'null';
  if (value === UNDEFINED) return 'undefined';
  if (typeof value === 'boolean') return String(value);
  if (value instanceof CborFloat) return `float ${value.value}`;
  if (value instanceof CborTag) return `tag ${value.tag}`;
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Map) return 'a map';
  return typeof value;
}

function cborHead(major, length) {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(length, 1); return b; }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(length, 1);
  return b;
}

// FORMAT.md 4.2: Sig_structure = ["Signature1", protected as received, h'', payload], deterministic CBOR heads.
function sigStructure(protectedBytes, payload) {
  const context = Buffer.from('Signature1', 'ascii');
  return Buffer.concat([
    cborHead(4, 4),
    cborHead(3, context.length), context,
    cborHead(2, protectedBytes.length), protectedBytes,
    cborHead(2, 0),
    cborHead(2, payload.length), payload,
  ]);
}

// ------------------------------------------------------------------------------------------------ COSE
// FORMAT.md 4.2: steps 4 (cose) and 5 (alg).
function parseCose(bytes) {
  let message = cborDecode(bytes, 'COSE');
  if (!(message instanceof CborTag)) throw malformed('COSE: not tagged COSE_Sign1 (tag 18)');
  if (message.tag === 61) {
    message = message.value;
    if (!(message instanceof CborTag)) throw malformed('COSE: CWT tag 61 without COSE_Sign1 tag 18 inside');
  }
  if (message.tag !== 18) throw malformed(`COSE: tag ${message.tag} is not COSE_Sign1 (18)`);
  const parts = message.value;
  if (!Array.isArray(parts) || parts.length !== 4) throw malformed('COSE: COSE_Sign1 is not an array of 4');
  const [protectedBytes, unprotected, payload, signature] = parts;
  if (!Buffer.isBuffer(protectedBytes)) throw malformed('COSE: protected header is not a byte string');
  if (!(unprotected instanceof Map)) throw malformed('COSE: unprotected header is not a map');
  if (payload === null) throw malformed('COSE: detached payload (nil)');
  if (!Buffer.isBuffer(payload)) throw malformed('COSE: payload is not a byte string');
  if (!Buffer.isBuffer(signature)) throw malformed('COSE: signature is not a byte string');
  const protectedMap = protectedBytes.length === 0 ? new Map() : cborDecode(protectedBytes, 'protected header');
  if (!(protectedMap instanceof Map)) throw malformed('COSE: protected header is not a map');
  // Only alg (1) and kid (4) may appear, and only kid in both headers (the protected one wins).
  for (const [name, map] of [['protected', protectedMap], ['unprotected', unprotected]]) {
    for (const label of map.keys()) {
      if (label !== 1 && label !== 4) throw malformed(`COSE: label ${describe(label)} in the ${name} header (only 1 and 4)`);
    }
  }
  if (protectedMap.has(1) && unprotected.has(1)) throw malformed('COSE: alg (label 1) in both headers');
  const header = (label) => (protectedMap.has(label) ? protectedMap.get(label) : unprotected.get(label));
  // A kid that is absent or not a byte string names no key: step 7 (kid) reports it as UNKNOWN_KEY.
  const kid = header(4);
  return { protectedBytes, payload, signature, alg: header(1), kid: Buffer.isBuffer(kid) ? kid : null };
}

// --------------------------------------------------------------------------------------------- trust
function sameDateText(value) {
  return value === null || value === undefined || isDate(value);
}

export function loadTrust(path) {
  const data = JSON.parse(fs.readFileSync(path, 'utf8'));
  if (typeof data !== 'object' || data === null || !Array.isArray(data.keys)) throw new Error('no "keys" array');
  if (data.expires !== undefined && !isDate(data.expires)) throw new Error('"expires" is not a date');
  const keys = data.keys.map((entry, index) => {
    const where = `keys[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw new Error(`${where} is not an object`);
    if (typeof entry.party !== 'string' || !/^[A-Z]{2}$/.test(entry.party)) throw new Error(`${where}: bad party`);
    if (entry.alg !== 'ES256' && entry.alg !== 'EdDSA') throw new Error(`${where}: alg is not ES256 or EdDSA`);
    let key;
    if (typeof entry.public_key === 'string') {
      const der = Buffer.from(entry.public_key, 'base64');
      if (der.toString('base64') !== entry.public_key) throw new Error(`${where}: public_key is not canonical Base64`);
      key = crypto.createPublicKey({ key: der, format: 'der', type: 'spki' });
      const canonical = key.export({ type: 'spki', format: 'der' });
      if (!canonical.equals(der)) throw new Error(`${where}: public_key is not the DER SubjectPublicKeyInfo`);
    } else if (typeof entry.public_key_pem === 'string') {
      key = crypto.createPublicKey({ key: entry.public_key_pem, format: 'pem' });
    } else {
      throw new Error(`${where}: no public_key`);
    }
    const ok = entry.alg === 'ES256'
      ? key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails.namedCurve === 'prime256v1'
      : key.asymmetricKeyType === 'ed25519';
    if (!ok) throw new Error(`${where}: the key is not a ${entry.alg} key`);
    const spki = key.export({ type: 'spki', format: 'der' });
    const kid = crypto.createHash('sha256').update(spki).digest().subarray(0, 8).toString('hex');
    if (entry.kid !== undefined && entry.kid !== kid) throw new Error(`${where}: kid ${entry.kid} is not the key's (${kid})`);
    for (const member of ['valid_from', 'valid_to', 'compromised_since']) {
      if (!sameDateText(entry[member])) throw new Error(`${where}: ${member} is not a date or null`);
    }
    if (entry.scope !== undefined && (!Array.isArray(entry.scope) || !entry.scope.every((s) => SCOPES.includes(s)))) {
      throw new Error(`${where}: bad scope`);
    }
    return {
      party: entry.party, alg: entry.alg, key, kid,
      validFrom: entry.valid_from ?? null, validTo: entry.valid_to ?? null,
      compromisedSince: entry.compromised_since ?? null, scope: entry.scope ?? SCOPES,
    };
  });
  return { keys, expires: data.expires ?? null };
}

// ------------------------------------------------------------------------------------ permit schema (5)
const SCOPES = ['export', 're-export', 'import', 'other'];
const SCOPE_OF_TYPE = { E: 'export', R: 're-export', I: 'import', O: 'other' };
const PURPOSES = 'BEGHLMNPQSTZ'.split('');
const SOURCES = 'WRDACFUIOXY'.split('');
const APPENDICES = ['I', 'II', 'III'];
const UNITS = ['NUM', 'KIL', 'GRM', 'LTR', 'MLT', 'MTQ', 'MTR', 'MTK', 'CTM', 'PCS', 'PRS', 'SET', 'BSK', 'CRT', 'SHP'];
const COUNTED_UNITS = ['NUM', 'PCS', 'PRS', 'SET', 'BSK', 'CRT', 'SHP'];
const MARK_KINDS = ['microchip', 'ring', 'tag', 'tattoo', 'brand', 'other'];
const QUANTITY = /^(0|[1-9][0-9]{0,11})(\.[0-9]{0,5}[1-9])?$/; // FORMAT.md 5: one text per value
const IDENTIFIER = 64;
const COUNTRIES = new Set((
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
  'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO ' +
  'FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE ' +
  'JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO ' +
  'MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW ' +
  'PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM ' +
  'TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW').split(' ')); // FORMAT.md A.2
const TERMS = new Set((
  'BAL BAR BOC BOD BON BOP CAL CAP CAR CAV CHP CLA CLO COR COS CUL DER DPL EAR EGG EGL ESH EXT FEA FIB FIG FIN ' +
  'FLO FOO FPL FPS FPT FRU GAB GAL GAR GEN GIL GRS HAI HAP HOC HOP HOR IJW IVC IVP JWL KEY KNL LEA LEG LIV LOG ' +
  'LPL LPS LVS MEA MED MUS OIL PLA PLY POW PRL PUP ROO ROS RUG SAW SCA SEE SHE SID SKE SKI SKP SKU SOU SPE STE ' +
  'SWI TAI TEE TIM TRO TRU TRW TUS VEN WAX WPR').split(' ')); // FORMAT.md A.1
const FREE_TEXT = 500;
// White space, ignored around the QR text (FORMAT.md 2) and around permit text (5.3): tab, LF, VT, FF, CR,
// U+001C-U+001F, space, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
const WS = '\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const STRIP = new RegExp(`^[${WS}]+|[${WS}]+$`, 'gu');
const strip = (text) => text.replace(STRIP, '');
// Control characters: U+0000-U+001F other than tab and line feed (FORMAT.md 5.3, "Text limits").
const CONTROL = /[\u0000-\u0008\u000b-\u001f]/u;

function isDate(value) {
  if (typeof value !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number);
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}
const midnight = (date) => {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / 1000;
};
const dayNumber = (date) => midnight(date) / 86400;

function permitMap(value, where, required, optional) {
  if (!(value instanceof Map)) throw invalidPermit(`${where} is not a map`);
  for (const key of value.keys()) {
    if (typeof key !== 'string') throw invalidPermit(`${where}: key ${describe(key)} is not text`);
    if (!required.includes(key) && !optional.includes(key)) throw invalidPermit(`${where}: unknown key ${JSON.stringify(key)}`);
  }
  for (const key of required) if (!value.has(key)) throw invalidPermit(`${where}: ${JSON.stringify(key)} is missing`);
  return value;
}

function text(value, where, max) {
  if (typeof value !== 'string') throw invalidPermit(`${where} is ${describe(value)}, not text`);
  const stripped = strip(value);
  if (CONTROL.test(stripped)) throw invalidPermit(`${where} holds a control character`);
  const length = [...stripped].length; // characters are code points
  if (length < 1) throw invalidPermit(`${where} is empty`);
  if (length > max) throw invalidPermit(`${where} is longer than ${max} characters`);
  return stripped;
}
const code = (value, where, allowed) => {
  const c = text(value, where, IDENTIFIER);
  if (!allowed.includes(c)) throw invalidPermit(`${where} ${JSON.stringify(c)} is not one of ${allowed.join(' ')}`);
  return c;
};
const country = (value, where) => {
  const c = text(value, where, IDENTIFIER);
  if (!COUNTRIES.has(c)) throw invalidPermit(`${where} ${JSON.stringify(c)} is not an ISO 3166-1 alpha-2 code`);
  return c;
};
const date = (value, where) => { // exactly YYYY-MM-DD: no white space is ignored around a date
  if (typeof value !== 'string') throw invalidPermit(`${where} is ${describe(value)}, not text`);
  if (!isDate(value)) throw invalidPermit(`${where} ${JSON.stringify(value)} is not a date YYYY-MM-DD from 1900 to 2999`);
  return value;
};
const quantity = (value, where) => {
  const q = text(value, where, IDENTIFIER);
  if (!QUANTITY.test(q)) throw invalidPermit(`${where} ${JSON.stringify(q)} is not decimal text`);
  return q;
};
const optionalText = (map, key, where, check) => (map.has(key) ? check(map.get(key), `${where}.${key}`) : undefined);

function trader(value, where) {
  const map = permitMap(value, where, ['nm', 'c'], ['ad']);
  text(map.get('nm'), `${where}.nm`, FREE_TEXT);
  optionalText(map, 'ad', where, (v, w) => text(v, w, FREE_TEXT));
  return country(map.get('c'), `${where}.c`);
}

function reference(value, where) {
  const map = permitMap(value, where, ['c', 'n', 'd'], []);
  country(map.get('c'), `${where}.c`);
  text(map.get('n'), `${where}.n`, IDENTIFIER);
  date(map.get('d'), `${where}.d`);
}

function specimenLine(value, where) {
  const line = permitMap(value, where, ['sn', 'tc', 'a', 's', 'q', 'u'],
    ['cn', 'd', 'mk', 's2', 'sj', 'qt', 'o', 'lr', 'ac']);
  text(line.get('sn'), `${where}.sn`, FREE_TEXT);
  optionalText(line, 'cn', where, (v, w) => text(v, w, FREE_TEXT));
  optionalText(line, 'd', where, (v, w) => text(v, w, FREE_TEXT));
  if (line.has('mk')) {
    const marks = line.get('mk');
    if (!Array.isArray(marks) || marks.length < 1 || marks.length > 200) throw invalidPermit(`${where}.mk is not an array of 1-200 marks`);
    marks.forEach((mark, i) => {
      const m = permitMap(mark, `${where}.mk[${i}]`, ['k', 'id'], []);
      code(m.get('k'), `${where}.mk[${i}].k`, MARK_KINDS);
      text(m.get('id'), `${where}.mk[${i}].id`, IDENTIFIER);
    });
  }
  code(line.get('tc'), `${where}.tc`, [...TERMS]);
  code(line.get('a'), `${where}.a`, APPENDICES);
  code(line.get('s'), `${where}.s`, SOURCES);
  optionalText(line, 's2', where, (v, w) => code(v, w, SOURCES));
  optionalText(line, 'sj', where, (v, w) => text(v, w, FREE_TEXT));
  const q = quantity(line.get('q'), `${where}.q`);
  if (!/[1-9]/.test(q)) throw invalidPermit(`${where}.q is not greater than zero`);
  const unit = code(line.get('u'), `${where}.u`, UNITS);
  if (COUNTED_UNITS.includes(unit) && q.includes('.')) throw invalidPermit(`${where}.q is not a whole number of ${unit}`);
  if (line.has('qt')) {
    const quota = permitMap(line.get('qt'), `${where}.qt`, ['e', 'q'], []);
    quantity(quota.get('e'), `${where}.qt.e`);
    quantity(quota.get('q'), `${where}.qt.q`);
  }
  if (line.has('o')) reference(line.get('o'), `${where}.o`);
  if (line.has('lr')) reference(line.get('lr'), `${where}.lr`);
  optionalText(line, 'ac', where, (v, w) => text(v, w, IDENTIFIER));
}

// FORMAT.md 5 and 4.4: step 12 (schema). Returns the fields the later steps need.
function checkPermit(permit, claims) {
  const map = permitMap(permit, 'permit', ['v', 't', 'n', 'di', 'vu', 'im', 'ex', 'ma', 'p', 'it'],
    ['vf', 'ss', 'sc', 'rp', 'ip', 'pl', 'of', 'bl']);
  if (map.get('v') !== 1) throw invalidPermit(`permit.v is ${describe(map.get('v'))}, not the schema version 1`);
  const type = code(map.get('t'), 'permit.t', Object.keys(SCOPE_OF_TYPE));
  text(map.get('n'), 'permit.n', IDENTIFIER);
  const issued = date(map.get('di'), 'permit.di');
  const validFrom = optionalText(map, 'vf', 'permit', date);
  const validUntil = date(map.get('vu'), 'permit.vu');
  if (validUntil < issued) throw invalidPermit('permit.vu is before permit.di');
  if (validFrom !== undefined && validFrom < issued) throw invalidPermit('permit.vf is before permit.di');
  if (validFrom !== undefined && validUntil < validFrom) throw invalidPermit('permit.vu is before permit.vf');
  trader(map.get('im'), 'permit.im');
  trader(map.get('ex'), 'permit.ex');
  const party = trader(map.get('ma'), 'permit.ma');
  code(map.get('p'), 'permit.p', PURPOSES);
  optionalText(map, 'ss', 'permit', (v, w) => text(v, w, IDENTIFIER));
  optionalText(map, 'sc', 'permit', (v, w) => text(v, w, FREE_TEXT));
  if (map.has('rp')) {
    const replaces = permitMap(map.get('rp'), 'permit.rp', ['n', 'r'], []);
    text(replaces.get('n'), 'permit.rp.n', IDENTIFIER);
    text(replaces.get('r'), 'permit.rp.r', FREE_TEXT);
  }
  optionalText(map, 'ip', 'permit', (v, w) => text(v, w, IDENTIFIER));
  optionalText(map, 'pl', 'permit', (v, w) => text(v, w, FREE_TEXT));
  optionalText(map, 'of', 'permit', (v, w) => text(v, w, FREE_TEXT));
  optionalText(map, 'bl', 'permit', (v, w) => text(v, w, IDENTIFIER));
  const lines = map.get('it');
  if (!Array.isArray(lines) || lines.length < 1 || lines.length > 50) throw invalidPermit('permit.it is not an array of 1-50 lines');
  lines.forEach((line, i) => specimenLine(line, `permit.it[${i}]`));
  // The claims agree with the permit (FORMAT.md 4.4).
  if (claims.iss !== party) throw invalidPermit(`iss ${claims.iss} is not the permit's ma.c ${party}`);
  const expectedExp = midnight(validUntil) + 86400;
  if (claims.exp !== expectedExp) throw invalidPermit(`exp ${claims.exp} is not 00:00 UTC of the day after vu (${expectedExp})`);
  if (validFrom === undefined && claims.nbf !== undefined) throw invalidPermit('nbf is present but the permit has no vf');
  if (validFrom !== undefined && claims.nbf !== midnight(validFrom)) throw invalidPermit('nbf is not 00:00 UTC of vf');
  if (Math.abs(Math.floor(claims.iat / 86400) - dayNumber(issued)) > 1) throw invalidPermit('iat is not within 1 day of di');
  return { type, issued };
}

// ---------------------------------------------------------------------------------------- verification
function toJson(value) {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJson(v)]));
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (value instanceof CborFloat) return value.value;
  if (value instanceof CborTag) return { tag: value.tag, value: toJson(value.value) };
  if (value === UNDEFINED) return null;
  return value;
}

function claimTime(claims, key, name, required) {
  const value = claims.get(key);
  if (value === undefined) {
    if (required) throw malformed(`claims: no ${name}`);
    return undefined;
  }
  if (typeof value === 'bigint' && value > 0n) throw malformed(`claims: ${name} is after 3000-01-01`);
  if (typeof value !== 'number' || !Number.isInteger(value)) throw malformed(`claims: ${name} is ${describe(value)}, not an integer`);
  if (value < 0) throw malformed(`claims: ${name} is negative`);
  if (value > MAX_CLAIM_TIME) throw malformed(`claims: ${name} is after 3000-01-01`);
  return value;
}

export function verify(line, trust, now) {
  const result = { valid: false, status: null, check: null, reason: null, checks: [] };
  const pass = (id, reason) => result.checks.push({ id, ok: true, ...(reason ? { reason } : {}) });
  let failedDates = null;
  const step = (id, fn) => {
    try {
      return fn();
    } catch (error) {
      const failure = error instanceof Failure ? error : new Failure('MALFORMED', `${id}: ${error.message}`);
      result.checks.push({ id, ok: false, status: failure.status, reason: failure.message });
      throw Object.assign(failure, { step: id });
    }
  };
  try {
    const text = step('prefix', () => {
      if (line.length > MAX_INPUT_LINE) throw malformed(`input line longer than ${MAX_INPUT_LINE} characters`);
      const stripped = strip(line);
      if ([...stripped].length > MAX_QR_TEXT) throw malformed(`QR text longer than ${MAX_QR_TEXT} characters`);
      if (!stripped.startsWith('CP1:')) throw malformed('no CP1: prefix');
      return stripped.slice(4);
    });
    pass('prefix');
    const compressed = step('base45', () => base45Decode(text));
    pass('base45');
    const coseBytes = step('zlib', () => inflateStrict(compressed));
    pass('zlib');
    const cose = step('cose', () => parseCose(coseBytes));
    pass('cose');
    result.kid = cose.kid === null ? null : cose.kid.toString('hex');
    const alg = step('alg', () => {
      const name = ALGORITHMS.get(cose.alg);
      if (name === undefined) throw new Failure('UNSUPPORTED_ALGORITHM', `alg ${describe(cose.alg)} is not -7 (ES256) or -8 (EdDSA)`);
      return name;
    });
    result.alg = alg;
    pass('alg');
    const keys = step('trust', () => {
      if (trust.error) throw new Failure('TRUST_UNAVAILABLE', `the trust file cannot be used: ${trust.error}`);
      if (trust.expires !== null && now >= midnight(trust.expires) + 86400) {
        throw new Failure('TRUST_UNAVAILABLE', `trust list expired on ${trust.expires}`);
      }
      return trust.keys;
    });
    pass('trust');
    const withKid = step('kid', () => {
      if (result.kid === null) throw new Failure('UNKNOWN_KEY', 'the message names no key (no byte-string kid)');
      const found = keys.filter((k) => k.kid === result.kid);
      if (found.length === 0) throw new Failure('UNKNOWN_KEY', `no trusted key has the kid ${result.kid}`);
      return found;
    });
    pass('kid');
    const candidates = step('key', () => {
      const pinned = withKid.filter((k) => k.alg === alg);
      if (pinned.length === 0) throw new Failure('KEY_MISMATCH', `the key ${result.kid} is not pinned to ${alg}`);
      return pinned;
    });
    pass('key');
    const signer = step('signature', () => {
      const data = sigStructure(cose.protectedBytes, cose.payload);
      if (cose.signature.length !== 64) throw new Failure('BAD_SIGNATURE', `the signature has ${cose.signature.length} bytes, not 64`);
      for (const candidate of candidates) {
        let ok = false;
        try {
          ok = alg === 'ES256'
            ? crypto.verify('sha256', data, { key: candidate.key, dsaEncoding: 'ieee-p1363' }, cose.signature)
            : crypto.verify(null, data, candidate.key, cose.signature);
        } catch {
          ok = false;
        }
        if (ok) return candidate;
      }
      throw new Failure('BAD_SIGNATURE', 'the signature does not verify');
    });
    pass('signature');
    result.party = signer.party;
    const claims = step('claims', () => {
      const map = cborDecode(cose.payload, 'claims');
      if (!(map instanceof Map)) throw malformed('claims: the payload is not a CBOR map');
      const iss = map.get(1);
      if (typeof iss !== 'string') throw malformed(`claims: iss is ${describe(iss)}, not text`);
      const parsed = {
        iss,
        iat: claimTime(map, 6, 'iat', true),
        exp: claimTime(map, 4, 'exp', true),
        nbf: claimTime(map, 5, 'nbf', false),
      };
      if (!map.has(PERMIT_CLAIM)) throw malformed('claims: no permit (claim -65537)');
      if (parsed.nbf === undefined) delete parsed.nbf;
      return { parsed, permit: map.get(PERMIT_CLAIM) };
    });
    pass('claims');
    result.claims = claims.parsed;
    result.permit = toJson(claims.permit);
    step('issuer', () => {
      if (signer.party !== claims.parsed.iss) {
        throw new Failure('ISSUER_MISMATCH', `iss ${claims.parsed.iss} is not the key's Party ${signer.party}`);
      }
    });
    pass('issuer');
    const permit = step('schema', () => checkPermit(claims.permit, claims.parsed));
    pass('schema');
    try {
      step('dates', () => {
        const { iat, nbf, exp } = claims.parsed;
        if (iat > now + CLOCK_SKEW) throw new Failure('NOT_YET_VALID', 'issued in the future (iat)');
        if (nbf !== undefined && nbf > now + CLOCK_SKEW) throw new Failure('NOT_YET_VALID', 'not valid before nbf');
        if (now - CLOCK_SKEW >= exp) throw new Failure('EXPIRED', `expired at ${new Date(exp * 1000).toISOString()}`);
      });
      pass('dates');
    } catch (error) {
      failedDates = error; // FORMAT.md 7: the later steps still run and report
    }
    step('key_window', () => {
      if (signer.compromisedSince !== null) {
        throw new Failure('KEY_NOT_VALID', `the key was withdrawn as compromised since ${signer.compromisedSince}`);
      }
      if (signer.validFrom !== null && permit.issued < signer.validFrom) throw new Failure('KEY_NOT_VALID', `the key signs from ${signer.validFrom}`);
      if (signer.validTo !== null && permit.issued > signer.validTo) throw new Failure('KEY_NOT_VALID', `the key signs until ${signer.validTo}`);
    });
    pass('key_window');
    step('scope', () => {
      const scope = SCOPE_OF_TYPE[permit.type];
      if (!signer.scope.includes(scope)) throw new Failure('KEY_SCOPE', `the key may not sign ${scope} documents`);
    });
    pass('scope');
    if (failedDates) throw failedDates;
    result.valid = true;
    result.status = 'VALID';
  } catch (error) {
    const first = failedDates ?? error;
    result.status = first.status ?? 'MALFORMED';
    result.check = first.step ?? null;
    result.reason = first.message;
  }
  return result;
}

// --------------------------------------------------------------------------------------------- main
function parseNow(text) {
  if (/^[0-9]+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`--now ${text} is not a time`);
  return Math.floor(ms / 1000);
}

function main(argv) {
  let trustPath = null;
  let now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--now' && i + 1 < argv.length) now = parseNow(argv[++i]);
    else if (trustPath === null && !argv[i].startsWith('--')) trustPath = argv[i];
    else throw new Error(`unexpected argument ${argv[i]}`);
  }
  if (trustPath === null) throw new Error('usage: node verify_permit.mjs TRUST.json [--now TIME] < QR-TEXTS');
  let trust;
  try {
    trust = loadTrust(trustPath);
  } catch (error) {
    trust = { error: error.message, keys: [], expires: null };
  }
  // Lines are split as they arrive; a line over the limit is kept only to its limit and refused (FORMAT.md 8).
  let allValid = true;
  const emit = (line) => {
    let verdict;
    try {
      verdict = verify(line, trust, now);
    } catch (error) {
      verdict = { valid: false, status: 'MALFORMED', check: null, reason: `internal error: ${error.message}`, checks: [] };
    }
    allValid &&= verdict.valid;
    // ASCII only: no consumer can split a verdict at U+0085 or U+2028 (a line end to some readers).
    const json = JSON.stringify(verdict).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    process.stdout.write(`${json}\n`);
  };
  process.stdout.on('error', () => process.exit(process.exitCode ?? 1)); // a closed pipe: stop quietly
  let pending = '';
  let sawData = false;
  // Invalid bytes become U+FFFD, which Base45 refuses; a leading BOM is kept (it is not white space).
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  process.stdin.on('data', (chunk) => {
    sawData = true;
    const parts = (pending + decoder.decode(chunk, { stream: true })).split('\n');
    pending = parts.pop();
    for (const part of parts) emit(part);
    if (pending.length > MAX_INPUT_LINE) pending = pending.slice(0, MAX_INPUT_LINE + 1);
  });
  process.stdin.on('end', () => {
    pending += decoder.decode();
    if (pending.length > 0) emit(pending);
    process.exitCode = allValid && sawData ? 0 : 1; // no QR text at all verifies nothing
  });
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 2;
}
