/** A failed request or thrown error as one short line: Grafana's HTTP errors carry status and data.message. */
export function errorMessage(err: unknown): string {
  const e = err as { status?: number; data?: { message?: string }; message?: string };
  if (e?.status) {
    return `HTTP ${e.status}${e.data?.message ? ` ${e.data.message}` : ''}`;
  }
  return e?.message ?? String(err);
}
