/** IEEE 754 half-precision packing and base64, without Node's Buffer so the browser can load models too. */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Nearest float16 (round half to even) as its 16-bit pattern. */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) {
    return sign | 0x7c00 | (mant ? 0x200 : 0);
  }
  const e = exp - 127 + 15;
  if (e >= 0x1f) {
    return sign | 0x7c00;
  }
  if (e <= 0) {
    if (e < -10) {
      return sign;
    }
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && m & 1)) {
      m++;
    }
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  let out = sign | (e << 10) | m;
  if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
    out++; // may carry into the exponent, which is still the right rounding
  }
  return out;
}

export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) {
    return sign * mant * 2 ** -24;
  }
  if (exp === 0x1f) {
    return mant ? NaN : sign * Infinity;
  }
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Rounds every value to the nearest float16 (what a model stored as float16 will compute with). */
export function roundToFloat16(values: Float32Array): Float32Array {
  return values.map((v) => fromFloat16Bits(toFloat16Bits(v)));
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) {
  LOOKUP[ALPHABET.charCodeAt(i)] = i;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >>> 18) & 63] + ALPHABET[(n >>> 12) & 63];
    out += i + 1 < bytes.length ? ALPHABET[(n >>> 6) & 63] : '=';
    out += i + 2 < bytes.length ? ALPHABET[n & 63] : '=';
  }
  return out;
}

export function base64ToBytes(text: string): Uint8Array {
  const s = text.replace(/=+$/, '');
  if (/[^A-Za-z0-9+/]/.test(s) || s.length % 4 === 1) {
    throw new Error('weights are not valid base64');
  }
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const n =
      (LOOKUP[s.charCodeAt(i)] << 18) |
      (LOOKUP[s.charCodeAt(i + 1)] << 12) |
      ((i + 2 < s.length ? LOOKUP[s.charCodeAt(i + 2)] : 0) << 6) |
      (i + 3 < s.length ? LOOKUP[s.charCodeAt(i + 3)] : 0);
    out[o++] = (n >>> 16) & 255;
    if (i + 2 < s.length) {
      out[o++] = (n >>> 8) & 255;
    }
    if (i + 3 < s.length) {
      out[o++] = n & 255;
    }
  }
  return out;
}

/** Little-endian float16 bytes as base64. */
export function encodeFloat16Base64(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const h = toFloat16Bits(values[i]);
    bytes[2 * i] = h & 255;
    bytes[2 * i + 1] = h >>> 8;
  }
  return bytesToBase64(bytes);
}

export function decodeFloat16Base64(text: string): Float32Array {
  const bytes = base64ToBytes(text);
  if (bytes.length % 2 !== 0) {
    throw new Error(`weights hold ${bytes.length} bytes, not a whole number of float16 values`);
  }
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = fromFloat16Bits(bytes[2 * i] | (bytes[2 * i + 1] << 8));
  }
  return out;
}
