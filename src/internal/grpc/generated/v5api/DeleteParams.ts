// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface DeleteParams {
  'uuid'?: (Buffer | Uint8Array | string);
  'start'?: (number | string | Long);
  'end'?: (number | string | Long);
}

export interface DeleteParams__Output {
  'uuid': (Buffer);
  'start': (string);
  'end': (string);
}
