// jsfive ships no type declarations; the one class the import uses.
declare module 'jsfive' {
  export class File {
    constructor(buffer: ArrayBuffer, filename: string);
  }
}
