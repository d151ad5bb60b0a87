/**
 * A problem the user can act on: bad input file, unsupported layer, invalid method parameters.
 * Its message is one line that names the file (when there is one) and the problem; the CLI prints it
 * without a stack trace and the extension shows it in the panel.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof Error && e.name === 'UserError';
}
