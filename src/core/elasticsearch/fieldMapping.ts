/** Checks of `GET <pattern>/_mapping/field/<field>` answers, so misconfigured indices get a plain message. */

export type ExpectedFieldType = 'keyword' | 'date';

interface FieldMappingResponse {
  [index: string]: { mappings?: Record<string, { mapping?: Record<string, { type?: string }> }> };
}

/**
 * Returns null when every index matched maps `field` as `expected`, otherwise what is wrong (first
 * offending index named). A term query on a text field silently matches nothing, hence this check.
 */
export function fieldMappingProblem(response: unknown, field: string, expected: ExpectedFieldType): string | null {
  const indices = Object.entries((response ?? {}) as FieldMappingResponse);
  if (indices.length === 0) {
    return 'the index pattern matches no index';
  }
  const leaf = field.split('.').pop() as string;
  const byType = new Map<string, string[]>();
  for (const [index, body] of indices) {
    const type = body.mappings?.[field]?.mapping?.[leaf]?.type ?? 'unmapped';
    byType.set(type, [...(byType.get(type) ?? []), index]);
  }
  const ok = (t: string) => t === expected || (expected === 'date' && t === 'date_nanos');
  const wrong = [...byType.entries()].filter(([t]) => !ok(t));
  if (wrong.length === 0) {
    return null;
  }
  const [type, names] = wrong[0];
  const where = `${names[0]}${names.length > 1 ? ` and ${names.length - 1} more` : ''}`;
  if (type === 'unmapped') {
    return `field "${field}" does not exist in ${where}`;
  }
  const hint = type === 'text' ? ` (use a keyword field, e.g. "${field}.keyword")` : '';
  return `field "${field}" is mapped as ${type}, not ${expected}, in ${where}${hint}`;
}
