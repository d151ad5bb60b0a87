// Which image files a folder holds, in the order torchvision's ImageFolder gives them, so that sample i
// and class k here are sample i and class k in the user's PyTorch code:
//   classes  = sorted(d.name for d in os.scandir(root) if d.is_dir())
//   samples  = for each class, for dirpath, _, files in sorted(os.walk(class_dir, followlinks=True)):
//                for f in sorted(files): if f.lower().endswith(extensions): (path, class_index)
// Python sorts strings by code point; so does compareCodePoints. Two differences, both said in a note:
// class folders holding no image are left out (torchvision refuses to run on them), and image types we
// cannot decode (.tif, .ppm, .pgm) are not listed.
import * as fs from 'fs';
import * as nodePath from 'path';

/** The image files we can decode, by extension (lower case). */
export const IMAGE_FILE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.bmp', '.gif', '.webp'];
/** What torchvision's ImageFolder also lists, but we cannot decode. */
const FOREIGN_IMAGE_EXTENSIONS = ['.ppm', '.pgm', '.tif', '.tiff'];

export function isImageFileName(name: string): boolean {
  return IMAGE_FILE_EXTENSIONS.includes(nodePath.extname(name).toLowerCase());
}

export interface FolderListing {
  /** Class folder names, in class-index order; empty for a flat folder of images. */
  classes: string[];
  /** Absolute paths, in sample order. */
  files: string[];
  /** Class index of each file (all 0 and meaningless for a flat folder). */
  classOf: Uint16Array;
  /** Class folders without a single image, left out of `classes`. */
  emptyClasses: string[];
  /** Images directly in a folder that has class folders: not samples (torchvision ignores them too). */
  looseImages: number;
  /** Files of image types we cannot decode, not listed. */
  foreignImages: number;
}

/**
 * Lists `root`: its class folders and their images (recursively), or, when it has no class folder with
 * an image in it, the images directly inside it (a flat folder: samples without labels).
 */
export async function listImageFolder(root: string): Promise<FolderListing> {
  const entries = await readDirSorted(root);
  const foreign = { count: 0 };
  const classes: string[] = [];
  const emptyClasses: string[] = [];
  const files: string[] = [];
  const classIndex: number[] = [];
  for (const entry of entries) {
    if (!(await isDirectory(root, entry))) continue;
    const found = await walkImages(nodePath.join(root, entry.name), foreign);
    if (found.length === 0) {
      emptyClasses.push(entry.name);
      continue;
    }
    for (const f of found) {
      files.push(f);
      classIndex.push(classes.length);
    }
    classes.push(entry.name);
  }
  const loose: string[] = [];
  for (const entry of entries) {
    if (await isDirectory(root, entry)) continue;
    if (isImageFileName(entry.name)) loose.push(nodePath.join(root, entry.name));
    else if (classes.length === 0 && isForeign(entry.name)) foreign.count++;
  }
  if (classes.length === 0) {
    return { classes: [], files: loose, classOf: new Uint16Array(loose.length), emptyClasses, looseImages: 0, foreignImages: foreign.count };
  }
  return { classes, files, classOf: Uint16Array.from(classIndex), emptyClasses, looseImages: loose.length, foreignImages: foreign.count };
}

/** Every image under `dir`, in sorted(os.walk(dir, followlinks=True)) order; symlink loops are walked once. */
async function walkImages(dir: string, foreign: { count: number }): Promise<string[]> {
  // Directories keyed as os.walk's dirpath minus the common prefix: '' for dir itself, '/a', '/a/b', ...
  const dirs: Array<{ key: string; path: string; files: string[] }> = [];
  const seen = new Set<string>();
  const visit = async (path: string, key: string) => {
    const real = await fs.promises.realpath(path).catch(() => path);
    if (seen.has(real)) return;
    seen.add(real);
    const entries = await readDirSorted(path);
    const images: string[] = [];
    for (const entry of entries) {
      if (await isDirectory(path, entry)) await visit(nodePath.join(path, entry.name), `${key}/${entry.name}`);
      else if (isImageFileName(entry.name)) images.push(nodePath.join(path, entry.name));
      else if (isForeign(entry.name)) foreign.count++;
    }
    dirs.push({ key, path, files: images });
  };
  await visit(dir, '');
  dirs.sort((a, b) => compareCodePoints(a.key, b.key));
  return dirs.flatMap((d) => d.files);
}

function isForeign(name: string): boolean {
  return FOREIGN_IMAGE_EXTENSIONS.includes(nodePath.extname(name).toLowerCase());
}

/** Entries sorted by name as Python sorts strings; an unreadable folder (permissions) counts as empty. */
async function readDirSorted(dir: string): Promise<fs.Dirent[]> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => [] as fs.Dirent[]);
  return entries.sort((a, b) => compareCodePoints(a.name, b.name));
}

/** Like os.DirEntry.is_dir(): symlinks count as what they point to. */
async function isDirectory(parent: string, entry: fs.Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  return (await fs.promises.stat(nodePath.join(parent, entry.name)).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * Code point order (Python's str order). JavaScript's `<` compares UTF-16 code units, which puts
 * characters above U+FFFF (stored as surrogates 0xD800–0xDFFF) before U+E000–U+FFFF; shifting those two
 * ranges past each other restores code point order.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x += x <= 0xdfff ? 0x2000 : -0x800;
    if (y >= 0xd800) y += y <= 0xdfff ? 0x2000 : -0x800;
    return x - y;
  }
  return a.length - b.length;
}
