/** Durations as operators write them on the command line: 90s, 10m, 1h, 7d (a bare number is seconds). */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export class DurationError extends Error {}

export function parseDuration(text: string, what = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(text);
  if (!m) {
    throw new DurationError(`${what} must be a number with a unit (ms, s, m, h, d, w), e.g. 10m or 7d; got "${text}"`);
  }
  const ms = Number(m[1]) * UNITS[m[2] ?? 's'];
  if (!Number.isFinite(ms)) {
    throw new DurationError(`${what} is too large: "${text}"`);
  }
  return Math.round(ms);
}
