// explain-image: the engine from the command line. Same workers, models and rendering as the extension.
// One module per command (explainCommand.ts, compareCommand.ts, evaluateCommand.ts, listCommands.ts);
// this file parses the command line, dispatches, and turns errors into exit codes: 2 for usage, 1 for
// anything else.
import { parseArgs } from 'util';
import { cutMiddle, isUserError, MAX_MESSAGE } from '../engine/errors';
import { compareCommand } from './compareCommand';
import { conceptsCommand } from './conceptsCommand';
import { evaluateCommand } from './evaluateCommand';
import { explainCommand } from './explainCommand';
import { methodsCommand, modelsCommand } from './listCommands';
import { CheckpointRefused } from './modelArgument';
import { OPTIONS, UsageError, type Options } from './options';
import { sprayCommand } from './sprayCommand';
import { USAGE } from './usage';

/** How long the process may linger after a failed command's message (pending file operations) before it exits. */
const EXIT_GRACE_MS = 5000;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const [command, ...files] = parsed.positionals;
  const opts = parsed.values as Options;
  if (opts.help || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  switch (command) {
    case 'explain':
      return explainCommand(files, opts);
    case 'compare':
      return compareCommand(argv, opts);
    case 'evaluate':
      return evaluateCommand(files, opts);
    case 'concepts':
      return conceptsCommand(files, opts);
    case 'spray':
      return sprayCommand(files, opts);
    case 'models':
      return modelsCommand(opts);
    case 'methods':
      return methodsCommand(opts);
    case undefined:
      throw new UsageError('no command given');
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`explain-image: ${cutMiddle(e.message.split('\n')[0], MAX_MESSAGE, 90)}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (isUserError(e)) {
      process.stderr.write(`explain-image: ${e.message}\n`);
      if (e instanceof CheckpointRefused) process.stderr.write(`\nExport it to ONNX with Python where the model trains (then --model the .onnx file):\n\n${e.snippet}`);
      process.exitCode = 1;
    } else {
      // A bug, not the user's mistake: one line here, the stack with EXPLAIN_IMAGE_DEBUG=1.
      const first = String((e as Error)?.message ?? e).split('\n')[0];
      process.stderr.write(`explain-image: internal error: ${cutMiddle(first, MAX_MESSAGE, 90)}\n`);
      if (process.env.EXPLAIN_IMAGE_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
      process.exitCode = 1;
    }
    // Whatever failed may have left a file operation pending (a write to a stuck file system): the command
    // ends anyway, soon after its message.
    setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  },
);
