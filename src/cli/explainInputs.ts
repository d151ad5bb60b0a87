// What `explain` explains: image files named on the command line, found in folders or by globs, and
// samples of a --dataset; and the name each gets in --out (unique, saying which image it is).
import * as fs from 'fs';
import * as path from 'path';
import fg from 'fast-glob';
import { datasetFormatOfName } from '../engine/data/datasetFile';
import { IMAGE_FILE_EXTENSIONS, compareCodePoints } from '../engine/data/folderListing';

export interface ImageFiles {
  /** Absolute paths, each once, in command-line order (a folder's or glob's files sorted). */
  files: string[];
  /** One line per argument that gave nothing to explain (missing file, empty folder, glob matching nothing). */
  problems: string[];
}

const IMAGE_GLOB = `**/*.{${IMAGE_FILE_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`;

/**
 * A file is taken as given (its content decides whether it is an image), unless its name says it is a
 * data set file (then the user meant --dataset); a folder gives its images, in
 * subfolders too, hidden ones left out; an argument that does not exist but has glob characters is
 * expanded (quoted globs reach us unexpanded: `explain 'data/**\/*.png'` avoids the shell's argument limit).
 */
export async function expandImageArgs(args: string[]): Promise<ImageFiles> {
  const files: string[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    const resolved = path.resolve(file);
    if (!seen.has(resolved)) {
      seen.add(resolved);
      files.push(resolved);
    }
  };
  for (const arg of args) {
    const stat = await fs.promises.stat(arg).catch(() => undefined);
    if (stat?.isDirectory()) {
      const found = await fg(IMAGE_GLOB, { cwd: arg, caseSensitiveMatch: false, dot: false, onlyFiles: true, followSymbolicLinks: true });
      if (found.length === 0) problems.push(`${arg}: no images in this folder (${IMAGE_FILE_EXTENSIONS.join(' ')})`);
      for (const f of found.sort(compareCodePoints)) add(path.join(arg, f));
    } else if (stat && datasetFormatOfName(arg)) {
      problems.push(`${arg}: a data set file, not an image; explain its samples with --dataset ${arg}`);
    } else if (stat) {
      add(arg);
    } else if (fg.isDynamicPattern(arg)) {
      const found = await fg(arg, { dot: false, onlyFiles: true, followSymbolicLinks: true });
      if (found.length === 0) problems.push(`${arg}: no files match`);
      for (const f of found.sort(compareCodePoints)) add(f);
    } else {
      problems.push(`${arg}: no such file`);
    }
  }
  return { files, problems };
}

/**
 * The name of each file's heatmaps in --out, without the method and ".png": its path relative to the
 * folder all the files share, without the extension, so a/cat/1.png and b/cat/1.png stay apart
 * (a/cat/1, b/cat/1) and files of one folder stay flat. Two files differing only by extension (1.png,
 * 1.jpg) keep it (1.png, 1.jpg).
 */
export function outputStems(files: string[]): string[] {
  if (files.length === 0) return [];
  const base = commonDirectory(files);
  const relative = files.map((f) => path.relative(base, f).split(path.sep).join('/'));
  const stems = relative.map((r) => r.replace(/\.[^./]+$/, ''));
  const uses = new Map<string, number>();
  for (const s of stems) uses.set(s, (uses.get(s) ?? 0) + 1);
  return stems.map((s, i) => (uses.get(s)! > 1 ? relative[i] : s));
}

function commonDirectory(files: string[]): string {
  let common = path.dirname(files[0]).split(path.sep);
  for (const f of files) {
    const parts = path.dirname(f).split(path.sep);
    let k = 0;
    while (k < common.length && k < parts.length && common[k] === parts[k]) k++;
    common = common.slice(0, k);
  }
  return common.join(path.sep) || path.sep;
}

/** The stem of sample `index` of a data set: its file or folder name, and the index padded to the count's digits. */
export function sampleStem(datasetPath: string, index: number, count: number): string {
  const base = path.basename(datasetPath).replace(/\.gz$/i, '').replace(/\.(npy|npz|csv|bin)$/i, '');
  return `${base}-${String(index).padStart(String(Math.max(0, count - 1)).length, '0')}`;
}

/** A method spec as a file-name part: lrp-ab:alpha=3,beta=2 → lrp-ab_alpha=3_beta=2. */
export function methodSlug(method: string): string {
  return method.replace(/[^\w.=-]+/g, '_');
}
