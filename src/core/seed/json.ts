/** Narrowing for parsed JSON: a plain object whose fields can be read. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
