// A folder of image files as a Dataset: <root>/<class>/*.png … with the class folders as labels (in
// torchvision ImageFolder's order, see folderListing.ts), or a flat folder of images without labels.
// Opening lists the files and decodes a few (for the size and whether the images are grey); a sample is
// decoded when it is read. All samples get one size: the first image's, or the one asked for; a file
// that cannot be decoded reads as black and is named in `unreadable`, the others stay usable.
import { isUserError, UserError } from '../errors';
import { readImageFile, type RgbaImage } from '../image/decode';
import { grayPlane, rgbPlanes } from '../image/planes';
import { resizePlane } from '../image/resize';
import type { Dataset } from './datasetFile';
import { listImageFolder } from './folderListing';
import { checkSampleRange, scaleSampleIndices, type Channels } from './pixels';

/** Labels are bytes; a folder of more classes than that is refused rather than mislabelled. */
const MAX_CLASSES = 256;
/** Images tried at open for the first readable one (its size is the data set's). */
const MAX_FIRST_TRIES = 32;
/** Images decoded at open, spread over the folder, to decide grey or colour. */
const CHANNEL_SAMPLES = 8;
/** Class folder names a note lists before "…". */
const NAMES_IN_NOTE = 5;

const EXPECTED_LAYOUT = 'expected <folder>/<class>/<image> or images directly in the folder (.png .jpg .jpeg .bmp .gif .webp)';

export async function openImageFolder(root: string, size?: { width: number; height: number }): Promise<Dataset> {
  const listing = await listImageFolder(root);
  const { files, classes } = listing;
  const count = files.length;
  if (count === 0) {
    const empty = listing.emptyClasses.length ? ` (its ${listing.emptyClasses.length} subfolders hold none either)` : '';
    throw new UserError(`no images found${empty}; ${EXPECTED_LAYOUT}`, root);
  }
  if (classes.length > MAX_CLASSES) throw new UserError(`has ${classes.length} class folders; at most ${MAX_CLASSES} classes are supported`, root);

  const notes = listingNotes(root, listing);
  const unreadable = new Map<number, string>();
  const tryDecode = async (i: number): Promise<RgbaImage | undefined> => {
    try {
      return await readImageFile(files[i]);
    } catch (e) {
      if (!isUserError(e)) throw e;
      unreadable.set(i, e.message);
      return undefined;
    }
  };

  let first: RgbaImage | undefined;
  for (let i = 0; i < Math.min(count, MAX_FIRST_TRIES) && !first; i++) first = await tryDecode(i);
  if (!first) {
    const tried = Math.min(count, MAX_FIRST_TRIES);
    throw new UserError(`none of the first ${tried} images can be read (the first: ${unreadable.get(0)})`, root);
  }
  const height = size?.height ?? first.height;
  const width = size?.width ?? first.width;
  const channels = await sampleChannels(first, count, tryDecode);
  const sizeNote = size ? 'the size asked for' : "the first image's size";

  let saidResized = false;
  let saidColour = false;
  const toSample = (img: RgbaImage, file: string): Uint8Array => {
    if ((img.width !== width || img.height !== height) && !saidResized) {
      saidResized = true;
      notes.push(`${root}: images differ in size; each is resized to ${width}×${height} (${sizeNote}), e.g. ${file} is ${img.width}×${img.height}`);
    }
    if (channels === 1 && !isGrey(img) && !saidColour) {
      saidColour = true;
      notes.push(`${root}: some images are in colour, the ones sampled at open were grey: read as grey, e.g. ${file}`);
    }
    return samplePixels(img, width, height, channels);
  };

  const sampleSize = width * height * channels;
  return {
    path: root,
    format: 'folder',
    count,
    height,
    width,
    channels,
    labels: classes.length ? Uint8Array.from(listing.classOf) : null,
    labelSource: classes.length ? 'class folders' : undefined,
    labelNames: classes.length ? classes : undefined,
    valueScale: 255,
    notes,
    unreadable,
    sampleFile: (index) => files[index],
    async read(start, n) {
      checkSampleRange(start, n, count);
      const out = new Uint8Array(n * sampleSize);
      for (let k = 0; k < n; k++) {
        const img = await tryDecode(start + k);
        if (img) out.set(toSample(img, files[start + k]), k * sampleSize);
      }
      return out;
    },
    close: async () => {},
  };
}

function listingNotes(root: string, listing: Awaited<ReturnType<typeof listImageFolder>>): string[] {
  const notes: string[] = [];
  const { emptyClasses, looseImages, foreignImages } = listing;
  if (emptyClasses.length && listing.classes.length) {
    const names = emptyClasses.slice(0, NAMES_IN_NOTE).join(', ') + (emptyClasses.length > NAMES_IN_NOTE ? ', …' : '');
    notes.push(`${root}: ${emptyClasses.length} subfolder${emptyClasses.length > 1 ? 's' : ''} without images ${emptyClasses.length > 1 ? 'are' : 'is'} not a class: ${names}`);
  }
  if (looseImages) notes.push(`${root}: ${looseImages} image${looseImages > 1 ? 's' : ''} directly in the folder, outside the class folders, not included`);
  if (foreignImages) notes.push(`${root}: ${foreignImages} .tif/.ppm/.pgm image${foreignImages > 1 ? 's are' : ' is'} not included (formats read: .png .jpg .jpeg .bmp .gif .webp)`);
  return notes;
}

/**
 * Grey (1 channel) when every image sampled has R = G = B everywhere, colour (3) otherwise. A few images
 * spread over the folder, not only the first: a colour data set may well start with a grey picture.
 */
async function sampleChannels(first: RgbaImage, count: number, decode: (i: number) => Promise<RgbaImage | undefined>): Promise<Channels> {
  if (!isGrey(first)) return 3;
  for (const i of scaleSampleIndices(count, CHANNEL_SAMPLES).slice(1)) {
    const img = await decode(i);
    if (img && !isGrey(img)) return 3;
  }
  return 1;
}

function isGrey(img: RgbaImage): boolean {
  const d = img.data;
  for (let i = 0; i < d.length; i += 4) if (d[i] !== d[i + 1] || d[i] !== d[i + 2]) return false;
  return true;
}

/** An image as one sample: resized to width × height (area average down, bilinear up), grey or RGB, HWC. */
function samplePixels(img: RgbaImage, width: number, height: number, channels: Channels): Uint8Array {
  const planes = (channels === 1 ? [grayPlane(img)] : rgbPlanes(img)).map((p) => resizePlane(p, img.width, img.height, width, height));
  const out = new Uint8Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < channels; c++) out[p * channels + c] = Math.round(Math.min(255, Math.max(0, planes[c][p])));
  }
  return out;
}
