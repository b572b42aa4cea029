/**
 * Progress of long work (train, evaluate, seed) on stderr: a bar redrawn in place on a terminal, one
 * line per step otherwise (logs and pipes keep every line and no carriage returns).
 */
export interface Progress {
  /** Drawn as a bar in place (stderr is a terminal). */
  readonly tty: boolean;
  /** `done` of `total` steps; `detail` says what the last step gave. */
  update(done: number, detail?: string): void;
  /** A message above the bar (or one more line). */
  log(line: string): void;
  /** Leaves the last bar on its own line. */
  finish(): void;
}

const WIDTH = 24;

export function createProgress(
  label: string,
  total: number,
  stream: { isTTY?: boolean; columns?: number; write(s: string): boolean } = process.stderr
): Progress {
  const text = (done: number, detail?: string) => `${label} ${done}/${total}${detail ? `  ${detail}` : ''}`;
  if (!stream.isTTY) {
    return {
      tty: false,
      update: (done, detail) => console.error(text(done, detail)),
      log: (line) => console.error(line),
      finish: () => undefined,
    };
  }
  let shown = '';
  const draw = (line: string) => {
    shown = line;
    stream.write(`\r\x1b[2K${line.slice(0, Math.max(20, (stream.columns ?? 100) - 1))}`);
  };
  return {
    tty: true,
    update(done, detail) {
      const filled = Math.round((WIDTH * Math.min(done, total)) / Math.max(total, 1));
      draw(`[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${text(done, detail)}`);
    },
    log(line) {
      stream.write(`\r\x1b[2K${line}\n`);
      if (shown) {
        draw(shown);
      }
    },
    finish() {
      if (shown) {
        stream.write('\n');
        shown = '';
      }
    },
  };
}
