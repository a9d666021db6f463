// Original file: proto/btrdb.proto


export interface ObliterateParams {
  'uuid'?: (Buffer | Uint8Array | string);
}

export interface ObliterateParams__Output {
  'uuid': (Buffer);
}
