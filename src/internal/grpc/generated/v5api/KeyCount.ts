// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface KeyCount {
  'key'?: (string);
  'count'?: (number | string | Long);
}

export interface KeyCount__Output {
  'key': (string);
  'count': (string);
}
