// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface WindowsParams {
  'uuid'?: (Buffer | Uint8Array | string);
  'start'?: (number | string | Long);
  'end'?: (number | string | Long);
  'versionMajor'?: (number | string | Long);
  'width'?: (number | string | Long);
  'depth'?: (number);
}

export interface WindowsParams__Output {
  'uuid': (Buffer);
  'start': (string);
  'end': (string);
  'versionMajor': (string);
  'width': (string);
  'depth': (number);
}
