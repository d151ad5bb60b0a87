// Bulk data from the host arrive as base64 of little-endian typed arrays (see datasetMessages.ts).

export function bytesFromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function int32FromBase64(text: string): Int32Array {
  const bytes = bytesFromBase64(text);
  return new Int32Array(bytes.buffer, 0, bytes.length >> 2);
}

export function float32FromBase64(text: string): Float32Array {
  const bytes = bytesFromBase64(text);
  return new Float32Array(bytes.buffer, 0, bytes.length >> 2);
}
