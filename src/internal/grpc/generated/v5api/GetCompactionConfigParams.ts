// Original file: proto/btrdb.proto


export interface GetCompactionConfigParams {
  'uuid'?: (Buffer | Uint8Array | string);
}

export interface GetCompactionConfigParams__Output {
  'uuid': (Buffer);
}
