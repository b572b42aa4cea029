import {
  base64ToBytes,
  bytesToBase64,
  decodeFloat16Base64,
  encodeFloat16Base64,
  fromFloat16Bits,
  toFloat16Bits,
} from './float16';

describe('float16', () => {
  it('rounds to the nearest half-precision value', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(fromFloat16Bits(toFloat16Bits(0.1))).toBeCloseTo(0.1, 3);
    expect(fromFloat16Bits(toFloat16Bits(1e-6))).toBeCloseTo(1e-6, 7); // subnormal
    expect(fromFloat16Bits(toFloat16Bits(0))).toBe(0);
    for (let x = -4; x <= 4; x += 0.013) {
      const back = fromFloat16Bits(toFloat16Bits(x));
      expect(Math.abs(back - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11 + 1e-7);
    }
  });

  it('round-trips through base64', () => {
    const bytes = Uint8Array.from([0, 1, 2, 250, 255, 7, 9]);
    for (let n = 0; n <= bytes.length; n++) {
      const b = bytes.slice(0, n);
      expect(Array.from(base64ToBytes(bytesToBase64(b)))).toEqual(Array.from(b));
      expect(bytesToBase64(b)).toBe(Buffer.from(b).toString('base64'));
    }
    const xs = Float32Array.from([0.5, -1.25, 3, 0]);
    expect(Array.from(decodeFloat16Base64(encodeFloat16Base64(xs)))).toEqual(Array.from(xs));
  });
});
