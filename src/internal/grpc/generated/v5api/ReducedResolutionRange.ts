// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface ReducedResolutionRange {
  'Start'?: (number | string | Long);
  'End'?: (number | string | Long);
  'Resolution'?: (number);
}

export interface ReducedResolutionRange__Output {
  'Start': (string);
  'End': (string);
  'Resolution': (number);
}
