// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface RawValuesParams {
  'uuid'?: (Buffer | Uint8Array | string);
  'start'?: (number | string | Long);
  'end'?: (number | string | Long);
  'versionMajor'?: (number | string | Long);
}

export interface RawValuesParams__Output {
  'uuid': (Buffer);
  'start': (string);
  'end': (string);
  'versionMajor': (string);
}
