// What a worker answers when a job throws: cancelled (it saw the pool's flag), a fault of its WebAssembly
// instance (the pool then replaces the worker: after an out-of-bounds access or an abort every later call
// of that instance fails the same way, issue 20), a user's problem (one line naming the file), or a bug
// (its stack, for the log).
import { isUserError } from '../errors';
import { checkpoints, isJobCancelled } from '../jobs/cancellation';
import type { EngineJob } from '../../protocol/engineJobs';
import type { FromWorker } from '../../protocol/workerMessages';

/**
 * How Emscripten and V8 say that a wasm instance broke: a trap (out-of-bounds access, unreachable), an
 * abort ("Aborted(…)", also every call after one), or memory that cannot grow. A JS RangeError about
 * array sizes is not one: the instance is intact.
 */
const FAULT_MESSAGE = /memory access out of bounds|^Aborted\(|unreachable|out of memory|Cannot enlarge memory|Memory\.grow|could not allocate memory/i;

/** The fault's one-line description ("RuntimeError: memory access out of bounds"), or undefined. */
export function wasmFault(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const firstLine = e.message.split('\n')[0].slice(0, 120);
  if (e instanceof WebAssembly.RuntimeError || FAULT_MESSAGE.test(e.message)) return `${e.name}: ${firstLine}`;
  return undefined;
}

export function failureReply(e: unknown, job: EngineJob, inReplyTo: number): FromWorker {
  if (isJobCancelled(e)) return { type: 'cancelled', inReplyTo, checkpoints: checkpoints() };
  const fault = wasmFault(e);
  if (fault) {
    const model = 'model' in job ? `${job.model.path}: ` : '';
    const message = `${model}the engine's WebAssembly instance faulted running this ${job.type} job (${fault}); the model may be too large or damaged. That worker was replaced: other models keep working.`;
    return { type: 'failed', inReplyTo, message, userError: true, fault: true };
  }
  const err = e as Error;
  return { type: 'failed', inReplyTo, message: isUserError(err) ? err.message : String(err?.stack ?? err), userError: isUserError(err) };
}
