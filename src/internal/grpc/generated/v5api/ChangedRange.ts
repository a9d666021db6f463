// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface ChangedRange {
  'start'?: (number | string | Long);
  'end'?: (number | string | Long);
}

export interface ChangedRange__Output {
  'start': (string);
  'end': (string);
}
