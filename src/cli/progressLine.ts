// A progress line on stderr for long CLI runs, rewritten in place; silent when stderr is not a terminal
// (a log file or a test should not fill with carriage returns).
export interface ProgressLine {
  update(done: number, total: number): void;
  done(): void;
}

export function progressLine(verb: string, unit: string, stream: NodeJS.WriteStream = process.stderr): ProgressLine {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let shown = false;
  return {
    update: (done, total) => {
      shown = true;
      stream.write(`\r${verb} ${done}/${total} ${unit}${done === total ? '' : ' …'}   `);
    },
    done: () => {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
