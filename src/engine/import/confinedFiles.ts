// How every model front end reads files: the model file the user chose, and the files it names (ONNX external
// data, tfjs weight shards) or that sit beside it (cards, labels.txt). A model file is input from a stranger:
// - a file it names must resolve, after following symlinks (fs.realpath), inside the model file's folder
//   (realpath'd too), as ONNX's own checker requires of external data: URLs, absolute paths, `..` escapes and
//   links that leave the folder are refused before anything is opened;
// - only regular files are read: a FIFO, a device (/dev/zero) or a folder is refused by its stat before it is
//   opened, and the file is opened non-blocking and checked again with fstat (so a file swapped for a FIFO
//   in between cannot hang the reader);
// - its size is checked against a budget (budgets.ts) before its bytes are allocated.
// Every refusal is one UserError line naming the model file, what was being read and where.
import * as fs from 'fs';
import * as path from 'path';
import { checkBudget, type BudgetName } from '../budgets';
import { cutMiddle, shown, UserError } from '../errors';
import { READ_CHUNK, reportBytesRead } from '../jobs/loadProgress';

/** What a refused file is called in a message: `initializer "w" is stored in the external data file "x"`. */
export interface FileRole {
  /** The file named in the error (the model file, or the card for a card's own problems). */
  errorFile: string;
  /** How the message refers to the file read, before its problem: `weight shard "group1-shard1of1.bin"`. */
  what: string;
}

/** The whole of a regular file the user chose (a model file), at most `budget` bytes. */
export function readRegularFile(file: string, budget: BudgetName, role: FileRole): Buffer {
  return readWhole(openRegular(file, role), budget, role);
}

/**
 * A file named by a model, by `location` relative to the folder of `modelFile`: its real path, after
 * refusing URLs, absolute paths and anything whose real path (symlinks followed) leaves that folder.
 */
export function resolveInsideFolder(modelFile: string, location: string, role: FileRole): string {
  const refuse = (problem: string): never => {
    throw new UserError(`${role.what} ${problem}`, role.errorFile);
  };
  if (typeof location !== 'string' || location === '') refuse('names no file');
  if (location.includes('\u0000')) refuse('has a NUL character in its name; the file is damaged');
  if (/^[a-z][a-z0-9+.-]*:/i.test(location)) refuse('is a URL; only files in the model\'s folder are read');
  if (path.isAbsolute(location) || path.win32.isAbsolute(location)) refuse('is an absolute path; only files in the model\'s folder are read');
  const folder = realFolderOf(modelFile, role);
  const lexical = path.resolve(folder, location);
  if (!isInside(folder, lexical)) refuse('leaves the model\'s folder; move the file into it');
  let real: string;
  try {
    real = fs.realpathSync(lexical);
  } catch (e) {
    return refuse(`cannot be read: ${fsProblem(e)}`);
  }
  // The end of the link's target (its file name) says most: the middle of a long path is cut.
  if (!isInside(folder, real)) refuse(`links outside the model's folder (to ${JSON.stringify(cutMiddle(real, 40, 24))}); copy the file into it`);
  return real;
}

/**
 * The whole of a file named by a model (see resolveInsideFolder), within `budget` together with the
 * `alreadyRead` bytes of the model's other files.
 */
export function readInsideFolder(modelFile: string, location: string, budget: BudgetName, role: FileRole, alreadyRead = 0): Buffer {
  return readWhole(openRegular(resolveInsideFolder(modelFile, location, role), role), budget, role, alreadyRead);
}

/** An open regular file: its descriptor and size. The caller closes it. */
export interface OpenedFile {
  fd: number;
  size: number;
  path: string;
}

/** Opens a file named by a model for reading at offsets (ONNX external data); the caller closes it. */
export function openInsideFolder(modelFile: string, location: string, role: FileRole): OpenedFile {
  return openRegular(resolveInsideFolder(modelFile, location, role), role);
}

/**
 * Opens `file` if it is a regular file: refused by stat before opening when it is not (a FIFO would block
 * the open, a device read forever), opened non-blocking, and checked again by fstat.
 */
export function openRegular(file: string, role: FileRole): OpenedFile {
  const refuse = (problem: string): never => {
    throw new UserError(`${role.what} ${problem}`, role.errorFile);
  };
  let before: fs.Stats;
  try {
    before = fs.statSync(file);
  } catch (e) {
    return refuse(`cannot be read: ${fsProblem(e)}`);
  }
  if (!before.isFile()) refuse(notRegular(before));
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return refuse(`cannot be read: ${fsProblem(e)}`);
  }
  const after = fs.fstatSync(fd);
  if (!after.isFile() || after.ino !== before.ino || after.dev !== before.dev) {
    fs.closeSync(fd);
    refuse(after.isFile() ? 'changed while it was being opened; try again' : notRegular(after));
  }
  return { fd, size: after.size, path: file };
}

/** Reads an opened file whole (closing it), after checking its size (+ `alreadyRead`) against `budget`. */
export function readWhole(opened: OpenedFile, budget: BudgetName, role: FileRole, alreadyRead = 0): Buffer {
  try {
    checkBudget(budget, alreadyRead + opened.size, alreadyRead ? `${role.what} with the files read before it` : role.what, role.errorFile);
    return readExactly(opened, 0, opened.size, role);
  } finally {
    fs.closeSync(opened.fd);
  }
}

/**
 * `length` bytes of an opened file from `offset`; a file that turns out shorter is refused as truncated.
 * Read in chunks, each reported to a panel waiting for the load (jobs/loadProgress.ts).
 */
export function readExactly(opened: OpenedFile, offset: number, length: number, role: FileRole): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const n = fs.readSync(opened.fd, bytes, read, Math.min(READ_CHUNK, length - read), offset + read);
    if (n === 0) throw new UserError(`${role.what} ended after ${offset + read} bytes while it was read; it is truncated or was changed meanwhile`, role.errorFile);
    read += n;
    reportBytesRead(opened.path, n, opened.size);
  }
  return bytes;
}

/** The model file's folder with symlinks resolved: what the files it names must lie in. */
function realFolderOf(modelFile: string, role: FileRole): string {
  try {
    return fs.realpathSync(path.dirname(path.resolve(modelFile)));
  } catch (e) {
    throw new UserError(`${role.what} cannot be read: the model's folder ${fsProblem(e)}`, role.errorFile);
  }
}

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative);
}

function notRegular(stat: fs.Stats): string {
  const kind = stat.isDirectory()
    ? 'a folder'
    : stat.isFIFO()
      ? 'a FIFO (named pipe)'
      : stat.isCharacterDevice() || stat.isBlockDevice()
        ? 'a device'
        : stat.isSocket()
          ? 'a socket'
          : 'not a regular file';
  return `is ${kind}, not a regular file; only regular files are read`;
}

/** An fs error as a few words: "file not found", "permission denied". */
export function fsProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'ENOTDIR') return 'a part of its path is not a folder';
  if (code === 'EISDIR') return 'is a folder, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'its symbolic links loop';
  if (code === 'ENAMETOOLONG') return 'its name is too long';
  return shown((e as Error)?.message ?? String(e), 80);
}

