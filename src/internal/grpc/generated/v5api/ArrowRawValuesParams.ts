// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface ArrowRawValuesParams {
  'uuid'?: (Buffer | Uint8Array | string);
  'start'?: (number | string | Long);
  'end'?: (number | string | Long);
  'versionMajor'?: (number | string | Long);
  'templateBytes'?: (Buffer | Uint8Array | string);
}

export interface ArrowRawValuesParams__Output {
  'uuid': (Buffer);
  'start': (string);
  'end': (string);
  'versionMajor': (string);
  'templateBytes': (Buffer);
}
