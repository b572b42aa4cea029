/** Option parsing shared by generate and seed. */
import { UsageError, numberOption } from '../command';
import {
  DEFAULT_PATTERN_RATE_PER_WEEK,
  OUTAGE_KINDS,
  PATTERN_KINDS,
  type AnomalyKind,
  type GeneratorOptions,
} from '../../core/generator';
import { parseTime } from '../../core/io/csv';

export const outageOptions = {
  'outage-rate': {
    type: 'string',
    valueName: 'PER_WEEK',
    description: 'mean injected outages per week',
    default: '1.75',
  },
  'gap-rate': {
    type: 'string',
    valueName: 'PER_WEEK',
    description: 'mean monitoring gaps (no data) per week',
    default: '0.35',
  },
  'outage-mix': {
    type: 'string',
    valueName: 'KIND=W,...',
    description: `relative weights of outage kinds (${OUTAGE_KINDS.join(', ')}); unlisted kinds keep their default`,
  },
  'pattern-rate': {
    type: 'string',
    valueName: 'PER_WEEK',
    description: `mean pattern outages (${PATTERN_KINDS.join(', ')}) per week, placed in the gaps between the others`,
    default: String(DEFAULT_PATTERN_RATE_PER_WEEK),
  },
  'no-outages': { type: 'boolean', description: 'inject no outages (pattern outages included) and no gaps' },
} as const;

export function parseOutageOptions(values: Record<string, unknown>): Partial<GeneratorOptions> {
  if (values['no-outages']) {
    return { outageRatePerWeek: 0, gapRatePerWeek: 0, patternRatePerWeek: 0 };
  }
  const rate = numberOption(values, 'outage-rate', 1.75);
  const gap = numberOption(values, 'gap-rate', 0.35);
  const patterns = numberOption(values, 'pattern-rate', DEFAULT_PATTERN_RATE_PER_WEEK);
  if (rate < 0 || gap < 0 || patterns < 0) {
    throw new UsageError('--outage-rate, --gap-rate and --pattern-rate must not be negative');
  }
  const out: Partial<GeneratorOptions> = { outageRatePerWeek: rate, gapRatePerWeek: gap, patternRatePerWeek: patterns };
  const mix = values['outage-mix'];
  if (typeof mix === 'string' && mix !== '') {
    const parsed: Partial<Record<AnomalyKind, number>> = {};
    for (const part of mix.split(',')) {
      const [k, v] = part.split('=').map((x) => x.trim());
      if (!(OUTAGE_KINDS as readonly string[]).includes(k)) {
        throw new UsageError(`--outage-mix: unknown kind "${k}" (expected ${OUTAGE_KINDS.join(', ')})`);
      }
      const w = Number(v);
      if (v === undefined || v === '' || !Number.isFinite(w) || w < 0) {
        throw new UsageError(`--outage-mix: weight of ${k} must be a non-negative number, got "${v ?? ''}"`);
      }
      parsed[k as AnomalyKind] = w;
    }
    out.outageMix = parsed;
  }
  return out;
}

export function positiveNumber(values: Record<string, unknown>, name: string, fallback: number): number {
  const n = numberOption(values, name, fallback);
  if (!(n > 0)) {
    throw new UsageError(`--${name} must be greater than 0, got ${n}`);
  }
  return n;
}

export function positiveInteger(values: Record<string, unknown>, name: string, fallback: number): number {
  const n = numberOption(values, name, fallback);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`--${name} must be a positive integer, got ${n}`);
  }
  return n;
}

export function nonNegativeInteger(values: Record<string, unknown>, name: string, fallback: number): number {
  const n = numberOption(values, name, fallback);
  if (!Number.isInteger(n) || n < 0) {
    throw new UsageError(`--${name} must be a whole number >= 0, got ${n}`);
  }
  return n;
}

export function isoOption(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) {
    return undefined;
  }
  const ms = typeof v === 'string' ? parseTime(v) : null;
  if (ms === null) {
    throw new UsageError(`--${name} must be an ISO 8601 time such as 2024-01-01T00:00:00Z, got "${String(v)}"`);
  }
  return ms;
}

/** Days may be fractional (hours = days × 24, which must be whole). */
export function hoursFromDays(values: Record<string, unknown>, fallbackDays: number): number {
  const days = positiveNumber(values, 'days', fallbackDays);
  const hours = days * 24;
  if (!Number.isInteger(Math.round(hours * 1e6) / 1e6)) {
    throw new UsageError(`--days must be a whole number of hours, got ${days}`);
  }
  return Math.round(hours);
}
