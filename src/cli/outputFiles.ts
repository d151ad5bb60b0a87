// Where the CLI writes (--out): checked before any work is done, so that a run of an hour does not end in a
// stack trace, and written so that no path can hang the command. Missing folders on the way are made when
// the file is written (as the CLI always did), under a nearest existing folder that is writable and on a real
// file system (not /proc or /sys, whose files are kernel interfaces: a write there fails late or blocks); an
// existing target must be a regular file (or, for a folder, a folder). The write
// itself opens the file non-blocking, refuses anything that turned out not to be a regular file, and gives
// up after WRITE_TIMEOUT_MS with a message instead of waiting forever.
import * as fs from 'fs';
import * as path from 'path';
import { shown, UserError } from '../engine/errors';

/** How long one output file may take to write before the command gives up on it. */
export const WRITE_TIMEOUT_MS = 60_000;

/** statfs magic numbers of pseudo file systems (linux/magic.h): proc, sysfs, cgroup v1/v2, debugfs, securityfs, tracefs, configfs, bpf, pstore, efivarfs. */
const PSEUDO_FILE_SYSTEMS = new Set([0x9fa0, 0x62656572, 0x27e0eb, 0x63677270, 0x64626720, 0x73636673, 0x74726163, 0x62656570, 0xcafe4a11, 0x6165676c, 0xde5e81e4]);
/** The same by path, for systems without statfs types. */
const PSEUDO_ROOTS = ['/proc', '/sys'];

/**
 * Checks `--out` before the run: `kind` 'file' for one PNG, 'folder' for a folder of PNGs (created if it
 * does not exist, in an existing parent). Throws a UserError naming the path and what to do.
 */
export function checkOutput(out: string, kind: 'file' | 'folder'): void {
  const target = path.resolve(out);
  const refuse = (problem: string): never => {
    throw new UserError(`--out ${problem}`, target);
  };
  // The nearest folder on the way that exists: the missing ones below it are made when the file is written.
  let parent = path.dirname(target);
  let parentStat: fs.Stats | undefined;
  for (;;) {
    try {
      parentStat = fs.statSync(parent);
      break;
    } catch (e) {
      const up = path.dirname(parent);
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || up === parent) return refuse(`cannot be written: its folder ${shown(parent, 80)} cannot be reached (${writeProblem(e)})`);
      parent = up;
    }
  }
  if (!parentStat.isDirectory()) refuse(`cannot be written: ${shown(parent, 80)} is not a folder`);
  if (isPseudoFileSystem(parent)) refuse('is on a kernel interface file system (/proc, /sys), not a place for files; choose a path on a disk');
  try {
    fs.accessSync(parent, fs.constants.W_OK);
  } catch {
    refuse(`cannot be written: its folder ${shown(parent, 80)} is not writable (permission denied); choose another path`);
  }
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(target);
  } catch {
    return; // will be created
  }
  if (kind === 'file' && stat.isDirectory()) refuse('is a folder; give a file name ending in .png, or a folder for one PNG per heatmap');
  if (kind === 'folder' && !stat.isDirectory()) refuse('exists and is not a folder; give a folder (or a file name ending in .png for one heatmap)');
  if (kind === 'file' && !stat.isFile()) refuse('is not a regular file (a device, FIFO or socket); choose a file on a disk');
}

/**
 * Writes `bytes` to `file`: opened non-blocking, refused if it is not a regular file, and abandoned with a
 * UserError after WRITE_TIMEOUT_MS (a stuck network mount must not hang the command).
 */
export async function writeOutputFile(file: string, bytes: Uint8Array): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UserError(`could not be written within ${WRITE_TIMEOUT_MS / 1000} s; is its file system stuck? Choose another path`, file)), WRITE_TIMEOUT_MS);
    timer.unref();
  });
  try {
    await Promise.race([makeParent(file).then(() => write(file, bytes)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Makes the missing folders above `file` (checkOutput checked the nearest existing one). */
async function makeParent(file: string): Promise<void> {
  try {
    await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  } catch (e) {
    throw new UserError(`cannot be written: its folder cannot be made: ${writeProblem(e)}`, file);
  }
}

async function write(file: string, bytes: Uint8Array): Promise<void> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | (fs.constants.O_NONBLOCK ?? 0), 0o666);
  } catch (e) {
    throw new UserError(`cannot be written: ${writeProblem(e)}`, file);
  }
  try {
    if (!(await handle.stat()).isFile()) throw new UserError('is not a regular file (a device, FIFO or socket); choose a file on a disk', file);
    await handle.writeFile(bytes);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot be written: ${writeProblem(e)}`, file);
  } finally {
    await handle.close();
  }
}

/** Makes the folder `dir` (under an output folder that checkOutput accepted). */
export function makeOutputFolder(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserError(`cannot be made as an output folder: ${writeProblem(e)}`, dir);
  }
}

function isPseudoFileSystem(dir: string): boolean {
  let real = dir;
  try {
    real = fs.realpathSync(dir);
  } catch {
    // checked by the caller
  }
  if (PSEUDO_ROOTS.some((root) => real === root || real.startsWith(`${root}/`))) return true;
  try {
    return PSEUDO_FILE_SYSTEMS.has(Number(fs.statfsSync(real).type));
  } catch {
    return false;
  }
}

function writeProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'permission denied (or a read-only file system); choose another path';
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'the disk is full';
  if (code === 'EISDIR') return 'it is a folder; give a file name';
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'its folder does not exist; create it first';
  if (code === 'ENXIO' || code === 'EAGAIN') return 'it is not a regular file; choose a file on a disk';
  return shown((e as Error)?.message ?? String(e), 100);
}
