// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface RawPointVec {
  'time'?: (number | string | Long);
  'value'?: (number | string)[];
}

export interface RawPointVec__Output {
  'time': (string);
  'value': (number)[];
}
