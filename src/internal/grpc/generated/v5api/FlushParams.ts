// Original file: proto/btrdb.proto


export interface FlushParams {
  'uuid'?: (Buffer | Uint8Array | string);
}

export interface FlushParams__Output {
  'uuid': (Buffer);
}
