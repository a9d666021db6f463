// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface NearestParams {
  'uuid'?: (Buffer | Uint8Array | string);
  'time'?: (number | string | Long);
  'versionMajor'?: (number | string | Long);
  'backward'?: (boolean);
}

export interface NearestParams__Output {
  'uuid': (Buffer);
  'time': (string);
  'versionMajor': (string);
  'backward': (boolean);
}
