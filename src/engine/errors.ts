/**
 * A problem the user can act on: bad input file, unsupported layer, invalid method parameters.
 * Its message is one line that names the file (when there is one) and the problem; the CLI prints it
 * without a stack trace and the extension shows it in the panel. Names read from a damaged file (an
 * ONNX node name, a zip entry) can hold any bytes: control characters are written as \xNN here, so the
 * message stays one line whichever reader quoted them.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(oneLine(file ? `${file}: ${message}` : message));
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof Error && e.name === 'UserError';
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
