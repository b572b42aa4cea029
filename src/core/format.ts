/** A share as a percentage with one decimal; '–' when there is no number to show (missing, NaN, infinite). */
export function formatPercent(v: number | null | undefined): string {
  return v === undefined || v === null || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(1)}%`;
}
