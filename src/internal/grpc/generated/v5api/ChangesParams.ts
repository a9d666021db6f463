// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface ChangesParams {
  'uuid'?: (Buffer | Uint8Array | string);
  'fromMajor'?: (number | string | Long);
  'toMajor'?: (number | string | Long);
  'resolution'?: (number);
}

export interface ChangesParams__Output {
  'uuid': (Buffer);
  'fromMajor': (string);
  'toMajor': (string);
  'resolution': (number);
}
