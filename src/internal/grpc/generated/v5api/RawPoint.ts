// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface RawPoint {
  'time'?: (number | string | Long);
  'value'?: (number | string);
}

export interface RawPoint__Output {
  'time': (string);
  'value': (number);
}
