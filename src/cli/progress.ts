/**
 * A progress bar on stderr for long CLI work. On a terminal it redraws one line; elsewhere
 * (CI logs, pipes) it prints a line every 10% so logs stay short.
 */
export interface Progress {
  tick(done: number): void;
  finish(): void;
}

export function createProgress(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  const started = Date.now();
  let lastDraw = 0;
  let lastDecile = -1;
  const tty = stream.isTTY === true;
  const draw = (done: number, final = false) => {
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    if (tty) {
      const width = 30;
      const filled = Math.round(ratio * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      stream.write(`\r${label} ${bar} ${(ratio * 100).toFixed(0).padStart(3)}% ${done}/${total} ${rate}/s`);
      if (final) stream.write('\n');
      return;
    }
    const decile = Math.floor(ratio * 10);
    if (decile > lastDecile || final) {
      lastDecile = decile;
      stream.write(`${label} ${(ratio * 100).toFixed(0)}% ${done}/${total}\n`);
    }
  };
  return {
    tick(done) {
      const now = Date.now();
      if (now - lastDraw < 100 && done < total) return;
      lastDraw = now;
      draw(done);
    },
    finish() {
      draw(total, true);
    },
  };
}
