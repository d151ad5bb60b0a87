// Image decoding and preprocessing: bytes or files in, model input (and what it looked like) out.
export { decodeImage, readImageFile, type DecodeOptions } from './decode';
export { preprocess, type PreprocessMode, type PreprocessTarget, type Preprocessed } from './preprocess';
export { createRgbaImage, MAX_IMAGE_PIXELS, type RgbaImage } from './rgbaImage';
export { SUPPORTED_FORMATS } from './sniff';
